//! The Audit pane: the audit log newest first, filtered on the engine side
//! (category, minimum severity, status, time window, and `/` text), paged by
//! the engine's cursor when the selection runs past the last loaded row.
//! `e` switches to the security events view (see `security_events.rs`);
//! `A` (from any pane) to the alerts view (see `alerts_view.rs`); `M` to
//! the MCP status view (see `mcp_view.rs`).

use super::alerts_view::AlertsView;
use super::mcp_view::McpView;
use super::security_events::SecurityView;
use crate::engine::Command;
use crate::engine::views::audit::{AuditEntry, AuditPage, Category, Severity, Status};
use crate::tui::app::{Step, View};
use crate::tui::clock::age;
use crate::tui::keymap::{SectionSpec, Verb, ViewSpec};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use crate::tui::widgets::pane_block;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// The `[audit]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "audit",
    views: &[
        ViewSpec { name: "toggle_security", desc: "Switch between audit log and security events" },
        ViewSpec { name: "cycle_category", desc: "Filter: next category" },
        ViewSpec { name: "cycle_severity", desc: "Filter: next minimum severity" },
        ViewSpec { name: "cycle_status", desc: "Filter: next status" },
        ViewSpec { name: "cycle_since", desc: "Filter: next time window" },
        ViewSpec { name: "clear_filters", desc: "Clear every audit filter" },
    ],
};

/// Time windows `w` cycles through (passed to the engine as `since`).
const SINCE: [Option<&str>; 5] = [None, Some("1h"), Some("24h"), Some("7d"), Some("30d")];

#[derive(Default)]
pub struct Filters {
    pub category: Option<Category>,
    pub min_severity: Option<Severity>,
    pub status: Option<Status>,
    pub since: usize,
}

/// `None → first → … → last → None`.
fn cycle<T: Copy + PartialEq>(all: &[T], cur: Option<T>) -> Option<T> {
    match cur.and_then(|c| all.iter().position(|x| *x == c)) {
        None => all.first().copied(),
        Some(i) => all.get(i + 1).copied(),
    }
}

pub struct AuditPane {
    pub security_view: bool,
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
    pub total: Option<u64>,
    /// The `/` text goes to the engine as `text`, not filtered locally.
    pub list: ListView,
    pub filters: Filters,
    /// Bumped on every new query, so answers to older ones are dropped.
    pub generation: u64,
    pub loading_more: bool,
    pub detail: Option<AuditEntry>,
    pub page_size: u32,
    pub security: SecurityView,
    /// The alerts view is in front (over the log or the security events).
    pub alerts_view: bool,
    pub alerts: AlertsView,
    /// The MCP status view is in front (`mcp_status`).
    pub mcp_view: bool,
    pub mcp: McpView,
}

impl Default for AuditPane {
    fn default() -> Self {
        AuditPane {
            security_view: false,
            entries: Vec::new(),
            next: None,
            total: None,
            list: ListView::default(),
            filters: Filters::default(),
            generation: 0,
            loading_more: false,
            detail: None,
            page_size: 100,
            security: SecurityView::default(),
            alerts_view: false,
            alerts: AlertsView::default(),
            mcp_view: false,
            mcp: McpView::default(),
        }
    }
}

impl AuditPane {
    /// The query for the current filters; `before` pages on.
    pub fn query(&self, before: Option<String>) -> Command {
        Command::AuditSearch {
            category: self.filters.category,
            min_severity: self.filters.min_severity,
            status: self.filters.status,
            actor: None,
            resource: None,
            since: SINCE.get(self.filters.since).copied().flatten().map(str::to_string),
            until: None,
            text: Some(self.list.filter.text().trim().to_string()).filter(|t| !t.is_empty()),
            limit: Some(self.page_size),
            before,
        }
    }

    /// Take over the filters of an `audit_search` typed in the palette, so
    /// the filter line says what the list shows (and `c`, `s` … go on from
    /// there).
    pub fn adopt(&mut self, c: &Command) {
        if let Command::AuditSearch { category, min_severity, status, since, text, .. } = c {
            self.filters.category = *category;
            self.filters.min_severity = *min_severity;
            self.filters.status = *status;
            self.filters.since = SINCE.iter().position(|s| s.as_deref() == since.as_deref()).unwrap_or(0);
            self.list.filter.set(text.as_deref().unwrap_or(""));
        }
    }

