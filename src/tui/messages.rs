//! The messages log (`m`): every line the status bar has shown — notices,
//! errors, failed reads — with when and in which pane, so a message that
//! scrolled away or did not fit at 80 columns can still be read in full.
//! The last [`KEEP`] are kept; the status bar itself shows only the newest.

use crate::tui::app::Level;
use crate::tui::panes::PaneId;
use crate::tui::theme::Theme;
use crate::tui::widgets::{popup, wrap};
use chrono::{DateTime, Local, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::VecDeque;

/// How many messages the log keeps.
pub const KEEP: usize = 200;

pub struct Message {
    pub at: DateTime<Utc>,
    pub pane: PaneId,
    pub text: String,
    pub level: Level,
}

#[derive(Default)]
pub struct Messages {
    pub list: VecDeque<Message>,
}

impl Messages {
    pub fn push(&mut self, at: DateTime<Utc>, pane: PaneId, text: &str, level: Level) {
        if self.list.len() == KEEP {
            self.list.pop_front();
        }
        self.list.push_back(Message { at, pane, text: text.to_string(), level });
    }
}

/// The open log: newest at the bottom, like a terminal; it opens there.
#[derive(Default)]
pub struct MessagesView {
    /// Rows scrolled up from the bottom.
    pub up: u16,
}

impl MessagesView {
    /// Returns true when the key closes the view.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('m') => return true,
            KeyCode::Up | KeyCode::Char('k') => self.up = self.up.saturating_add(1),
            KeyCode::Down | KeyCode::Char('j') => self.up = self.up.saturating_sub(1),
            KeyCode::PageUp | KeyCode::Char('b') => self.up = self.up.saturating_add(10),
            KeyCode::PageDown | KeyCode::Char(' ') => self.up = self.up.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.up = u16::MAX,
            KeyCode::End | KeyCode::Char('G') => self.up = 0,
            _ => {}
        }
        false
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, theme: &Theme, messages: &Messages) {
        let rect = popup::centered(area, area.width, area.height);
        let title = format!("Messages ({} kept, newest last) — j/k scroll, g/G ends, Esc closes", messages.list.len());
        let inner = popup::frame_popup(f, rect, &title, theme, theme.border_focus);
        // Time and pane in front, the text wrapped beside them: exact row
        // counts keep the bottom of the log at the bottom of the view.
        const GUTTER: usize = 21;
        let width = usize::from(inner.width).saturating_sub(GUTTER).max(10);
        let mut lines = Vec::new();
        for m in &messages.list {
            let color = match m.level {
                Level::Info => theme.fg,
                Level::Warn => theme.warn,
                Level::Error => theme.error,
            };
            let at = m.at.with_timezone(&Local).format("%H:%M:%S").to_string();
            for (i, row) in wrap(&m.text, width).into_iter().enumerate() {
                let head = if i == 0 {
                    vec![
                        Span::styled(format!("{at} "), theme.muted()),
                        Span::styled(format!("{:<11} ", m.pane.title()), theme.fg(theme.accent)),
                    ]
                } else {
                    vec![Span::raw(" ".repeat(GUTTER))]
                };
                let mut spans = head;
                spans.push(Span::styled(row, theme.fg(color)));
                lines.push(Line::from(spans));
            }
        }
        if lines.is_empty() {
            lines.push(Line::styled("No messages yet.", theme.muted()));
        }
        let max = (lines.len() as u16).saturating_sub(inner.height);
        self.up = self.up.min(max);
        let para = Paragraph::new(lines).style(theme.base());
        f.render_widget(para.scroll((max - self.up, 0)), inner);
    }
}
