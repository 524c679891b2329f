//! What backup commands return (plain data for every front end).

use super::jobs::JobView;
use super::model::{BackupSchedule, CatalogEntry, Repo, Source};
use super::retention::Decision;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    pub source: Source,
    pub backups: u64,
    pub last: Option<CatalogEntry>,
    /// Next scheduled run of any schedule for this source.
    pub next_run: Option<DateTime<Utc>>,
    /// A schedule of this source came due while the vault was locked and
    /// runs when someone unlocks it (the scheduler's "waiting for unlock").
    #[serde(default)]
    pub waiting_for_unlock: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub schedule: BackupSchedule,
    pub next_run: Option<DateTime<Utc>>,
    pub next_local: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyResult {
    pub id: u64,
    pub source: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forget {
    pub source: String,
    pub dry_run: bool,
    pub decisions: Vec<Decision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub sources: Vec<SourceView>,
    pub catalog: Vec<CatalogEntry>,
    pub schedules: Vec<ScheduleView>,
    pub repos: Vec<Repo>,
    pub jobs: Vec<JobView>,
    pub watched: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exported {
    pub path: String,
    pub trees: u64,
    pub records: u64,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    pub id: u64,
    pub file: String,
    pub taken: DateTime<Utc>,
    pub size: u64,
    pub sha256: String,
}
