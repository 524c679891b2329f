//! The `?` overlay, generated from the merged keymap and the engine's
//! command table, so it can never disagree with what the keys do.

use crate::engine::COMMANDS;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct Help {
    pub scroll: u16,
}

impl Help {
    /// Returns true when the key closes the help.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => return true,
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            _ => {}
        }
        false
    }

    pub fn lines(theme: &Theme, keymap: &Keymap) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for section in crate::tui::panes::SECTIONS.iter().copied() {
            if keymap.section(section).is_empty() {
                continue;
            }
            lines.push(Line::styled(format!("[{}]", section.name), theme.title()));
            for (action, keys) in keymap.section(section) {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<18}", keys.join(" ")), theme.fg(theme.accent)),
                    Span::styled(format!("{:<23} ", action.name()), theme.fg(theme.fg)),
                    Span::styled(action.desc().to_string(), theme.muted()),
                ]));
            }
            lines.push(Line::default());
        }
        lines.push(Line::styled("Commands (type : then a name; key=value arguments)", theme.title()));
        for spec in COMMANDS {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<26}", spec.name), theme.fg(theme.accent)),
                Span::styled(format!("{:<10}", spec.class.as_str()), theme.fg(theme.fg)),
                Span::styled(spec.summary().to_string(), theme.muted()),
            ]));
        }
        lines
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        let rect = popup::centered(area, 110, 40);
        let inner = popup::frame_popup(f, rect, "Help — j/k scroll, Esc closes", theme, theme.border_focus);
        let lines = Help::lines(theme, keymap);
        let max = (lines.len() as u16).saturating_sub(inner.height);
        f.render_widget(Paragraph::new(lines).scroll((self.scroll.min(max), 0)), inner);
    }
}
