//! Drawing the live entity view: the connection profiles, one profile's
//! entities (state, name, last change) with the `/` filter, and the
//! service-call screen for the selected entity.

use super::ha_entities::{HaScreen, HaView};
use crate::tui::app::View;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

fn state_style(t: &Theme, s: &str) -> Style {
    match s {
        "on" | "open" | "unlocked" | "home" | "playing" => t.fg(t.ok),
        "unavailable" | "unknown" => t.fg(t.error),
        "off" | "closed" | "locked" => t.muted(),
        _ => t.base(),
    }
}

/// `2024-03-20T10:11:12.123+00:00` → `03-20 10:11:12` (HA sends UTC).
fn short_time(ts: &str) -> String {
    ts.get(5..19).map(|s| s.replacen('T', " ", 1)).unwrap_or_else(|| ts.to_string())
}

impl HaView {
    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let title = match self.screen {
            HaScreen::Profiles => format!(" Home Assistant profiles · {} ", self.profiles.len()),
            HaScreen::Entities => format!(
                " Entities · {} · {} of {}{} ",
                self.profile,
                self.visible().len(),
                self.states.len(),
                if self.watching { " · live" } else { " · not live" }
            ),
            HaScreen::Call => format!(" Call a service · {} ", self.profile),
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let list = self.active_list();
        let show_filter = list.filtering || !list.filter.is_empty();
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)]).areas(inner);
        match self.screen {
            HaScreen::Profiles => self.render_profiles(f, body, t),
            HaScreen::Entities => self.render_entities(f, body, t),
            HaScreen::Call => self.render_call(f, body, t),
        }
        if show_filter {
            let list: &ListView = self.active_list();
            let mut line = list.filter.line(t.input(), list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let hint = match self.screen {
            HaScreen::Profiles => "↵ live entities  / filter  Esc back".to_string(),
            HaScreen::Entities => "↵ call a service  / filter  j/k move  Esc profiles".to_string(),
            HaScreen::Call => "↵ call (asks first)  j/k choose  Esc entities".to_string(),
        };
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_profiles(&mut self, f: &mut Frame, area: Rect, t: &Theme) {
        if self.profiles.is_empty() {
            let text = if self.profiles_loaded {
                "No Home Assistant connection profiles. Add one with `homedeck ha add NAME --url URL` \
                 (the token is kept in the vault), or `ha_add` in the palette."
            } else {
                "Loading profiles…"
            };
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), area);
            return;
        }
        let rows: Vec<Row> = self
            .visible_profiles()
            .into_iter()
            .map(|p| {
                Row::new(vec![
                    Cell::from(p.name.clone()),
                    Cell::from(p.url.clone()),
                    Cell::from(p.deployment.clone().unwrap_or_else(|| "-".into())),
                    Cell::from(p.site.clone().unwrap_or_else(|| "-".into())),
                ])
            })
            .collect();
        let header = Row::new(["PROFILE", "URL", "DEPLOYMENT", "SITE"]).style(t.title());
        let widths = [Constraint::Length(16), Constraint::Length(30), Constraint::Length(14), Constraint::Min(6)];
        self.profiles_list.render_table(f, area, header, rows, &widths, t);
    }

    fn render_entities(&mut self, f: &mut Frame, area: Rect, t: &Theme) {
        let visible = self.visible();
        if visible.is_empty() {
            let text = match (&self.ended, self.loaded) {
                (Some(why), _) => format!("live view ended: {why}"),
                (None, false) => format!("connecting to {} over the WebSocket API…", self.profile),
                (None, true) if self.states.is_empty() => "Home Assistant has no entities".to_string(),
                (None, true) => "no entity matches the filter".to_string(),
            };
            f.render_widget(Paragraph::new(text).style(t.muted()), area);
            return;
        }
        let rows: Vec<Row> = visible
            .into_iter()
            .map(|s| {
                Row::new(vec![
                    Cell::from(s.entity_id.clone()),
                    Cell::from(Span::styled(s.state.clone(), state_style(t, &s.state))),
                    Cell::from(s.friendly_name.clone()),
                    Cell::from(short_time(&s.last_changed)),
                ])
            })
            .collect();
        let header = Row::new(["ENTITY", "STATE", "NAME", "CHANGED (UTC)"]).style(t.title());
        let widths = [Constraint::Length(32), Constraint::Length(12), Constraint::Length(20), Constraint::Min(10)];
        let [table, ended] = Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(self.ended.is_some()))]).areas(area);
        self.list.render_table(f, table, header, rows, &widths, t);
        if let Some(why) = &self.ended {
            f.render_widget(Paragraph::new(Line::styled(format!("live view ended: {why}"), t.fg(t.error))), ended);
        }
    }

    fn render_call(&mut self, f: &mut Frame, area: Rect, t: &Theme) {
        let Some(e) = self.call_entity.as_ref() else { return };
        let current = self.states.get(&e.entity_id).unwrap_or(e);
        let [about, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
        let lines = vec![
            Line::from(vec![
                Span::styled(current.entity_id.clone(), t.title()),
                Span::raw("  is  "),
                Span::styled(current.state.clone(), state_style(t, &current.state)),
            ]),
            Line::styled(current.friendly_name.clone(), t.muted()),
        ];
        f.render_widget(Paragraph::new(lines), about);
        let rows: Vec<Row> = self.services.iter().map(|s| Row::new(vec![Cell::from(s.clone())])).collect();
        let header = Row::new(["SERVICE"]).style(t.title());
        self.services_list.render_table(f, list, header, rows, &[Constraint::Min(10)], t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::views::ha::EntityState;
    use crate::tui::keymap::Keymap;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn entity(id: &str, state: &str, name: &str) -> EntityState {
        EntityState { entity_id: id.into(), state: state.into(), friendly_name: name.into(), last_changed: "2024-03-20T10:11:12.345+00:00".into() }
    }

    fn draw(view: &mut HaView) -> String {
        let (theme, keymap) = (Theme::default(), Keymap::default());
        let v = View {
            theme: &theme,
            keymap: &keymap,
            now: chrono::Utc::now(),
            instant: std::time::Instant::now(),
            first_run: false,
        };
        let mut term = Terminal::new(TestBackend::new(90, 12)).unwrap();
        term.draw(|f| view.render(f, f.area(), &v)).unwrap();
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string() + "\n")
            .collect()
    }

    /// The entity list as the live view shows it, then with `/` filter.
    #[test]
    fn entity_list_snapshot() {
        let mut view = HaView { profile: "home".into(), screen: HaScreen::Entities, watching: true, ..Default::default() };
        view.set_states(
            "home",
            vec![
                entity("light.kitchen", "on", "Kitchen"),
                entity("input_boolean.porch", "off", "Porch"),
                entity("sensor.outside_temperature", "12.5", "Outside"),
                entity("lock.front_door", "unavailable", ""),
            ],
        );
        insta::assert_snapshot!("ha_entities_live", draw(&mut view));
        view.list.filter = crate::tui::input::TextInput::with_text("porch");
        let filtered = draw(&mut view);
        assert!(filtered.contains("input_boolean.porch") && !filtered.contains("light.kitchen"), "{filtered}");
        assert!(filtered.contains("1 of 4") && filtered.contains("/porch"), "{filtered}");
        view.watch_ended("home", "Home Assistant home closed the WebSocket".into());
        assert!(draw(&mut view).contains("not live") && draw(&mut view).contains("live view ended: Home Assistant home closed"));
    }
}
