//! Security events inside the Audit pane: the list with workflow status, one
//! event's evidence and response notes, and keys that move an event along
//! pending → investigating → resolved | false_positive, each with a note.

use crate::engine::Command;
use crate::engine::views::audit::{SecurityEvent, SecurityStatus};
use crate::tui::app::{Step, View};
use crate::tui::clock::age;
use crate::tui::form::{Field, Form};
use crate::tui::panes::PaneId;
use crate::tui::keymap::{SectionSpec, Verb, ViewSpec};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use crate::tui::widgets::pane_block;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// The `[security]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "security",
    views: &[
        ViewSpec { name: "toggle_security", desc: "Switch between audit log and security events" },
        ViewSpec { name: "mark_investigating", desc: "Security event → investigating (with a note)" },
        ViewSpec { name: "mark_resolved", desc: "Security event → resolved (with a note)" },
        ViewSpec { name: "mark_false_positive", desc: "Security event → false positive (with a note)" },
    ],
};

/// The note form that moves event `id` to status `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecurityNote {
    pub id: u64,
    pub to: SecurityStatus,
}

#[derive(Default)]
pub struct SecurityView {
    pub events: Vec<SecurityEvent>,
    pub list: ListView,
    /// The id of the event shown in detail.
    pub detail: Option<u64>,
}

impl SecurityView {
    pub fn open_count(&self) -> usize {
        self.events.iter().filter(|e| e.status.is_open()).count()
    }

    pub fn set_events(&mut self, events: Vec<SecurityEvent>) {
        self.events = events;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    /// Replace one event after an update.
    pub fn upsert(&mut self, event: SecurityEvent) {
        match self.events.iter_mut().find(|e| e.id == event.id) {
            Some(e) => *e = event,
            None => self.events.insert(0, event),
        }
    }

    pub fn visible(&self) -> Vec<&SecurityEvent> {
        self.events
            .iter()
            .filter(|e| self.list.matches(&format!("{} {} {} {}", e.id, e.kind, e.title, e.status)))
            .collect()
    }

    fn current(&self) -> Option<&SecurityEvent> {
        match self.detail {
            Some(id) => self.events.iter().find(|e| e.id == id),
            None => self.visible().get(self.list.selected).copied(),
        }
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        if self.detail.is_none() && self.list.navigate(action, self.visible().len()) {
            return Step::Nothing;
        }
        let to = match action.name() {
            "back" if self.detail.is_some() => {
                self.detail = None;
                return Step::Nothing;
            }
            "open" => {
                self.detail = self.current().map(|e| e.id);
                return Step::Nothing;
            }
            "mark_investigating" => SecurityStatus::Investigating,
            "mark_resolved" => SecurityStatus::Resolved,
            "mark_false_positive" => SecurityStatus::FalsePositive,
            _ => return Step::Unhandled,
        };
        let Some(event) = self.current() else { return Step::Status("no security event selected".into()) };
        if !event.status.can_move_to(to) {
            return Step::Status(format!("#{} is {}: it cannot move to {to}", event.id, event.status));
        }
        Step::Form(
            Form::new(
                &format!("#{} → {to}", event.id),
                PaneId::Audit,
                SecurityNote { id: event.id, to },
                vec![Field::text("Note")],
            )
            .intro(&format!("{} ({} → {to}). Say what was found or done.", event.title, event.status)),
        )
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let block = pane_block(format!(" Security events · {} open ", self.open_count()), t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let show_filter = self.list.filtering || !self.list.filter.is_empty();
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)])
                .areas(inner);
        if let Some(e) = self.detail.and_then(|id| self.events.iter().find(|e| e.id == id)) {
            render_detail(f, body, e, v);
        } else if self.visible().is_empty() {
            let msg = if self.events.is_empty() {
                "No security events. They are raised when something needs a person: a revoked secret being read, repeated wrong passphrases."
            } else {
                "No security event matches the filter. Esc clears it."
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
        let k = |a| v.keymap.key_for(&crate::tui::panes::security_events::KEYS, a);
        let hint = format!(
            "Enter evidence  {} investigating  {} resolved  {} false positive  {} audit log",
            k("mark_investigating"),
            k("mark_resolved"),
            k("mark_false_positive"),
            k("toggle_security")
        );
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_table(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let header = Row::new(["ID", "AGE", "SEVERITY", "STATUS", "KIND", "TITLE"]).style(t.title());
        let rows: Vec<Row> = self
            .visible()
            .into_iter()
            .map(|e| {
                let status = if e.status.is_open() { t.fg(t.warn) } else { t.muted() };
                Row::new(vec![
                    Cell::from(format!("#{}", e.id)),
                    Cell::from(age(v.now, e.time)),
                    Cell::from(e.severity.as_str()).style(super::audit::severity_style(e.severity, v)),
                    Cell::from(e.status.as_str()).style(status),
                    Cell::from(e.kind.clone()),
                    Cell::from(e.title.clone()),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(8),
            Constraint::Length(14),
            Constraint::Length(22),
            Constraint::Min(10),
        ];
        self.list.render_table(f, area, header, rows, &widths, t);
    }
}

fn render_detail(f: &mut Frame, area: Rect, e: &SecurityEvent, v: &View) {
    let t = v.theme;
    let field = |k: &str, val: String| Line::from(vec![Span::styled(format!("{k:<12}"), t.muted()), Span::raw(val)]);
    let mut lines = vec![
        Line::styled(format!("#{} {}", e.id, e.title), t.title()),
        field("kind", e.kind.clone()),
        field("raised", format!("{} ago", age(v.now, e.time))),
        Line::from(vec![
            Span::styled(format!("{:<12}", "severity"), t.muted()),
            Span::styled(e.severity.to_string(), super::audit::severity_style(e.severity, v)),
        ]),
        field(
            "status",
            format!("{}{}", e.status, e.responder.as_ref().map(|r| format!(" (by {r})")).unwrap_or_default()),
        ),
        Line::default(),
        Line::from(e.description.clone()),
        Line::default(),
        Line::styled("Evidence", t.title()),
    ];
    for (k, val) in &e.evidence {
        lines.push(Line::from(format!("  {k:<16} {val}")));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Response notes", t.title()));
    if e.notes.is_empty() {
        lines.push(Line::styled("  none yet — respond with the keys below; each step needs a note", t.muted()));
    }
    for n in &e.notes {
        lines.push(Line::from(format!("  {} ago {} {} → {}: {}", age(v.now, n.at), n.by, n.from, n.to, n.note)));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Turn a filled note form into the update command.
pub fn submit(form: &Form) -> Result<Command, String> {
    let Some(SecurityNote { id, to }) = form.kind::<SecurityNote>().copied() else {
        return Err("not a security note form".into());
    };
    let note = form.value(0);
    if note.is_empty() {
        Err("a note is required: say what was found or done".into())
    } else {
        Ok(Command::SecurityEventUpdate { id, status: to, note })
    }
}
