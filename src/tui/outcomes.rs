//! Engine answers and broadcast events, applied to the view state. A
//! structured outcome lands in the pane that owns its domain, whoever asked
//! for it: an `audit_search` typed in the palette fills the Audit pane.
//! [`owner`] is the one place that maps a domain to its pane; each pane
//! matches its own domain enum exhaustively.

use crate::engine::{EngineError, Event, GeneralEvent, Outcome, SchedulerEvent};
use crate::tui::app::{AfterUnlock, App, Done, Level, Overlay, Purpose};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::panes::{PaneId, event_owner, owner};
use crate::tui::panes::pane::ALL_PARTS;
use crate::tui::panes::secrets_domain::VAULT;

/// The unlock dialog, saying what happens once it succeeds.
pub fn unlock_to_carry_on(what: &str) -> crate::tui::form::Form {
    crate::tui::panes::secret_forms::vault_unlock()
        .intro(&format!("The vault is locked. Unlock it and homedeck carries on with {what}."))
}

impl App {
    pub fn on_done(&mut self, done: Done) {
        self.inflight = self.inflight.saturating_sub(1);
        self.dirty = true;
        let asked = matches!(done.purpose, Purpose::Action | Purpose::Palette);
        if done.purpose == Purpose::Action
            && self.retry.as_ref().is_some_and(|(n, _)| *n == done.name)
            && !(matches!(done.result, Err(EngineError::VaultLocked)) && done.again.is_some())
            && let (Some((_, mut form)), Err(e)) = (self.retry.take(), &done.result)
            && self.overlay.is_none()
        {
            form.error = Some(e.to_string());
            form.fault_named(&e.to_string());
            self.overlay = Some(Overlay::Form(form));
        }
        if done.name == "vault_unlock" && done.result.is_ok() {
            // Carry on with what the locked vault held up.
            match self.after_unlock.take() {
                Some(AfterUnlock::Run(c)) => self.run(c, Purpose::Action),
                Some(AfterUnlock::Form(f)) if self.overlay.is_none() => self.overlay = Some(Overlay::Form(f)),
                _ => {}
            }
        }
        match done.result {
            Err(EngineError::VaultLocked) if done.again.is_some() && self.overlay.is_none() => {
                // Offer the unlock instead of a dead end, then carry on.
                if let Some(c) = done.again {
                    let name = c.name();
                    self.after_unlock = Some(AfterUnlock::Run(c));
                    self.retry = None;
                    self.overlay = Some(Overlay::Form(unlock_to_carry_on(name)));
                    self.say(format!("{name}: the vault is locked — unlock it to carry on"), Level::Warn);
                }
            }
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
                    self.refresh.mark(PaneId::Secrets, ALL_PARTS);
                    // A change answered with a plain `Done` (a removal) must
                    // still show in the list in front.
                    if crate::engine::command::spec(done.name).is_some_and(|s| s.class.changes_state()) {
                        self.refresh.mark(self.pane, ALL_PARTS);
                    }
                }
                self.apply_outcome(outcome, done.purpose);
            }
        }
        self.flush_refresh();
    }

    fn on_error(&mut self, name: &str, purpose: Purpose, e: EngineError) {
        let audit = &mut self.panes.audit;
        match purpose {
            // A locked or missing vault is shown by the Secrets pane itself.
            Purpose::Refresh if matches!(e, EngineError::VaultLocked | EngineError::VaultNotInitialized) => {}
            Purpose::Audit { generation, .. } if generation != audit.generation => {}
            Purpose::Audit { .. } => {
                audit.loading_more = false;
                self.say(format!("audit_search: {e}"), Level::Error);
            }
            _ => {
                for id in PaneId::ALL {
                    self.panes.get_mut(id).on_error(name, &e);
                }
                self.say(format!("{name}: {e}"), Level::Error);
                // A failed unlock changes the failure count the pane shows.
                self.refresh.mark(PaneId::Secrets, VAULT);
            }
        }
    }

    /// While the Overview is in front, what happens elsewhere (a health
    /// poll, a device dropping off, a backup ending) reloads it — at most
    /// every two seconds, so a burst of log lines costs one query.
    fn overview_follows(&mut self, event: &Event) {
        const EVERY: std::time::Duration = std::time::Duration::from_secs(2);
        if self.pane != PaneId::Overview || matches!(event, Event::Overview(_)) {
            return;
        }
        let now = self.clock.instant();
        let pane = &mut self.panes.overview;
        if pane.reloaded.is_none_or(|t| now.saturating_duration_since(t) >= EVERY) {
            pane.reloaded = Some(now);
            self.refresh.mark(PaneId::Overview, ALL_PARTS);
        }
    }

    fn apply_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        match (owner(&outcome), outcome) {
            (Some(id), outcome) => {
                let (panes, mut cx) = self.split();
                panes.get_mut(id).on_outcome(outcome, purpose, &mut cx);
            }
            // The scheduler has no pane yet: its status is one line.
            (None, Outcome::Scheduler(o)) => self.say(o.summary(), Level::Info),
            // Sites have no pane: a move shows in every pane's SITE column.
            (None, o @ Outcome::Sites(_)) => {
                self.say(o.summary(), Level::Info);
                crate::tui::site_filter::reload_site_panes(&mut self.refresh);
            }
            // A general `Done` has nothing to show beyond its summary.
            (None, _) => {}
        }
    }

    pub fn on_engine_event(&mut self, event: Event) {
        self.dirty = true;
        self.overview_follows(&event);
        match (event_owner(&event), event) {
            (Some(id), event) => {
                let (panes, mut cx) = self.split();
                panes.get_mut(id).on_event(event, &mut cx);
            }
            (None, Event::General(GeneralEvent::Notice { text })) => self.say(text, Level::Info),
            // A resource moved site (here or from another front end): every
            // pane's SITE column and the site filter may change.
            (None, Event::Sites(_)) => crate::tui::site_filter::reload_site_panes(&mut self.refresh),
            (None, Event::Scheduler(SchedulerEvent::ScheduleWaiting { kind, schedule, message })) => {
                self.say(format!("{kind} schedule {schedule} is waiting for unlock: {message}"), Level::Warn);
                // Its source's NEXT RUN now says so.
                if kind == "backup" {
                    self.refresh.mark(PaneId::Backups, ALL_PARTS);
                }
            }
            (None, _) => {}
        }
        self.flush_refresh();
    }
}
