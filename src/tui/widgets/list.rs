//! Selection, scrolling and the `/` filter of one list, independent of what
//! the rows are. Panes keep their rows and ask this which ones are visible.

use crate::tui::input::TextInput;
use crate::tui::keymap::{Nav, Verb};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Table, TableState};

#[derive(Default)]
pub struct ListView {
    pub selected: usize,
    pub filter: TextInput,
    /// `/` was pressed and keys go to the filter.
    pub filtering: bool,
    /// Rows visible last frame, for PageUp/PageDown.
    pub page: usize,
    /// The console's site filter (`:site NAME`): only rows at that site show.
    pub site: Option<String>,
}

impl ListView {
    /// Draw `rows` as a table with this list's selection, and remember the
    /// visible height so PageUp/PageDown move by a screenful.
    pub fn render_table(
        &mut self,
        f: &mut Frame,
        area: Rect,
        header: Row<'_>,
        rows: Vec<Row<'_>>,
        widths: &[Constraint],
        theme: &Theme,
    ) {
        self.page = usize::from(area.height.saturating_sub(1));
        let table = Table::new(rows, widths.iter().copied()).header(header).row_highlight_style(theme.selected());
        let mut state = TableState::default().with_selected(Some(self.selected));
        f.render_stateful_widget(table, area, &mut state);
    }

    /// Does a row whose searchable text is `hay` pass the filter?
    pub fn matches(&self, hay: &str) -> bool {
        let f = self.filter.text();
        f.is_empty() || hay.to_lowercase().contains(&f.to_lowercase())
    }

    /// Does a row at `site` (its effective site) whose searchable text is
    /// `hay` pass both the `/` filter and the site filter?
    pub fn shows(&self, hay: &str, site: Option<&str>) -> bool {
        self.matches(hay) && self.site.as_deref().is_none_or(|want| crate::engine::views::sites::same(site, want))
    }

    /// What a list says when its filters hide every row (`what`: "server").
    pub fn hidden_text(&self, what: &str) -> String {
        match (&self.site, self.filter.is_empty()) {
            (Some(s), true) => format!("No {what} at site {s}. :site clears the site filter."),
            (Some(s), false) => format!("No {what} at site {s} matches the filter. Esc clears it, :site the site filter."),
            (None, _) => format!("No {what} matches the filter. Esc clears it."),
        }
    }

    /// Move the selection for a navigation action; returns whether it was one.
    pub fn navigate(&mut self, action: Verb, len: usize) -> bool {
        let page = self.page.max(1);
        let last = len.saturating_sub(1);
        self.selected = match action {
            Verb::Nav(Nav::Up) => self.selected.saturating_sub(1),
            Verb::Nav(Nav::Down) => (self.selected + 1).min(last),
            Verb::Nav(Nav::Top) => 0,
            Verb::Nav(Nav::Bottom) => last,
            Verb::Nav(Nav::PageUp) => self.selected.saturating_sub(page),
            Verb::Nav(Nav::PageDown) => (self.selected + page).min(last),
            _ => return false,
        };
        true
    }

    /// Keep the selection inside a list that may have shrunk.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// The first row to draw so the selection stays on screen.
    pub fn offset(&self, height: usize) -> usize {
        if height == 0 { 0 } else { self.selected.saturating_sub(height - 1) }
    }
}
