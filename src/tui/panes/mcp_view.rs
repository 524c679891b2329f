//! MCP status inside the Audit pane (`M` there, or `mcp_status` in the
//! palette): how outside AI clients use homedeck — per tool the calls,
//! errors and p50/p99 latency from the audit log, the callers, the MCP
//! sessions open on the engine, and each Home Assistant profile's circuit
//! breaker (closed, open with the time to the next trial, half-open). All
//! of it is the engine's `mcp_status`; this file only draws it.

use crate::engine::Command;
use crate::engine::views::mcp::{BreakerState, McpStatus};
use crate::tui::app::{Step, View};
use crate::tui::keymap::Verb;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// The windows `cycle_since` steps through here.
const SINCE: [&str; 4] = ["24h", "1h", "7d", "30d"];

#[derive(Default)]
pub struct McpView {
    pub status: Option<McpStatus>,
    since: usize,
}

impl McpView {
    pub fn query(&self) -> Command {
        Command::McpStatus { since: Some(SINCE[self.since % SINCE.len()].to_string()) }
    }

    /// `cycle_since` picks the next window; the pane closes the view on `back`.
    pub fn on_action(&mut self, action: Verb) -> Step {
        match action.name() {
            "cycle_since" => {
                self.since = (self.since + 1) % SINCE.len();
                Step::Run(self.query())
            }
            "mcp_status" | "refresh" => Step::Run(self.query()),
            _ => Step::Unhandled,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let title = match &self.status {
            Some(s) => format!(" MCP · since {} · {} ", s.since, crate::tui::widgets::count(s.calls, "call", "calls")),
            None => " MCP ".to_string(),
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let Some(s) = &self.status else {
            f.render_widget(Paragraph::new("Loading MCP status…").style(t.muted()), inner);
            return;
        };
        let breaker_rows = s.breakers.len().max(1) as u16 + 1;
        let [head, tools, ha, hint_area] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(3), Constraint::Length(breaker_rows + 1), Constraint::Length(1)]).areas(inner);
        let who = if s.actors.is_empty() { "nobody".to_string() } else { s.actors.join(", ") };
        let lines = vec![
            Line::from(vec![
                Span::styled("sessions open ", t.muted()),
                Span::raw(format!("{} HTTP, {} stdio", s.sessions.http, s.sessions.stdio)),
            ]),
            Line::from(vec![Span::styled("callers ", t.muted()), Span::raw(who)]),
        ];
        f.render_widget(Paragraph::new(lines), head);
        render_tools(f, tools, s, v);
        render_breakers(f, ha, s, v);
        let k = |a| v.keymap.key_for(&crate::tui::panes::audit::KEYS, a);
        let hint = format!("{} window  {} reload  Esc audit log", k("cycle_since"), k("mcp_status"));
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }
}

fn render_tools(f: &mut Frame, area: Rect, s: &McpStatus, v: &View) {
    let t = v.theme;
    if s.tools.is_empty() {
        let msg = format!(
            "No MCP calls since {}. Register homedeck with an MCP client (`homedeck mcp`, or the daemon's [mcp] listen with a token) — see the user guide.",
            s.since
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).style(t.muted()), area);
        return;
    }
    let header = Row::new(["TOOL", "CALLS", "ERRORS", "P50 MS", "P99 MS"]).style(t.title());
    let rows = s.tools.iter().map(|(name, st)| {
        let errors = if st.errors > 0 { t.fg(t.error) } else { t.muted() };
        Row::new(vec![
            Cell::from(name.clone()),
            Cell::from(format!("{:>6}", st.calls)),
            Cell::from(format!("{:>6}", st.errors)).style(errors),
            Cell::from(format!("{:>8.3}", st.p50_ms)),
            Cell::from(format!("{:>8.3}", st.p99_ms)),
        ])
    });
    let widths = [Constraint::Min(16), Constraint::Length(6), Constraint::Length(6), Constraint::Length(8), Constraint::Length(8)];
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(2), area);
}

fn render_breakers(f: &mut Frame, area: Rect, s: &McpStatus, v: &View) {
    let t = v.theme;
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    f.render_widget(Paragraph::new(Line::styled("Home Assistant circuit breakers", t.title())), title);
    if s.breakers.is_empty() {
        f.render_widget(Paragraph::new("none used yet (a profile's breaker appears with its first call)").style(t.muted()), body);
        return;
    }
    let rows = s.breakers.iter().map(|b| {
        let (word, style) = match b.state {
            BreakerState::Closed => ("closed".to_string(), t.fg(t.ok)),
            BreakerState::Open => (format!("open, {:>2.0} s", b.retry_in_ms.unwrap_or(0) as f64 / 1000.0), t.fg(t.error)),
            BreakerState::HalfOpen => ("half-open".to_string(), t.fg(t.warn)),
        };
        Row::new(vec![
            Cell::from(b.profile.clone()),
            Cell::from(word).style(style),
            Cell::from(format!("{} failed", b.failures)),
            Cell::from(format!("{} queued", b.queued)),
            Cell::from(format!("{} refused", b.rejected)),
            Cell::from(b.last_error.clone().unwrap_or_default()).style(t.muted()),
        ])
    });
    let widths = [
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Min(8),
    ];
    f.render_widget(Table::new(rows, widths).column_spacing(1), body);
}
