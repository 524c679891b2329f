//! What backups answer ([`BackupOutcome`]) and broadcast ([`BackupEvent`]).
//! The engine wraps them in `Outcome::Backup` / `Event::Backup`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
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
                format!("{}, {}, {}", plural(overview.sources.len(), "source", "sources"), plural(overview.catalog.len(), "backup", "backups"), plural(overview.schedules.len(), "schedule", "schedules"))
            }
            Self::BackupSources { sources } => plural(sources.len(), "backup source", "backup sources"),
            Self::BackupCreated { entry } => format!(
                "backup #{} of {}: {}, {}{}, verified",
                entry.id,
                entry.source,
                plural(entry.files as usize, "file", "files"),
                crate::engine::text::size(entry.size),
                if entry.encrypted() { ", encrypted" } else { "" }
            ),
            Self::BackupCatalog { entries } => plural(entries.len(), "backup", "backups"),
            Self::BackupVerified { results } => {
                let bad = results.iter().filter(|r| !r.ok).count();
                if bad == 0 { format!("{} verified, all good", plural(results.len(), "backup", "backups")) } else { format!("{bad} of {} FAILED verification", plural(results.len(), "backup", "backups")) }
            }
            Self::BackupPreview { preview } => format!(
                "restore of {} into {} would add {}, change {}, remove {}; nothing is changed until it is confirmed",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                plural(preview.removed.len(), "file", "files")
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
                format!("{} {gone} of {} of {}", if forget.dry_run { "would forget" } else { "forgot" }, plural(forget.decisions.len(), "backup", "backups"), forget.source)
            }
            Self::BackupSchedules { schedules } => plural(schedules.len(), "backup schedule", "backup schedules"),
            Self::BackupRepos { repos } => format!("{} (and local)", plural(repos.len(), "remote repository", "remote repositories")),
            Self::BackupJobs { jobs } => plural(jobs.len(), "running backup job", "running backup jobs"),
            Self::BackupExported { export } => format!("exported {} to {}", plural(export.records as usize, "record", "records"), export.path),
            Self::BackupSnapshots { snapshots } => plural(snapshots.len(), "snapshot", "snapshots"),
            Self::BackupDiff { diff, .. } => {
                if diff.is_empty() { "no differences".into() } else { plural(diff.lines().filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---")).count(), "changed line", "changed lines") }
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