    /// A fresh first page for the current filters.
    pub fn requery(&mut self) -> Step {
        self.generation += 1;
        self.loading_more = false;
        Step::Audit { command: self.query(None), append: false }
    }

    pub fn apply_page(&mut self, page: AuditPage, append: bool) {
        self.loading_more = false;
        if append {
            self.entries.extend(page.entries);
        } else {
            self.entries = page.entries;
            self.total = page.total;
        }
        self.next = page.next;
        self.list.clamp(self.entries.len());
    }

    /// Ask for the next page when the selection reaches the last loaded row.
    fn maybe_more(&mut self) -> Step {
        if self.list.selected + 1 >= self.entries.len()
            && !self.loading_more
            && let Some(next) = self.next.clone()
        {
            self.loading_more = true;
            return Step::Audit { command: self.query(Some(next)), append: true };
        }
        Step::Nothing
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        if self.alerts_view {
            let step = self.alerts.on_action(action);
            if matches!(step, Step::Unhandled) && action.name() == "back" && self.alerts.list.filter.is_empty() {
                // Esc on the list goes back to where the pane was.
                self.alerts_view = false;
                return Step::Nothing;
            }
            return step;
        }
        if action.name() == "mcp_status" {
            self.mcp_view = true;
            return Step::Run(self.mcp.query());
        }
        if self.mcp_view {
            return if action.name() == "back" {
                self.mcp_view = false;
                Step::Nothing
            } else {
                self.mcp.on_action(action)
            };
        }
        if self.security_view {
            if action.name() == "toggle_security" && self.security.detail.is_none() {
                self.security_view = false;
                return Step::Nothing;
            }
            return self.security.on_action(action);
        }
        if self.detail.is_some() {
            return match action.name() {
                "back" | "open" => {
                    self.detail = None;
                    Step::Nothing
                }
                _ => Step::Unhandled,
            };
        }
        if self.list.navigate(action, self.entries.len()) {
            return self.maybe_more();
        }
        match action.name() {
            "toggle_security" => {
                self.security_view = true;
                Step::Nothing
            }
            "open" => {
                self.detail = self.entries.get(self.list.selected).cloned();
                if self.detail.is_some() {
                    Step::Nothing
                } else {
                    Step::Status("no audit entry here — the filters may hide them all (‹clear_filters› clears)".into())
                }
            }
            "cycle_category" => {
                self.filters.category = cycle(&Category::ALL, self.filters.category);
                self.requery()
            }
            "cycle_severity" => {
                self.filters.min_severity = cycle(&Severity::ALL, self.filters.min_severity);
                self.requery()
            }
            "cycle_status" => {
                self.filters.status = cycle(&Status::ALL, self.filters.status);
                self.requery()
            }
            "cycle_since" => {
                self.filters.since = (self.filters.since + 1) % SINCE.len();
                self.requery()
            }
            "clear_filters" => {
                self.filters = Filters::default();
                self.list.filter.clear();
                self.requery()
            }
            _ => Step::Unhandled,
        }
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        if self.alerts_view {
            return self.alerts.render(f, area, v);
        }
        if self.mcp_view {
            return self.mcp.render(f, area, v);
        }
        if self.security_view {
            return self.security.render(f, area, v);
        }
        let t = v.theme;
        let title = match self.total {
            Some(n) => format!(" Audit log · {} of {n} ", self.entries.len()),
            None => format!(
                " Audit log · {} loaded{} ",
                self.entries.len(),
                if self.next.is_some() { ", more below" } else { "" }
            ),
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [filter_area, body, hint_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(inner);
        f.render_widget(Paragraph::new(self.filter_line(v)), filter_area);
        if let Some(e) = &self.detail {
            render_detail(f, body, e, v);
        } else if self.entries.is_empty() {
            let msg = "No audit entries match. Change the filters (c s x w, / text, C clears) — every command that changes state is logged here.";
            f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).style(t.muted()), body);
        } else {
            self.render_table(f, body, v);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::audit::KEYS, a);
        let hint = format!(
            "{} category  {} severity  {} status  {} since  / text  {} clear  {} events  ↵ detail",
            k("cycle_category"),
            k("cycle_severity"),
            k("cycle_status"),
            k("cycle_since"),
            k("clear_filters"),
            k("toggle_security")
        );
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn filter_line(&self, v: &View) -> Line<'static> {
        let t = v.theme;
        let part = |k: &str, val: Option<String>| {
            let style = if val.is_some() { t.fg(t.accent) } else { t.muted() };
            [
                Span::styled(format!("{k}:"), t.muted()),
                Span::styled(format!("{} ", val.unwrap_or_else(|| "any".into())), style),
            ]
        };
        let mut spans: Vec<Span> = Vec::new();
        spans.extend(part("category", self.filters.category.map(|c| c.to_string())));
        spans.extend(part("severity≥", self.filters.min_severity.map(|c| c.to_string())));
        spans.extend(part("status", self.filters.status.map(|c| c.to_string())));
        spans.extend(part("since", SINCE.get(self.filters.since).copied().flatten().map(str::to_string)));
        spans.push(Span::styled("text:", t.muted()));
        if self.list.filtering || !self.list.filter.is_empty() {
            spans.extend(self.list.filter.line(t.input(), self.list.filtering).spans);
        } else {
            spans.push(Span::styled("any", t.muted()));
        }
        Line::from(spans)
    }

