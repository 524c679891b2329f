//! Engine answers and broadcast events, applied to the view state. A
//! structured outcome lands in the pane it belongs to, whoever asked for it:
//! an `audit_search` typed in the palette fills the Audit pane.

use crate::engine::{AuditEvent, AuditOutcome, GeneralEvent, GeneralOutcome, SchedulerEvent, VaultEvent, VaultOutcome};
use crate::engine::{EngineError, Event, LockReason, Outcome};
use crate::tui::app::{App, Done, Level, Overlay, Purpose};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::panes::Pane;
use crate::tui::panes::secrets::Reveal;

impl App {
    pub fn on_done(&mut self, done: Done) {
        self.inflight = self.inflight.saturating_sub(1);
        self.dirty = true;
        let asked = matches!(done.purpose, Purpose::Action | Purpose::Palette);
        if done.purpose == Purpose::Action
            && self.retry.as_ref().is_some_and(|(n, _)| *n == done.name)
            && let (Some((_, mut form)), Err(e)) = (self.retry.take(), &done.result)
            && self.overlay.is_none()
        {
            form.error = Some(e.to_string());
            self.overlay = Some(Overlay::Form(form));
        }
        match done.result {
            Err(EngineError::ConfirmationRequired { what, reason }) if done.confirmed.is_some() && self.overlay.is_none() => {
                if let Some(command) = done.confirmed {
                    let message = format!("{what}: {reason}. Go ahead?");
                    self.overlay = Some(Overlay::Confirm(Confirm { title: "Confirm".into(), message, on_yes: OnYes::Run(Box::new(command)) }));
                }
            }
            Err(e) => self.on_error(done.name, done.purpose, e),
            Ok(outcome) => {
                if asked {
                    self.say(outcome.summary(), Level::Info);
                    // Whatever it was may have changed the vault or a secret.
                    self.refresh.vault = true;
                    self.refresh.secrets = true;
                }
                self.apply_outcome(outcome, done.purpose);
            }
        }
        self.flush_refresh();
    }

    fn on_error(&mut self, name: &str, purpose: Purpose, e: EngineError) {
        match purpose {
            // A locked or missing vault is shown by the Secrets pane itself.
            Purpose::Refresh if matches!(e, EngineError::VaultLocked | EngineError::VaultNotInitialized) => {}
            Purpose::Audit { generation, .. } if generation != self.audit.generation => {}
            Purpose::Audit { .. } => {
                self.audit.loading_more = false;
                self.say(format!("audit_search: {e}"), Level::Error);
            }
            _ => {
                self.deploy_error(name, &e);
                self.say(format!("{name}: {e}"), Level::Error);
                // A failed unlock changes the failure count the pane shows.
                self.refresh.vault = true;
            }
        }
    }

