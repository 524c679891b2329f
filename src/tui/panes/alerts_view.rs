//! Alerts inside the Audit pane (`A` from any pane): the list with its
//! filter (active, open, acknowledged, resolved, all), one alert's detail
//! with the evidence that tripped it (`alert_show`), and the two things an
//! operator does about one: acknowledge it with a note (`alert_ack`) and
//! silence its rule, its target or both for a while (`alert_silence`).
//! Everything goes through engine commands; the count of open,
//! unacknowledged, unsilenced alerts is what the status bar shows.

use crate::engine::Command;
use crate::engine::views::alerts::{Alert, AlertFilter, AlertRow};
use crate::tui::app::{Step, View};
use crate::tui::clock::age;
use crate::tui::form::{Field, Form};
use crate::tui::keymap::{SectionSpec, Verb, ViewSpec};
use crate::tui::panes::PaneId;
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// The `[alerts]` keymap section: `alert_ack` and `alert_silence` are bound
/// by their engine command names; this is its own view action.
pub const KEYS: SectionSpec = SectionSpec {
    name: "alerts",
    views: &[ViewSpec { name: "cycle_alert_filter", desc: "Alerts: next filter (active, open, acknowledged, resolved, all)" }],
};

/// The filters `cycle_alert_filter` steps through, the first shown first.
const FILTERS: [AlertFilter; 5] = [AlertFilter::Active, AlertFilter::Open, AlertFilter::Acknowledged, AlertFilter::Resolved, AlertFilter::All];

/// What a silence form covers.
const SCOPES: [&str; 3] = ["rule on this target", "the whole rule", "the whole target"];

/// The acknowledgement form of alert `id`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AckForm {
    pub id: u64,
}

/// The silence form of one alert's rule and target.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceForm {
    pub rule: String,
    pub target: String,
}

pub struct AlertsView {
    pub rows: Vec<AlertRow>,
    pub filter: AlertFilter,
    pub list: ListView,
    /// Open, unacknowledged, unsilenced alerts in the whole store.
    pub attention: usize,
    /// The alert shown in detail, with the earlier alerts of its rule and target.
    pub detail: Option<(AlertRow, Vec<Alert>)>,
}

impl Default for AlertsView {
    fn default() -> Self {
        AlertsView { rows: Vec::new(), filter: FILTERS[0], list: ListView::default(), attention: 0, detail: None }
    }
}

impl AlertsView {
    pub fn query(&self) -> Command {
        Command::AlertList { filter: Some(self.filter), limit: Some(500) }
    }

    /// A list answer; one for another filter (an older query) only updates the count.
    pub fn set_list(&mut self, filter: AlertFilter, rows: Vec<AlertRow>, attention: usize) {
        self.attention = attention;
        if filter == self.filter {
            self.rows = rows;
            let n = self.visible().len();
            self.list.clamp(n);
        }
    }

    pub fn visible(&self) -> Vec<&AlertRow> {
        self.rows
            .iter()
            .filter(|r| self.list.matches(&format!("{} {} {} {} {}", r.alert.id, r.alert.rule, r.alert.target, r.alert.status(), r.alert.summary)))
            .collect()
    }

