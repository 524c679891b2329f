//! The Secrets pane as a [`Pane`]: what it loads, and the vault domain's
//! answers and broadcasts applied to it. Apart from `secrets.rs` so that
//! file stays about keys and drawing.

use super::pane::{Ctx, Pane, Parts, Submit};
use super::secret_forms;
use super::secrets::{Reveal, SecretsPane};
use super::PaneId;
use crate::engine::{Command, Event, LockReason, Outcome, VaultEvent, VaultOutcome};
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::form::Form;
use crate::tui::keymap::{Section, Verb};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The vault status line (reloaded alone after a failed unlock).
pub const VAULT: Parts = 1;
/// The list of secrets and an open detail.
pub const LIST: Parts = 2;

impl Pane for SecretsPane {
    fn id(&self) -> PaneId {
        PaneId::Secrets
    }

    fn section(&self) -> Option<Section> {
        Some(&crate::tui::panes::secrets::KEYS)
    }

    fn on_action(&mut self, action: Verb) -> Step {
        SecretsPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        SecretsPane::render(self, f, area, v)
    }

    fn refresh(&mut self, parts: Parts) -> Vec<Job> {
        let mut jobs = Vec::new();
        let mut load = |command| jobs.push(Job { command, purpose: Purpose::Refresh });
        if parts & VAULT != 0 {
            load(Command::VaultStatus {});
        }
        if parts & LIST != 0 {
            load(Command::SecretList {});
            // An open detail view shows access history, which the list lacks.
            if let Some((meta, _)) = &self.detail {
                load(Command::SecretShow { name: meta.name.clone() });
            }
        }
        jobs
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Vault(outcome) = outcome else { return };
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            VaultOutcome::VaultStatus { status } => {
                self.set_status(status, cx.clock.instant());
                cx.go(from_palette, PaneId::Secrets);
            }
            VaultOutcome::Secrets { secrets } => {
                self.set_rows(secrets);
                cx.go(from_palette, PaneId::Secrets);
            }
            VaultOutcome::Secret { meta, history } => {
                // A background reload only updates a detail that is still open.
                let still_open = self.detail.as_ref().is_some_and(|(m, _)| m.id == meta.id);
                if purpose != Purpose::Refresh || still_open {
                    self.detail = Some((meta, history));
                }
                cx.go(purpose != Purpose::Refresh, PaneId::Secrets);
            }
            VaultOutcome::Revealed { name, value } => {
                let until = cx.clock.instant() + self.reveal_hide;
                self.reveal = Some(Reveal { name, value, until });
                cx.go(true, PaneId::Secrets);
            }
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Vault(event) = event else { return };
        match event {
            VaultEvent::VaultUnlocked | VaultEvent::SecretsChanged => cx.refresh.mark(PaneId::Secrets, VAULT | LIST),
            VaultEvent::VaultLocked { reason } => {
                self.reveal = None;
                cx.refresh.mark(PaneId::Secrets, VAULT);
                if reason == LockReason::Idle {
                    cx.say("vault locked after being idle", Level::Warn);
                }
            }
        }
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        let names: Vec<&str> = self.rows.iter().map(|m| m.name.as_str()).collect();
        secret_forms::submit(form, &names)
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        self.detail.is_none().then_some(&mut self.list)
    }
}