    /// One arm per domain; each domain's function matches its own enum.
    fn apply_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            Outcome::General(GeneralOutcome::Done { .. }) => {}
            Outcome::Vault(o) => self.vault_outcome(o, purpose),
            Outcome::Audit(o) => self.audit_outcome(o, purpose),
            Outcome::Servers(o) => self.server_outcome(o, from_palette),
            Outcome::Esphome(o) => self.esphome_outcome(o, purpose),
            Outcome::Lights(o) => self.lights_outcome(o, purpose),
            Outcome::Scheduler(o) => self.say(o.summary(), Level::Info),
            Outcome::Backup(o) => self.backup_outcome(o, purpose),
            Outcome::Deploy(o) => self.deploy_outcome(o, purpose),
            Outcome::Ha(o) => self.ha_outcome(o, purpose),
        }
    }

    fn vault_outcome(&mut self, outcome: VaultOutcome, purpose: Purpose) {
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            VaultOutcome::VaultStatus { status } => {
                self.secrets.set_status(status, self.clock.instant());
                self.go(from_palette, Pane::Secrets);
            }
            VaultOutcome::Secrets { secrets } => {
                self.secrets.set_rows(secrets);
                self.go(from_palette, Pane::Secrets);
            }
            VaultOutcome::Secret { meta, history } => {
                // A background reload only updates a detail that is still open.
                let still_open = self.secrets.detail.as_ref().is_some_and(|(m, _)| m.id == meta.id);
                if purpose != Purpose::Refresh || still_open {
                    self.secrets.detail = Some((meta, history));
                }
                self.go(purpose != Purpose::Refresh, Pane::Secrets);
            }
            VaultOutcome::Revealed { name, value } => {
                let until = self.clock.instant() + self.reveal_hide;
                self.secrets.reveal = Some(Reveal { name, value, until });
                self.go(true, Pane::Secrets);
            }
        }
    }

    fn audit_outcome(&mut self, outcome: AuditOutcome, purpose: Purpose) {
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            AuditOutcome::AuditPage { page } => match purpose {
                Purpose::Audit { generation, append } => {
                    if generation == self.audit.generation {
                        self.audit.apply_page(page, append);
                    }
                }
                _ => {
                    // A page asked for elsewhere replaces the pane's own query.
                    self.audit.generation += 1;
                    self.audit.apply_page(page, false);
                    self.audit.security_view = false;
                    self.go(from_palette, Pane::Audit);
                }
            },
            AuditOutcome::SecurityEvents { events } => {
                self.audit.security.set_events(events);
                if from_palette {
                    self.audit.security_view = true;
                    self.go(true, Pane::Audit);
                }
            }
            AuditOutcome::SecurityEvent { event } => {
                let id = event.id;
                self.audit.security.upsert(event);
                if from_palette {
                    self.audit.security_view = true;
                    self.audit.security.detail = Some(id);
                    self.go(true, Pane::Audit);
                }
            }
            AuditOutcome::AuditCleaned { .. } => {}
        }
    }

    pub(crate) fn go(&mut self, when: bool, pane: Pane) {
        if when {
            self.pane = pane;
        }
    }

    /// One arm per domain; each domain's function matches its own enum.
    pub fn on_engine_event(&mut self, event: Event) {
        self.dirty = true;
        match event {
            Event::General(GeneralEvent::Notice { text }) => self.say(text, Level::Info),
            Event::Vault(e) => self.vault_event(e),
            Event::Audit(e) => self.audit_event(e),
            Event::Servers(e) => self.server_event(e),
            Event::Esphome(e) => self.esphome_event(e),
            Event::Lights(e) => self.lights_event(e),
            Event::Scheduler(SchedulerEvent::ScheduleWaiting { kind, schedule, message }) => {
                self.say(format!("{kind} schedule {schedule} is waiting for unlock: {message}"), Level::Warn);
            }
            Event::Backup(e) => self.backup_event(e),
            Event::Deploy(e) => self.deploy_event(e),
            Event::Ha(e) => self.ha_event(e),
        }
        self.flush_refresh();
    }

    fn vault_event(&mut self, event: VaultEvent) {
        match event {
            VaultEvent::VaultUnlocked => {
                self.refresh.vault = true;
                self.refresh.secrets = true;
            }
            VaultEvent::VaultLocked { reason } => {
                self.secrets.reveal = None;
                self.refresh.vault = true;
                if reason == LockReason::Idle {
                    self.say("vault locked after being idle", Level::Warn);
                }
            }
            VaultEvent::SecretsChanged => {
                self.refresh.vault = true;
                self.refresh.secrets = true;
            }
        }
    }

    fn audit_event(&mut self, event: AuditEvent) {
        match event {
            AuditEvent::Audit { .. } => self.refresh.audit = true,
            AuditEvent::SecurityRaised { event } => {
                self.say(format!("security event #{}: {}", event.id, event.title), Level::Warn);
                self.audit.security.upsert(event);
                self.refresh.security = true;
            }
            AuditEvent::SecurityUpdated { event } => self.audit.security.upsert(event),
        }
    }
}
