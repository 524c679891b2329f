//! The `?` overlay, generated from the merged keymap and the engine's
//! command table, so it can never disagree with what the keys do. It opens
//! on the section of the pane in front; columns are sized to their longest
//! entry and descriptions wrap under their own column, so nothing is cut
//! and no two columns run together at 80 columns.

use crate::engine::COMMANDS;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::{popup, wrap};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct Help {
    pub scroll: u16,
    /// The section to open on (resolved to a row at the first draw, when
    /// the width — and so the wrapping — is known).
    pub jump: Option<&'static str>,
}

impl Help {
    /// Help opened on `section` (the pane in front's keys).
    pub fn at(section: Option<&'static str>) -> Help {
        Help { scroll: 0, jump: section }
    }

    /// Returns true when the key closes the help.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => return true,
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') | KeyCode::Char('f') => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp | KeyCode::Char('b') => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            // Clamped to the last page when drawn.
            KeyCode::End | KeyCode::Char('G') => self.scroll = u16::MAX,
            _ => {}
        }
        self.jump = None;
        false
    }

    /// The help text at `width` columns, and the row each section starts on.
    pub fn lines(theme: &Theme, keymap: &Keymap, width: u16) -> (Vec<Line<'static>>, Vec<(&'static str, usize)>) {
        let mut lines = Vec::new();
        let mut starts = Vec::new();
        let sections = crate::tui::panes::SECTIONS;
        let key_w = sections
            .iter()
            .flat_map(|s| keymap.section(s))
            .map(|(_, keys)| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ").chars().count())
            .max()
            .unwrap_or(0)
            .min(16);
        let name_w = sections.iter().flat_map(|s| keymap.section(s)).map(|(a, _)| a.name().len()).max().unwrap_or(0);
        for section in sections.iter().copied() {
            let bound = keymap.section(section);
            if bound.is_empty() {
                continue;
            }
            starts.push((section.name, lines.len()));
            lines.push(Line::styled(format!("[{}]", section.name), theme.title()));
            for (action, keys) in bound {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                let cols = [
                    (format!("  {:<key_w$} ", keys.join(" ")), theme.fg(theme.accent)),
                    (format!("{:<name_w$} ", action.name()), theme.fg(theme.fg)),
                ];
                row(&mut lines, cols, action.desc(), theme.muted(), width);
            }
            lines.push(Line::default());
        }
        starts.push(("commands", lines.len()));
        lines.push(Line::styled("Commands (type : then a name; key=value arguments)", theme.title()));
        let cmd_w = COMMANDS.iter().map(|s| s.name.len()).max().unwrap_or(0);
        // The console's own palette word (not an engine command, so not in
        // the table), listed first so a newcomer finds the site filter.
        let cols = [
            (format!("  {:<cmd_w$} ", "site NAME"), theme.fg(theme.accent)),
            (format!("{:<10}", "console"), theme.fg(theme.fg)),
        ];
        row(&mut lines, cols, "Show only site NAME in every pane (the status bar says so); :site alone shows every site again.", theme.muted(), width);
        for spec in COMMANDS {
            let cols = [
                (format!("  {:<cmd_w$} ", spec.name), theme.fg(theme.accent)),
                (format!("{:<10}", spec.class.as_str()), theme.fg(theme.fg)),
            ];
            row(&mut lines, cols, spec.summary(), theme.muted(), width);
        }
        (lines, starts)
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap) {
        let rect = popup::centered(area, 110, 40);
        let title = "Help — j/k scroll, g/G top/end, Esc closes";
        let inner = popup::frame_popup(f, rect, title, theme, theme.border_focus);
        let (lines, starts) = Help::lines(theme, keymap, inner.width);
        if let Some(name) = self.jump.take()
            && let Some((_, row)) = starts.iter().find(|(n, _)| *n == name)
        {
            self.scroll = *row as u16;
        }
        let max = (lines.len() as u16).saturating_sub(inner.height);
        self.scroll = self.scroll.min(max);
        f.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), inner);
    }
}

/// One row of fixed columns and a description wrapped beside them; when
/// the columns leave too little room, the description goes underneath.
fn row(lines: &mut Vec<Line<'static>>, cols: [(String, Style); 2], desc: &str, muted: Style, width: u16) {
    let lead: usize = cols.iter().map(|(t, _)| t.chars().count()).sum();
    let width = usize::from(width);
    let (indent, room) = if width >= lead + 24 { (lead, width - lead) } else { (6, width.saturating_sub(6)) };
    let mut first: Vec<Span<'static>> = cols.into_iter().map(|(t, s)| Span::styled(t, s)).collect();
    let wrapped = wrap(desc, room.max(10));
    if indent != lead {
        lines.push(Line::from(first));
        first = vec![Span::raw(" ".repeat(indent))];
    }
    for (i, part) in wrapped.into_iter().enumerate() {
        let mut spans = if i == 0 { std::mem::take(&mut first) } else { vec![Span::raw(" ".repeat(indent))] };
        spans.push(Span::styled(part, muted));
        lines.push(Line::from(spans));
    }
}
