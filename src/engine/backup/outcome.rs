//! What backups answer ([`BackupOutcome`]) and broadcast ([`BackupEvent`]).
//! The engine wraps them in `Outcome::Backup` / `Event::Backup`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::backup::views as bv;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BackupOutcome {
    BackupOverview { overview: Box<bv::Overview> },
    BackupSources { sources: Vec<bv::SourceView> },
    BackupCreated { entry: crate::engine::backup::model::CatalogEntry },
    BackupCatalog { entries: Vec<crate::engine::backup::model::CatalogEntry> },
    BackupVerified { results: Vec<bv::VerifyResult> },
    BackupPreview { preview: crate::engine::backup::restore::preview::Preview },
    /// `restarted`: the homedeck deployment restarted (and healthy) after it.
    BackupRestored { preview: crate::engine::backup::restore::preview::Preview, pre_restore: Option<u64>, carried: u64, restarted: Option<String> },
    BackupForgot { forget: bv::Forget },
    BackupSchedules { schedules: Vec<bv::ScheduleView> },
    BackupRepos { repos: Vec<crate::engine::backup::model::Repo> },
    BackupJobs { jobs: Vec<crate::engine::backup::jobs::JobView> },
    BackupExported { export: bv::Exported },
    BackupSnapshots { snapshots: Vec<bv::SnapshotMeta> },
    BackupDiff { a: u64, b: Option<u64>, diff: String },
}

impl BackupOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::BackupOverview { overview } => {
                format!("{} source(s), {} backup(s), {} schedule(s)", overview.sources.len(), overview.catalog.len(), overview.schedules.len())
            }
            Self::BackupSources { sources } => format!("{} backup source(s)", sources.len()),
            Self::BackupCreated { entry } => format!(
                "backup #{} of {}: {} file(s), {} bytes{}, verified",
                entry.id,
                entry.source,
                entry.files,
                entry.size,
                if entry.encrypted() { ", encrypted" } else { "" }
            ),
            Self::BackupCatalog { entries } => format!("{} backup(s)", entries.len()),
            Self::BackupVerified { results } => {
                let bad = results.iter().filter(|r| !r.ok).count();
                if bad == 0 { format!("{} backup(s) verified, all good", results.len()) } else { format!("{bad} of {} backup(s) FAILED verification", results.len()) }
            }
            Self::BackupPreview { preview } => format!(
                "restore of {} into {} would add {}, change {}, remove {} file(s); nothing is changed until it is confirmed",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len()
            ),
            Self::BackupRestored { preview, pre_restore, restarted, .. } => format!(
                "restored {} into {} ({} added, {} changed, {} removed){}{}",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len(),
                pre_restore.map(|p| format!("; pre-restore backup #{p}")).unwrap_or_default(),
                restarted.as_ref().map(|d| format!("; deployment {d} restarted and healthy")).unwrap_or_default()
            ),
            Self::BackupForgot { forget } => {
                let gone = forget.decisions.iter().filter(|d| !d.keep()).count();
                format!("{} {gone} of {} backup(s) of {}", if forget.dry_run { "would forget" } else { "forgot" }, forget.decisions.len(), forget.source)
            }
            Self::BackupSchedules { schedules } => format!("{} backup schedule(s)", schedules.len()),
            Self::BackupRepos { repos } => format!("{} remote repositor(ies) (and local)", repos.len()),
            Self::BackupJobs { jobs } => format!("{} running backup job(s)", jobs.len()),
            Self::BackupExported { export } => format!("exported {} record(s) to {}", export.records, export.path),
            Self::BackupSnapshots { snapshots } => format!("{} snapshot(s)", snapshots.len()),
            Self::BackupDiff { diff, .. } => {
                if diff.is_empty() { "no differences".into() } else { format!("{} changed line(s)", diff.lines().filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---")).count()) }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BackupEvent {
    /// A backup, verify or restore job moved on (bytes done of total).
    BackupProgress { job: u64, kind: String, source: String, done: u64, total: u64 },
    /// A backup was written, verified and catalogued.
    BackupFinished { entry: crate::engine::backup::model::CatalogEntry },
    BackupScheduleRan { schedule: String, ok: bool, message: String },
    /// Runs of a backup schedule were missed (homedeck was not running).
    BackupScheduleMissed { schedule: String, count: u64, last: chrono::DateTime<chrono::Utc> },
    /// A watched file changed and was snapshotted.
    BackupSnapshotTaken { snapshot: crate::engine::backup::views::SnapshotMeta },
}
