//! What the overview domain answers ([`OverviewOutcome`]) and broadcasts
//! ([`OverviewEvent`]): one screen's worth of "is everything all right?",
//! built from what the other domains already store and poll.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Servers by their last health state (`unknown`: not polled yet in this
/// engine, or its login needs the locked vault).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerCounts {
    pub up: usize,
    pub degraded: usize,
    pub down: usize,
    pub unknown: usize,
    /// The servers that are degraded or down, with why.
    pub attention: Vec<Attention>,
}

/// One resource that needs a look, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub name: String,
    pub state: String,
    pub why: String,
}

/// Devices of one kind (`esphome`, `wled`, `fpp`) by their last known link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCounts {
    pub kind: String,
    pub online: usize,
    pub offline: usize,
    /// Offline devices with when they were last seen.
    pub offline_names: Vec<Attention>,
}

/// Home Assistant deployments: how many run, and those that do not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentCounts {
    pub running: usize,
    pub total: usize,
    pub attention: Vec<Attention>,
}

/// One backup source: its newest good backup and its next scheduled run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub source: String,
    pub last_backup: Option<DateTime<Utc>>,
    pub last_id: Option<u64>,
    /// The newest backup failed its last verification.
    pub verify_failed: bool,
    /// The source's schedules' soonest next run.
    pub next_run: Option<DateTime<Utc>>,
    /// The last scheduled run failed (its message).
    pub last_run_failed: Option<String>,
}

/// A secret whose rotation is due (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationDue {
    pub name: String,
    pub due: DateTime<Utc>,
}

/// One audit entry worth a look: anything that did not succeed, and
/// anything of medium severity or more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notable {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub status: String,
    pub severity: String,
    pub text: String,
}

/// The whole overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub generated: DateTime<Utc>,
    /// Notable events are those after this time.
    pub since: DateTime<Utc>,
    /// Where `since` came from: `last look`, `asked` or `default (24 hours)`.
    pub since_from: String,
    /// Narrowed to this site: servers, devices, deployments and backup
    /// sources are only those there (by their effective site); secrets,
    /// security events, alerts and the audit entries stay whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub servers: ServerCounts,
    pub devices: Vec<DeviceCounts>,
    pub deployments: DeploymentCounts,
    pub backups: Vec<SourceStatus>,
    pub rotations_due: Vec<RotationDue>,
    /// Security events still open (new or acknowledged, not resolved).
    pub security_open: u64,
    /// Alerts open now, acknowledged or not.
    #[serde(default)]
    pub alerts_open: u64,
    /// Of those, the ones not acknowledged and not silenced: what the
    /// console's status bar counts.
    #[serde(default)]
    pub alerts_attention: u64,
    /// The newest notable audit entries since `since` (at most 20).
    pub notable: Vec<Notable>,
    /// How many notable entries there are since `since` among the newest
    /// ones inspected (see `inspected_all`).
    pub notable_total: usize,
    /// Every entry since `since` was inspected (false: more than the
    /// inspection cap happened; the count is a lower bound).
    pub inspected_all: bool,
}

impl Overview {
    /// The things that want a person: degraded/down servers, offline
    /// devices, deployments not running, failed backups, due rotations,
    /// open security events, alerts nobody has acknowledged.
    pub fn problems(&self) -> usize {
        self.servers.attention.len()
            + self.devices.iter().map(|d| d.offline).sum::<usize>()
            + self.deployments.attention.len()
            + self.backups.iter().filter(|b| b.verify_failed || b.last_run_failed.is_some()).count()
            + self.rotations_due.len()
            + usize::try_from(self.security_open).unwrap_or(usize::MAX)
            + usize::try_from(self.alerts_attention).unwrap_or(usize::MAX)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OverviewOutcome {
    Overview { overview: Box<Overview> },
    /// `overview_seen`: the time the next overview counts from.
    Seen { user: String, time: DateTime<Utc> },
}

impl OverviewOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Overview { overview } => match overview.problems() {
                0 => "everything looks all right".to_string(),
                n => format!("{} need a look", crate::engine::text::plural(n, "thing", "things")),
            },
            Self::Seen { user, time } => format!("overview seen by {user} at {}", time.format("%Y-%m-%d %H:%M:%S UTC")),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OverviewEvent {
    /// A user marked the overview seen (other consoles of that user may
    /// move their "since" mark).
    Seen { user: String, time: DateTime<Utc> },
}
