//! Drawing the whole screen: tabs, the pane in front, the status bar and any
//! overlay. Kept apart from `app.rs` so the state machine reads on its own.

use crate::tui::app::{App, MIN_HEIGHT, MIN_WIDTH, Overlay, View};
use crate::tui::panes::PaneId;
use crate::tui::status_bar;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

impl App {
    pub fn render(&mut self, f: &mut Frame) {
        let area = f.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg =
                format!("terminal too small: {}×{} (homedeck needs {MIN_WIDTH}×{MIN_HEIGHT})", area.width, area.height);
            f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).style(self.theme.base()), area);
            return;
        }
        f.render_widget(Block::default().style(self.theme.base()), area);
        // A long message takes up to three rows instead of being cut.
        let status_rows = status_bar::rows(self, area.width);
        let [tabs, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(status_rows.len() as u16),
        ])
        .areas(area);
        let mut spans = Vec::new();
        for (p, label) in tab_labels(self.pane, area.width) {
            let style = if p == self.pane { self.theme.selected() } else { self.theme.muted() };
            spans.push(Span::styled(label, style));
            spans.push(Span::raw(" "));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), tabs);
        let view =
            View {
            theme: &self.theme,
            keymap: &self.keymap,
            now: self.clock.now(),
            instant: self.clock.instant(),
            first_run: self.panes.secrets.vault.as_ref().is_some_and(|v| !v.initialized),
        };
        self.panes.get_mut(self.pane).render(f, body, &view);
        f.render_widget(Paragraph::new(status_rows).style(self.theme.base()), status);
        match &mut self.overlay {
            Some(Overlay::Help(h)) => h.render(f, body, &self.theme, &self.keymap),
            Some(Overlay::Messages(m)) => m.render(f, body, &self.theme, &self.messages),
            Some(Overlay::Palette(p)) => p.render(f, body, &self.theme),
            Some(Overlay::Form(form)) => form.render(f, body, &self.theme),
            Some(Overlay::Confirm(c)) => {
                let low = self.panes.get(self.pane).scrolls_behind();
                c.render(f, body, &self.theme, low)
            }
            None => {}
        }
    }
}

/// The tab labels, `N:Title` with the pane's key number. When they do not
/// all fit (nine panes need 85 columns), the panes behind keep the first
/// three letters of their title and the one in front its whole title.
pub fn tab_labels(front: PaneId, width: u16) -> Vec<(PaneId, String)> {
    let full: Vec<(PaneId, String)> = PaneId::ALL.iter().map(|p| (*p, format!("{}:{}", p.index(), p.title()))).collect();
    let needed: usize = full.iter().map(|(_, l)| l.chars().count() + 1).sum::<usize>() - 1;
    if needed <= usize::from(width) {
        return full;
    }
    PaneId::ALL
        .iter()
        .map(|p| {
            let title: String = if *p == front { p.title().to_string() } else { p.title().chars().take(3).collect() };
            (*p, format!("{}:{title}", p.index()))
        })
        .collect()
}