    fn current(&self) -> Option<&Alert> {
        match &self.detail {
            Some((row, _)) => Some(&row.alert),
            None => self.visible().get(self.list.selected).map(|r| &r.alert),
        }
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        if self.detail.is_none() && self.list.navigate(action, self.visible().len()) {
            return Step::Nothing;
        }
        match action.name() {
            "back" if self.detail.is_some() => {
                self.detail = None;
                Step::Nothing
            }
            "open" => match self.current() {
                Some(a) => Step::Run(Command::AlertShow { id: a.id }),
                None => Step::Status("no alert here — ‹cycle_alert_filter› shows other alerts".into()),
            },
            "cycle_alert_filter" => {
                let i = FILTERS.iter().position(|f| *f == self.filter).map_or(0, |i| (i + 1) % FILTERS.len());
                self.filter = FILTERS[i];
                self.detail = None;
                self.list.selected = 0;
                Step::Run(self.query())
            }
            "alert_ack" => {
                let Some(a) = self.current() else { return Step::Status("no alert selected".into()) };
                if !a.is_open() {
                    return Step::Status(format!("alert {} resolved: nothing to acknowledge", a.id));
                }
                if let Some(k) = &a.ack {
                    return Step::Status(format!("alert {} was acknowledged by {}: {}", a.id, k.by, k.note));
                }
                Step::Form(
                    Form::new(&format!("Acknowledge alert {}", a.id), PaneId::Audit, AckForm { id: a.id }, vec![Field::text("Note")])
                        .intro(&format!("{} — say what is being done about it.", a.summary)),
                )
            }
            "alert_silence" => {
                let Some(a) = self.current() else { return Step::Status("no alert selected".into()) };
                let kind = SilenceForm { rule: a.rule.clone(), target: a.target.clone() };
                Step::Form(
                    Form::new(
                        &format!("Silence {} on {}", a.rule, a.target),
                        PaneId::Audit,
                        kind,
                        vec![Field::filled("For", "1h"), Field::choice("Covers", SCOPES.to_vec()), Field::text("Note")],
                    )
                    .intro("Its alerts still open and resolve; nobody is notified and the status bar does not count them. For: 30m, 2h, 1d."),
                )
            }
            _ => Step::Unhandled,
        }
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let block = pane_block(format!(" Alerts · {} · {} need attention ", self.filter.as_str(), self.attention), t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let show_filter = self.list.filtering || !self.list.filter.is_empty();
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)]).areas(inner);
        if let Some((row, earlier)) = &self.detail {
            render_detail(f, body, row, earlier, v);
        } else if self.visible().is_empty() {
            let msg = if self.rows.is_empty() {
                format!("No {} alerts. Alerts open when a rule in config.toml ([[alerts.rules]]) has held for its duration.", self.filter.as_str())
            } else {
                "No alert matches the filter. Esc clears it.".to_string()
            };
            f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).style(t.muted()), body);
        } else {
            self.render_table(f, body, v);
        }
        if show_filter {
            let mut line = self.list.filter.line(t.input(), self.list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let k = |a| v.keymap.key_for(&KEYS, a);
        let hint = format!("Enter evidence  {} acknowledge  {} silence  {} filter  Esc audit log", k("alert_ack"), k("alert_silence"), k("cycle_alert_filter"));
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_table(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let header = Row::new(["ID", "AGE", "SEVERITY", "STATUS", "RULE", "TARGET", "SUMMARY"]).style(t.title());
        let rows: Vec<Row> = self
            .visible()
            .into_iter()
            .map(|r| {
                let a = &r.alert;
                let status = match (a.status(), r.silenced) {
                    ("open", false) => t.fg(t.warn),
                    _ => t.muted(),
                };
                let word = if r.silenced && a.is_open() { format!("{} (silenced)", a.status()) } else { a.status().to_string() };
                Row::new(vec![
                    Cell::from(a.id.to_string()),
                    Cell::from(age(v.now, a.opened)),
                    Cell::from(a.severity.as_str()).style(super::audit::severity_style(a.severity, v)),
                    Cell::from(word).style(status),
                    Cell::from(a.rule.clone()),
                    Cell::from(a.target.clone()),
                    Cell::from(a.summary.clone()),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Min(10),
        ];
        self.list.render_table(f, area, header, rows, &widths, t);
    }
}

fn render_detail(f: &mut Frame, area: Rect, row: &AlertRow, earlier: &[Alert], v: &View) {
    let t = v.theme;
    let a = &row.alert;
    let field = |k: &str, val: String| Line::from(vec![Span::styled(format!("{k:<12}"), t.muted()), Span::raw(val)]);
    let mut lines = vec![
        Line::styled(format!("alert {} · {}", a.id, a.summary), t.title()),
        field("rule", format!("{} ({}) on {}", a.rule, a.kind, a.target)),
        Line::from(vec![Span::styled(format!("{:<12}", "severity"), t.muted()), Span::styled(a.severity.to_string(), super::audit::severity_style(a.severity, v))]),
        field("status", format!("{}{}", a.status(), if row.silenced { " (silenced)" } else { "" })),
        field("opened", format!("{} ago (first seen {} ago)", age(v.now, a.opened), age(v.now, a.first_seen))),
        field("seen", format!("{}, last {} ago", crate::tui::widgets::count(a.count, "time", "times"), age(v.now, a.last_seen))),
    ];
    if let Some(r) = a.resolved {
        lines.push(field("resolved", format!("{} ago", age(v.now, r))));
    }
    if let Some(k) = &a.ack {
        lines.push(field("acked", format!("by {} {} ago: {}", k.by, age(v.now, k.at), k.note)));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Evidence", t.title()));
    if a.evidence.is_empty() {
        lines.push(Line::styled("  none recorded", t.muted()));
    }
    for (k, val) in &a.evidence {
        lines.push(Line::from(format!("  {k:<16} {val}")));
    }
    if !earlier.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Earlier alerts of this rule and target", t.title()));
        for e in earlier {
            lines.push(Line::from(format!("  alert {} opened {} ago, {}", e.id, age(v.now, e.opened), e.status())));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Turn a filled alert form into its command; `None`: not an alert form.
pub fn submit(form: &Form) -> Option<Result<Command, String>> {
    if let Some(AckForm { id }) = form.kind::<AckForm>().copied() {
        let note = form.value(0);
        return Some(if note.is_empty() { Err("a note is required: say what is being done about it".into()) } else { Ok(Command::AlertAck { id, note }) });
    }
    let s = form.kind::<SilenceForm>()?;
    let duration = form.value(0);
    if duration.is_empty() {
        return Some(Err("say for how long: 30m, 2h, 1d".into()));
    }
    let (rule, target) = match form.value(1).as_str() {
        "the whole rule" => (Some(s.rule.clone()), None),
        "the whole target" => (None, Some(s.target.clone())),
        _ => (Some(s.rule.clone()), Some(s.target.clone())),
    };
    let note = Some(form.value(2)).filter(|n| !n.is_empty());
    Some(Ok(Command::AlertSilence { rule, target, duration, note }))
}
