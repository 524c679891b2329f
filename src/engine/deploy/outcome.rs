//! What Home Assistant deployments answer ([`DeployOutcome`]) and broadcast ([`DeployEvent`]).
//! The engine wraps them in `Outcome::Deploy` / `Event::Deploy`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::deploy::views as dv;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeployOutcome {
    Deployments { deployments: Vec<dv::DeploymentView> },
    Deployment { view: Box<dv::DeploymentView> },
    Upgraded { report: Box<dv::UpgradeReport> },
    DeploymentRemoved { report: dv::RemoveReport },
    DeployLogs { deployment: String, lines: Vec<String>, following: bool },
    DeployConfig { file: dv::ConfigFile },
    DeployConfigSaved { deployment: String, path: String, check: Option<dv::ConfigCheck> },
    DeployConfigChecked { deployment: String, check: dv::ConfigCheck },
}

impl DeployOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Deployments { deployments } => plural(deployments.len(), "deployment", "deployments"),
            Self::Deployment { view } => {
                let d = &view.deployment;
                match &view.health {
                    Some(h) => format!("{}: {} (Home Assistant {} on {}:{})", d.name, h.state.as_str(), h.version.as_deref().unwrap_or(&d.version), d.server, d.port),
                    None => format!("{}: {} (Home Assistant {} on {}:{})", d.name, d.status, d.version, d.server, d.port),
                }
            }
            Self::Upgraded { report } => format!("{}: upgraded {} → {}", report.deployment, report.from, report.to),
            Self::DeploymentRemoved { report } => match &report.backup_local {
                Some(b) => format!("deleted {}; final config backup at {b}", report.deployment),
                None => format!("deleted {} (no backup kept)", report.deployment),
            },
            Self::DeployLogs { deployment, lines, following } => {
                if *following { format!("following the log of {deployment}") } else { format!("{deployment}: {}", plural(lines.len(), "log line", "log lines")) }
            }
            Self::DeployConfig { file } => format!("{}: {} ({})", file.deployment, file.path, crate::engine::text::size(file.content.len() as u64)),
            Self::DeployConfigSaved { deployment, path, check } => match check {
                Some(c) if c.ok => format!("{deployment}: saved {path}; config check passed"),
                Some(c) => format!("{deployment}: saved {path}; config check found {}", plural(c.problems.len(), "problem", "problems")),
                None => format!("{deployment}: saved {path}"),
            },
            Self::DeployConfigChecked { deployment, check } => {
                if check.ok { format!("{deployment}: configuration valid") } else { format!("{deployment}: {}", plural(check.problems.len(), "config problem", "config problems")) }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeployEvent {
    /// A deployment was created, changed state or was deleted.
    DeploymentsChanged,
    /// A line of a long deployment step (venv, pip install, health wait).
    DeployProgress { deployment: String, step: String, line: String },
    /// A line of a followed Home Assistant log.
    DeployLog { deployment: String, line: String },
    /// A followed log stopped.
    DeployLogEnded { deployment: String, reason: String },
}
