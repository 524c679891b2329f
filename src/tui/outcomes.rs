//! Engine answers and broadcast events, applied to the view state. A
//! structured outcome lands in the pane it belongs to, whoever asked for it:
//! an `audit_search` typed in the palette fills the Audit pane.

use crate::engine::{EngineError, Event, LockReason, Outcome};
use crate::tui::app::{App, Done, Level, Overlay, Purpose};
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

    fn apply_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        let from_palette = purpose == Purpose::Palette;
        match outcome {
            Outcome::VaultStatus { status } => {
                self.secrets.set_status(status, self.clock.instant());
                self.go(from_palette, Pane::Secrets);
            }
            Outcome::Secrets { secrets } => {
                self.secrets.set_rows(secrets);
                self.go(from_palette, Pane::Secrets);
            }
            Outcome::Secret { meta, history } => {
                // A background reload only updates a detail that is still open.
                let still_open = self.secrets.detail.as_ref().is_some_and(|(m, _)| m.id == meta.id);
                if purpose != Purpose::Refresh || still_open {
                    self.secrets.detail = Some((meta, history));
                }
                self.go(purpose != Purpose::Refresh, Pane::Secrets);
            }
            Outcome::Revealed { name, value } => {
                let until = self.clock.instant() + self.reveal_hide;
                self.secrets.reveal = Some(Reveal { name, value, until });
                self.go(true, Pane::Secrets);
            }
            Outcome::AuditPage { page } => match purpose {
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
            Outcome::SecurityEvents { events } => {
                self.audit.security.set_events(events);
                if from_palette {
                    self.audit.security_view = true;
                    self.go(true, Pane::Audit);
                }
            }
            Outcome::SecurityEvent { event } => {
                let id = event.id;
                self.audit.security.upsert(event);
                if from_palette {
                    self.audit.security_view = true;
                    self.audit.security.detail = Some(id);
                    self.go(true, Pane::Audit);
                }
            }
            Outcome::Done { .. } | Outcome::AuditCleaned { .. } => {}
            // ── servers ──
            o @ (Outcome::Servers { .. }
            | Outcome::Server { .. }
            | Outcome::ServerTested { .. }
            | Outcome::ExecDone { .. }
            | Outcome::Health { .. }
            | Outcome::SshImport { .. }
            | Outcome::Transferred { .. }
            | Outcome::Tailscale { .. }) => self.server_outcome(o, from_palette),
            // ── end servers ──

            // ── esphome ──
            o @ (Outcome::EsphomeDevices { .. }
            | Outcome::EsphomeDiscovered { .. }
            | Outcome::EsphomeInfo { .. }
            | Outcome::EsphomeLogsStarted { .. }
            | Outcome::EsphomeFirmware { .. }
            | Outcome::EsphomeOta { .. }) => self.esphome_outcome(o, purpose),
            // ── end esphome ──

            // ── lights ──
            o @ (Outcome::WledDevices { .. }
            | Outcome::WledDetail { .. }
            | Outcome::WledResults { .. }
            | Outcome::WledPresets { .. }
            | Outcome::WledGroups { .. }
            | Outcome::WledSchedules { .. }
            | Outcome::WledDiscovered { .. }
            | Outcome::FppDiscovered { .. }
            | Outcome::WledExported { .. }
            | Outcome::FppHosts { .. }
            | Outcome::FppStatus { .. }
            | Outcome::FppPlaylists { .. }
            | Outcome::FppSchedule { .. }
            | Outcome::FppSystems { .. }) => self.lights_outcome(o, purpose),
            // ── end lights ──

            // ── backups ──
            o @ (Outcome::BackupOverview { .. }
            | Outcome::BackupSources { .. }
            | Outcome::BackupCreated { .. }
            | Outcome::BackupCatalog { .. }
            | Outcome::BackupVerified { .. }
            | Outcome::BackupPreview { .. }
            | Outcome::BackupRestored { .. }
            | Outcome::BackupForgot { .. }
            | Outcome::BackupSchedules { .. }
            | Outcome::BackupRepos { .. }
            | Outcome::BackupJobs { .. }
            | Outcome::BackupExported { .. }
            | Outcome::BackupSnapshots { .. }
            | Outcome::BackupDiff { .. }) => self.backup_outcome(o, purpose),
            // ── end backups ──

            // ── deployments ──
            o @ (Outcome::Deployments { .. }
            | Outcome::Deployment { .. }
            | Outcome::Upgraded { .. }
            | Outcome::DeploymentRemoved { .. }
            | Outcome::DeployLogs { .. }
            | Outcome::DeployConfig { .. }
            | Outcome::DeployConfigSaved { .. }
            | Outcome::DeployConfigChecked { .. }
            | Outcome::HaProfiles { .. }
            | Outcome::HaTested { .. }
            | Outcome::HaStates { .. }
            | Outcome::HaCalled { .. }) => self.deploy_outcome(o, purpose),
            // ── end deployments ──
        }
    }

    pub(crate) fn go(&mut self, when: bool, pane: Pane) {
        if when {
            self.pane = pane;
        }
    }

    pub fn on_engine_event(&mut self, event: Event) {
        self.dirty = true;
        match event {
            Event::VaultUnlocked => {
                self.refresh.vault = true;
                self.refresh.secrets = true;
            }
            Event::VaultLocked { reason } => {
                self.secrets.reveal = None;
                self.refresh.vault = true;
                if reason == LockReason::Idle {
                    self.say("vault locked after being idle", Level::Warn);
                }
            }
            Event::SecretsChanged => {
                self.refresh.vault = true;
                self.refresh.secrets = true;
            }
            Event::Audit { .. } => self.refresh.audit = true,
            Event::SecurityRaised { event } => {
                self.say(format!("security event #{}: {}", event.id, event.title), Level::Warn);
                self.audit.security.upsert(event);
                self.refresh.security = true;
            }
            Event::SecurityUpdated { event } => self.audit.security.upsert(event),
            Event::Notice { text } => self.say(text, Level::Info),
            // ── servers ──
            e @ (Event::ServersChanged
            | Event::ServerHealth { .. }
            | Event::ExecStarted { .. }
            | Event::ExecOutput { .. }
            | Event::ExecFinished { .. }
            | Event::TransferProgress { .. }) => self.server_event(e),
            // ── end servers ──

            // ── esphome ──
            e @ (Event::EsphomeLogs { .. }
            | Event::EsphomeLink { .. }
            | Event::EsphomeOtaProgress { .. }
            | Event::EsphomeOtaDone { .. }
            | Event::EsphomeDevicesChanged) => self.esphome_event(e),
            // ── end esphome ──

            // ── lights ──
            e @ (Event::WledLive { .. }
            | Event::FppLive { .. }
            | Event::LightsScheduleRan { .. }
            | Event::LightsScheduleMissed { .. }) => self.lights_event(e),
            // ── end lights ──

            // ── backups ──
            e @ (Event::BackupProgress { .. }
            | Event::BackupFinished { .. }
            | Event::BackupScheduleRan { .. }
            | Event::BackupScheduleMissed { .. }
            | Event::BackupSnapshotTaken { .. }) => self.backup_event(e),
            // ── end backups ──

            // ── deployments ──
            e @ (Event::DeploymentsChanged
            | Event::DeployProgress { .. }
            | Event::DeployLog { .. }
            | Event::DeployLogEnded { .. }
            | Event::HaProfilesChanged
            | Event::HaState { .. }
            | Event::HaWatchEnded { .. }) => self.deploy_event(e),
            // ── end deployments ──
        }
        self.flush_refresh();
    }
}
