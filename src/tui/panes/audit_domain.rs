//! The Audit pane as a [`Pane`]: what it loads, and the audit domain's
//! answers and broadcasts (log pages, security events) applied to it. Apart
//! from `audit.rs` so that file stays about keys, paging and drawing.

use super::PaneId;
use super::audit::AuditPane;
use super::pane::{Ctx, Pane, Parts, Submit};
use super::security_events;
use crate::engine::{AuditEvent, AuditOutcome, Command, Event, Outcome};
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::form::Form;
use crate::tui::keymap::{Section, Verb};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The audit log's first page for the current filters.
pub const LOG: Parts = 1;
/// The security events list.
pub const SECURITY: Parts = 2;

impl Pane for AuditPane {
    fn id(&self) -> PaneId {
        PaneId::Audit
    }

    fn section(&self) -> Option<Section> {
        Some(if self.security_view { &crate::tui::panes::security_events::KEYS } else { &crate::tui::panes::audit::KEYS })
    }

    fn on_action(&mut self, action: Verb) -> Step {
        AuditPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        AuditPane::render(self, f, area, v)
    }

    fn refresh(&mut self, parts: Parts) -> Vec<Job> {
        let mut jobs = Vec::new();
        if parts & SECURITY != 0 {
            let command = Command::SecurityEventList { status: None, limit: Some(500) };
            jobs.push(Job { command, purpose: Purpose::Refresh });
        }
        if parts & LOG != 0
            && let Step::Audit { command, append } = self.requery()
        {
            jobs.push(Job { command, purpose: Purpose::Audit { generation: self.generation, append } });
        }
        jobs
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Audit(outcome) = outcome else { return };
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            AuditOutcome::AuditPage { page } => match purpose {
                Purpose::Audit { generation, append } => {
                    if generation == self.generation {
                        self.apply_page(page, append);
                    }
                }
                _ => {
                    // A page asked for elsewhere replaces the pane's own query.
                    self.generation += 1;
                    self.apply_page(page, false);
                    self.security_view = false;
                    cx.go(from_palette, PaneId::Audit);
                }
            },
            AuditOutcome::SecurityEvents { events } => {
                self.security.set_events(events);
                if from_palette {
                    self.security_view = true;
                    cx.go(true, PaneId::Audit);
                }
            }
            AuditOutcome::SecurityEvent { event } => {
                let id = event.id;
                self.security.upsert(event);
                if from_palette {
                    self.security_view = true;
                    self.security.detail = Some(id);
                    cx.go(true, PaneId::Audit);
                }
            }
            AuditOutcome::AuditCleaned { .. } => {}
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Audit(event) = event else { return };
        match event {
            AuditEvent::Audit { .. } => cx.refresh.mark(PaneId::Audit, LOG),
            AuditEvent::SecurityRaised { event } => {
                cx.say(format!("security event #{}: {}", event.id, event.title), Level::Warn);
                self.security.upsert(event);
                cx.refresh.mark(PaneId::Audit, SECURITY);
            }
            AuditEvent::SecurityUpdated { event } => self.security.upsert(event),
        }
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        security_events::submit(form).map(Submit::Run)
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        match (self.security_view, self.security.detail.is_none(), self.detail.is_none()) {
            (true, true, _) => Some(&mut self.security.list),
            (false, _, true) => Some(&mut self.list),
            _ => None,
        }
    }

    fn filter_reloads(&self) -> Parts {
        if self.security_view { 0 } else { LOG }
    }
}
