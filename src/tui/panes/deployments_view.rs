//! Drawing the Deployments pane: the list, a deployment's detail (health,
//! paths, the progress of a running step), the log view and the editor
//! (the live entity view draws itself, `ha_entities_view.rs`).

use super::deployments::{DeploymentsPane, Mode};
use crate::engine::views::deploy::DeployStatus;
use crate::engine::views::deploy::{DeploymentView, HealthState, uptime_text as uptime};
use crate::tui::app::View;
use crate::tui::theme::Theme;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// The state shown for a row: live health when probed, else the stored status.
fn state(v: &DeploymentView) -> (String, bool) {
    match (&v.health, v.deployment.status) {
        (_, s @ (DeployStatus::Installing | DeployStatus::Upgrading | DeployStatus::Failed)) => (s.to_string(), false),
        (Some(h), _) => (h.state.as_str().to_string(), true),
        (None, s) => (s.to_string(), false),
    }
}

fn state_style(t: &Theme, s: &str) -> Style {
    match s {
        "running" => t.fg(t.ok),
        "starting" | "installing" | "upgrading" => t.fg(t.accent),
        "stopped" | "unknown" => t.muted(),
        _ => t.fg(t.error),
    }
}

impl DeploymentsPane {
    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        if self.mode == Mode::Editor
            && let Some(e) = self.editor.as_mut()
        {
            e.render(f, area, v);
            return;
        }
        if self.mode == Mode::Ha {
            self.ha.render(f, area, v);
            return;
        }
        let t = v.theme;
        let title = match (self.mode, &self.open) {
            (Mode::Logs, _) => format!(
                " Logs · {} · {}{} ",
                self.logs.deployment,
                if self.logs.follow { "following" } else { "paused" },
                if self.logs.streaming { "" } else { " · not streaming" }
            ),
            (Mode::Detail, Some(n)) => format!(" Deployment · {n} "),
            _ => format!(" Deployments · {} ", self.rows.len()),
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let logs = self.mode == Mode::Logs;
        let list = if logs { &self.logs.list } else { &self.list };
        let show_filter = list.filtering || !list.filter.is_empty();
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)]).areas(inner);
        match self.mode {
            Mode::Logs => self.render_logs(f, body, v),
            Mode::Detail => self.render_detail(f, body, v),
            _ if self.rows.is_empty() => {
                let text = if self.loaded {
                    format!(
                        "No deployments. Press {} to install Home Assistant on a server (venv or docker), \
                         or run `homedeck deploy create NAME --server SERVER --version 2024.3.3`.",
                        v.keymap.key_for(&crate::tui::panes::deployments::KEYS, "deploy_create")
                    )
                } else {
                    "Loading deployments…".to_string()
                };
                f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), body);
            }
            _ if self.visible().is_empty() => {
                f.render_widget(Paragraph::new(self.list.hidden_text("deployment")).wrap(Wrap { trim: true }).style(t.muted()), body);
            }
            _ => self.render_list(f, body, v),
        }
        if show_filter {
            let list = if logs { &self.logs.list } else { &self.list };
            let mut line = list.filter.line(t.input(), list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::deployments::KEYS, a);
        let hint = match self.mode {
            Mode::Logs => format!("{} follow  / filter  j/k scroll  G end  Esc back", k("deploy_follow")),
            _ => format!(
                "↵ open  {} add  {} start  {} stop  {} restart  {} upgrade  {} logs  {} config  {} check  {} delete  {} entities",
                k("deploy_create"),
                k("deploy_start"),
                k("deploy_stop"),
                k("deploy_restart"),
                k("deploy_upgrade"),
                k("deploy_logs"),
                k("deploy_config_read"),
                k("deploy_config_check"),
                k("deploy_remove"),
                k("ha_entities"),
            ),
        };
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_list(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let header = Row::new(["NAME", "STATUS", "VERSION", "PORT", "SERVER", "SITE", "RUNTIME", "UPTIME"]).style(t.title());
        let rows: Vec<Row> = self
            .visible()
            .into_iter()
            .map(|r| {
                let d = &r.deployment;
                let (s, _) = state(r);
                let up = r.health.as_ref().and_then(|h| h.uptime_secs);
                Row::new(vec![
                    Cell::from(d.name.clone()),
                    Cell::from(Span::styled(format!("● {s}"), state_style(t, &s))),
                    Cell::from(r.health.as_ref().and_then(|h| h.version.clone()).unwrap_or_else(|| d.version.clone())),
                    Cell::from(d.port.to_string()),
                    Cell::from(d.server.clone()),
                    Cell::from(d.site.clone().unwrap_or_else(|| "-".into())),
                    Cell::from(d.runtime.to_string()),
                    Cell::from(uptime(up)),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(12),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Min(6),
        ];
        self.list.render_table(f, area, header, rows, &widths, t);
    }

    fn render_detail(&self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let Some(r) = self.selected() else {
            f.render_widget(Paragraph::new("this deployment is gone").style(t.muted()), area);
            return;
        };
        let d = &r.deployment;
        let (s, _) = state(r);
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("● {s}  "), state_style(t, &s)),
                Span::raw(format!("Home Assistant {} on {} port {}", d.version, d.server, d.port)),
            ]),
            Line::styled(format!("runtime  {} ({})", d.runtime, d.supervision.label()), t.muted()),
            Line::styled(format!("config   {}", d.config_dir), t.muted()),
            Line::styled(format!("install  {}", d.data_volume), t.muted()),
        ];
        if !d.status_reason.is_empty() {
            lines.push(Line::styled(format!("last     {}", d.status_reason), t.fg(t.error)));
        }
        if let Some(h) = &r.health {
            lines.push(Line::raw(""));
            lines.push(Line::raw(format!("process  {}   uptime {}   restarts {}", h.process, uptime(h.uptime_secs), h.restarts.map_or("-".into(), |n| n.to_string()))));
            lines.push(Line::raw(format!("http     {}", h.http)));
            lines.push(Line::raw(format!("api      {}", h.api)));
            for reason in &h.reasons {
                let style = if h.state == HealthState::Running { t.muted() } else { t.fg(t.error) };
                lines.push(Line::styled(format!("· {reason}"), style));
            }
        }
        if let Some(p) = self.progress.get(&d.name) {
            lines.push(Line::raw(""));
            lines.push(Line::styled("progress", t.title()));
            let room = usize::from(area.height).saturating_sub(lines.len()).max(1);
            for l in p.iter().rev().take(room).rev() {
                lines.push(Line::styled(l.clone(), t.muted()));
            }
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn render_logs(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let height = usize::from(area.height);
        self.logs.list.page = height;
        let visible = self.logs.visible();
        if visible.is_empty() {
            let text = match &self.logs.ended {
                Some(why) => format!("log stream ended: {why}"),
                None if self.logs.lines.is_empty() => "waiting for log lines…".to_string(),
                None => "no line matches the filter".to_string(),
            };
            f.render_widget(Paragraph::new(text).style(t.muted()), area);
            return;
        }
        let selected = self.logs.list.selected.min(visible.len() - 1);
        let start = selected.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = visible
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, l)| {
                let style = if l.contains("ERROR") || l.contains("Traceback") {
                    t.fg(t.error)
                } else if l.contains("WARNING") || l.contains("homedeck-supervisor") {
                    t.fg(t.accent)
                } else {
                    t.base()
                };
                let style = if i == selected && !self.logs.follow { style.patch(t.selected()) } else { style };
                Line::styled(l.to_string(), style)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), area);
    }
}