    fn render_table(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let header = Row::new(["AGE", "ACTOR", "ACTION", "CATEGORY", "SEVERITY", "STATUS", "RESOURCE", "DESCRIPTION"])
            .style(t.title());
        let rows: Vec<Row> = self
            .entries
            .iter()
            .map(|e| {
                let sev = severity_style(e.severity, v);
                let status = if e.status == Status::Success { t.fg(t.ok) } else { t.fg(t.error) };
                let resource =
                    e.resource.as_ref().map(|r| r.name.clone().unwrap_or_else(|| r.kind.clone())).unwrap_or_default();
                Row::new(vec![
                    Cell::from(age(v.now, e.time)),
                    Cell::from(e.actor.to_string()),
                    Cell::from(e.action.clone()),
                    Cell::from(e.category.as_str()),
                    Cell::from(e.severity.as_str()).style(sev),
                    Cell::from(e.status.as_str()).style(status),
                    Cell::from(resource),
                    Cell::from(e.description.clone()),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Min(8),
        ];
        self.list.render_table(f, area, header, rows, &widths, t);
    }
}

pub fn severity_style(s: Severity, v: &View) -> ratatui::style::Style {
    let t = v.theme;
    match s {
        Severity::Info => t.muted(),
        Severity::Low => t.fg(t.fg),
        Severity::Medium => t.fg(t.warn),
        Severity::High => t.fg(t.error),
        Severity::Critical => t.fg(t.critical),
    }
}

fn render_detail(f: &mut Frame, area: Rect, e: &AuditEntry, v: &View) {
    let t = v.theme;
    let field = |k: &str, val: String| Line::from(vec![Span::styled(format!("{k:<12}"), t.muted()), Span::raw(val)]);
    let mut lines = vec![
        Line::styled(format!("#{} {}", e.id, e.action), t.title()),
        field("time", format!("{} ({} ago)", e.time.format("%Y-%m-%d %H:%M:%S UTC"), age(v.now, e.time))),
        field("actor", e.actor.to_string()),
        field("category", e.category.to_string()),
        Line::from(vec![
            Span::styled(format!("{:<12}", "severity"), t.muted()),
            Span::styled(e.severity.to_string(), severity_style(e.severity, v)),
        ]),
        field("status", e.status.to_string()),
        field(
            "resource",
            e.resource
                .as_ref()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.kind,
                        r.name.clone().unwrap_or_default(),
                        r.id.as_ref().map(|i| format!("(id {i})")).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "—".into()),
        ),
        field("description", e.description.clone()),
    ];
    if let Some(err) = &e.error {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12}", "error"), t.muted()),
            Span::styled(err.clone(), t.fg(t.error)),
        ]));
    }
    lines.push(Line::default());
    if e.changes.is_empty() {
        lines.push(Line::styled("no field changes recorded", t.muted()));
    } else {
        lines.push(Line::styled("Changes (before → after)", t.title()));
        for c in &e.changes {
            lines.push(Line::from(format!(
                "  {:<16} {} → {}",
                c.field,
                c.before.as_deref().unwrap_or("∅"),
                c.after.as_deref().unwrap_or("∅")
            )));
        }
    }
    lines.push(Line::styled("Esc back", t.muted()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
