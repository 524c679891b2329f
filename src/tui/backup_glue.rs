//! Backup outcomes and events applied to the Backups pane, and what the pane
//! loads on a refresh. Kept out of `outcomes.rs` so domains merge cleanly.

use crate::engine::{BackupEvent, BackupOutcome};
use crate::engine::views::backup::JobView;
use crate::engine::Command;
use crate::tui::app::{App, Level, Purpose};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::panes::Pane;
use crate::tui::panes::backups::Detail;

impl App {
    /// Load the overview (and, the first time, start schedules and watchers).
    pub fn backups_refresh(&mut self) {
        if !self.backups.watching {
            self.backups.watching = true;
            self.run(Command::BackupWatch {}, Purpose::Refresh);
        } else {
            self.run(Command::BackupOverview {}, Purpose::Refresh);
        }
    }

    pub fn backup_outcome(&mut self, outcome: BackupOutcome, purpose: Purpose) {
        let asked = purpose != Purpose::Refresh;
        if asked {
            self.say(outcome.summary(), Level::Info);
        }
        match outcome {
            BackupOutcome::BackupOverview { overview } => self.backups.set_overview(*overview),
            BackupOutcome::BackupSnapshots { snapshots } => {
                if snapshots.len() > 1 || !asked {
                    self.backups.snapshots = snapshots;
                } else {
                    self.run(Command::BackupSnapshots { file: None }, Purpose::Refresh);
                }
            }
            BackupOutcome::BackupDiff { a, b, diff } => {
                let title = format!("#{a} → {}", b.map(|b| format!("#{b}")).unwrap_or_else(|| "now".into()));
                self.backups.detail = Some(Detail::Diff { title, text: if diff.is_empty() { "no differences".into() } else { diff } });
            }
            BackupOutcome::BackupPreview { preview } => {
                // The password typed for this preview (if any) goes with the confirmation.
                let password = crate::tui::panes::backups_forms::take_restore_password(&mut self.backups, preview.backup);
                let mut c = Command::BackupRestore { id: preview.backup, file: None, target: None, only: None, password, confirmed: Some(true) };
                if preview.backup.is_none() {
                    c = Command::BackupOverview {};
                }
                let message = format!(
                    "Restore {} into {}: {} added, {} changed, {} removed. A pre-restore backup is taken first; a failed check rolls back.",
                    preview.source,
                    preview.target,
                    preview.added.len(),
                    preview.changed.len(),
                    preview.removed.len()
                );
                self.backups.detail = Some(Detail::Preview(preview));
                self.overlay = Some(crate::tui::app::Overlay::Confirm(Confirm { title: "Restore".into(), message, on_yes: OnYes::Run(Box::new(c)) }));
            }
            BackupOutcome::BackupRestored { preview, .. } => {
                self.backups.detail = Some(Detail::Preview(preview));
                self.refresh.backups = true;
            }
            BackupOutcome::BackupSources { .. }
            | BackupOutcome::BackupCreated { .. }
            | BackupOutcome::BackupCatalog { .. }
            | BackupOutcome::BackupVerified { .. }
            | BackupOutcome::BackupForgot { .. }
            | BackupOutcome::BackupSchedules { .. }
            | BackupOutcome::BackupRepos { .. }
            | BackupOutcome::BackupJobs { .. }
            | BackupOutcome::BackupExported { .. } => self.refresh.backups = true,
        }
        if purpose == Purpose::Palette {
            self.go(true, Pane::Backups);
        }
    }

    pub fn backup_event(&mut self, event: BackupEvent) {
        match event {
            BackupEvent::BackupProgress { job, kind, source, done, total } => self.backups.on_progress(JobView { id: job, kind, source, done, total }),
            BackupEvent::BackupFinished { entry } => {
                self.backups.finished(&entry.source);
                self.refresh.backups = true;
            }
            BackupEvent::BackupScheduleMissed { schedule, count, .. } => {
                self.say(format!("backup schedule {schedule}: {count} run(s) missed while homedeck was not running"), Level::Warn);
            }
            BackupEvent::BackupScheduleRan { schedule, ok, message } => {
                if !ok {
                    self.say(format!("backup schedule {schedule} failed: {message}"), Level::Error);
                }
                self.refresh.backups = true;
            }
            BackupEvent::BackupSnapshotTaken { .. } if self.backups.tab == crate::tui::panes::backups::Tab::Snapshots => {
                self.run(Command::BackupSnapshots { file: None }, Purpose::Refresh);
            }
            BackupEvent::BackupSnapshotTaken { .. } => {}
        }
    }
}
