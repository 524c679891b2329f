//! What deployment commands return to front ends (plain data, no I/O).

use super::model::Deployment;
use super::yaml::ConfigProblem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// "3h 12m" for an uptime ("-" when unknown); front ends share it.
pub fn uptime_text(secs: Option<u64>) -> String {
    match secs {
        None => "-".into(),
        Some(s) if s < 60 => format!("{s}s"),
        Some(s) if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        Some(s) if s < 86_400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        Some(s) => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Health as the issue defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// The process runs and HA's web server answers.
    Running,
    /// The process runs, HTTP not yet — within the start grace period.
    Starting,
    /// The process runs but HTTP does not answer past the grace period, or
    /// the API fails.
    Unhealthy,
    Stopped,
    /// The server could not be asked (unreachable, or the vault is locked
    /// so homedeck cannot log in).
    Unknown,
}

impl HealthState {
    pub fn as_str(&self) -> &'static str {
        match self {
            HealthState::Running => "running",
            HealthState::Starting => "starting",
            HealthState::Unhealthy => "unhealthy",
            HealthState::Stopped => "stopped",
            HealthState::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub state: HealthState,
    /// "running (pid 1234)", "stopped", "container exited" …
    pub process: String,
    /// What the supervisor (script, unit, container) says.
    pub supervisor: String,
    /// `/manifest.json`: "ok in 12 ms" or why not.
    pub http: String,
    /// `/api/` with the profile's token: "ok", "token refused", or "no profile".
    pub api: String,
    /// The version HA reports (`.HA_VERSION` / `/api/config`).
    pub version: Option<String>,
    pub uptime_secs: Option<u64>,
    pub restarts: Option<u64>,
    pub checked: DateTime<Utc>,
    /// Why the state is not `running`, for people.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentView {
    pub deployment: Deployment,
    pub health: Option<Health>,
}

/// The result of HA's configuration check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigCheck {
    pub ok: bool,
    pub problems: Vec<ConfigProblem>,
    /// The checker's own output (tail), for the details.
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpgradeReport {
    pub deployment: String,
    pub from: String,
    pub to: String,
    pub upgraded: bool,
    pub rolled_back: bool,
    /// Why the upgrade did not stick (empty on success).
    pub reason: String,
    /// The config snapshot taken before (path on the server).
    pub snapshot: String,
    pub health: Option<Health>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveReport {
    pub deployment: String,
    /// The final config backup on the server, if one was kept.
    pub backup_remote: Option<String>,
    /// The same backup copied into homedeck's data dir.
    pub backup_local: Option<String>,
}

/// A config file as read from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigFile {
    pub deployment: String,
    /// Relative to the config dir.
    pub path: String,
    pub content: String,
    /// Snapshots available for revert.
    pub snapshots: usize,
}
