//! The Audit pane as a [`Pane`]: what it loads, and the audit domain's
//! answers and broadcasts (log pages, security events, alerts) applied to it. Apart
//! from `audit.rs` so that file stays about keys, paging and drawing.

use super::PaneId;
use super::audit::AuditPane;
use super::pane::{Ctx, Pane, Parts, Submit};
use super::{alerts_view, security_events};
use crate::engine::views::alerts::Transition;
use crate::engine::{AlertsEvent, AlertsOutcome, AuditEvent, AuditOutcome, Command, Event, McpOutcome, Outcome};
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
/// The alerts list and the count the status bar shows.
pub const ALERTS: Parts = 4;
/// The MCP status view (reloaded only while it is in front).
pub const MCP: Parts = 8;

impl Pane for AuditPane {
    fn id(&self) -> PaneId {
        PaneId::Audit
    }

    fn section(&self) -> Option<Section> {
        Some(if self.alerts_view {
            &crate::tui::panes::alerts_view::KEYS
        } else if self.mcp_view {
            &crate::tui::panes::audit::KEYS
        } else if self.security_view { &crate::tui::panes::security_events::KEYS } else { &crate::tui::panes::audit::KEYS })
    }

    fn on_action(&mut self, action: Verb) -> Step {
        AuditPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        AuditPane::render(self, f, area, v)
    }

    fn refresh(&mut self, parts: Parts) -> Vec<Job> {
        let mut jobs = Vec::new();
        if parts & MCP != 0 && self.mcp_view {
            jobs.push(Job { command: self.mcp.query(), purpose: Purpose::Refresh });
        }
        if parts & ALERTS != 0 {
            jobs.push(Job { command: self.alerts.query(), purpose: Purpose::Refresh });
        }
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
        let from_palette = purpose == Purpose::Palette;
        let outcome = match outcome {
            Outcome::Audit(o) => o,
            Outcome::Alerts(o) => return self.on_alerts(o, from_palette, cx),
            Outcome::Mcp(McpOutcome::Status { status }) => {
                self.mcp.status = Some(status);
                self.mcp_view = true;
                self.alerts_view = false;
                return cx.go(from_palette, PaneId::Audit);
            }
            _ => return,
        };
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
        let event = match event {
            Event::Audit(e) => e,
            Event::Alerts(e) => {
                if let AlertsEvent::Changed(c) = &e
                    && matches!(c.transition, Transition::Opened | Transition::Reopened)
                    && !c.silenced
                {
                    cx.say(format!("alert {} opened: {}", c.alert.id, c.alert.summary), Level::Warn);
                }
                cx.refresh.mark(PaneId::Audit, ALERTS);
                return;
            }
            _ => return,
        };
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
        if let Some(r) = alerts_view::submit(form) {
            return r.map(Submit::Run);
        }
        security_events::submit(form).map(Submit::Run)
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        if self.alerts_view {
            return if self.alerts.detail.is_none() { Some(&mut self.alerts.list) } else { None };
        }
        if self.mcp_view {
            return None;
        }
        match (self.security_view, self.security.detail.is_none(), self.detail.is_none()) {
            (true, true, _) => Some(&mut self.security.list),
            (false, _, true) => Some(&mut self.list),
            _ => None,
        }
    }

    fn filter_reloads(&self) -> Parts {
        if self.security_view || self.alerts_view || self.mcp_view { 0 } else { LOG }
    }
}

impl AuditPane {
    /// Bring the alerts view to the front (the `alerts` key, the palette,
    /// the Overview's alerts line) and reload it.
    /// The caller reloads [`ALERTS`].
    pub fn show_alerts(&mut self) {
        self.alerts_view = true;
        self.alerts.detail = None;
    }

    fn on_alerts(&mut self, outcome: AlertsOutcome, from_palette: bool, cx: &mut Ctx) {
        match outcome {
            AlertsOutcome::AlertList { filter, alerts, attention } => {
                if from_palette {
                    self.alerts.filter = filter;
                    self.alerts.detail = None;
                    self.alerts_view = true;
                    cx.go(true, PaneId::Audit);
                }
                self.alerts.set_list(filter, alerts, attention);
            }
            AlertsOutcome::AlertShown { alert, earlier } => {
                self.alerts.detail = Some((alert, earlier));
                self.alerts_view = true;
                cx.go(from_palette, PaneId::Audit);
            }
            AlertsOutcome::AlertAcked { alert } => {
                if let Some((row, _)) = self.alerts.detail.as_mut().filter(|(r, _)| r.alert.id == alert.id) {
                    row.alert = alert;
                }
                cx.refresh.mark(PaneId::Audit, ALERTS);
            }
            AlertsOutcome::AlertSilenced { .. } | AlertsOutcome::AlertUnsilenced { .. } => cx.refresh.mark(PaneId::Audit, ALERTS),
            AlertsOutcome::AlertRules { .. } => {}
        }
    }
}
