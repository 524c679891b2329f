//! Small drawing helpers shared by panes and overlays.

pub mod list;
pub mod popup;

use crate::tui::theme::Theme;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

/// The frame every pane draws in: rounded border, title, theme colours.
pub fn pane_block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(title)
        .title_style(theme.title())
        .style(theme.base())
}
