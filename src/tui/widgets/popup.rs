//! Centred popups that shrink with the terminal instead of overflowing it.

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Borders, Clear};

/// A rect of at most `w`×`h` centred in `area`, never larger than it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Clear `rect`, draw a titled border, and return the inner area.
pub fn frame_popup(f: &mut Frame, rect: Rect, title: &str, theme: &Theme, border: ratatui::style::Color) -> Rect {
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.fg(border))
        .title(format!(" {title} "))
        .title_style(theme.title())
        .style(theme.base());
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    inner
}
