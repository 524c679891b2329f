//! What a command returns to the front end that ran it, grouped by domain.
//! Each domain declares its own enum beside its handlers
//! (`lights/outcome.rs` …); this file only groups them (see `grouped.rs`).

use super::grouped::grouped;
use serde::{Deserialize, Serialize};

pub use super::audit::outcome::AuditOutcome;
pub use super::backup::outcome::BackupOutcome;
pub use super::deploy::outcome::DeployOutcome;
pub use super::esphome::outcome::EsphomeOutcome;
pub use super::ha::outcome::HaOutcome;
pub use super::lights::outcome::LightsOutcome;
pub use super::scheduler::outcome::SchedulerOutcome;
pub use super::servers::outcome::ServersOutcome;
pub use super::vault::outcome::VaultOutcome;

grouped! {
    /// One command's answer. Every variant is one domain's own enum.
    pub enum Outcome (tag = "outcome", what = "an outcome") {
        General(GeneralOutcome),
        Vault(VaultOutcome),
        Audit(AuditOutcome),
        Servers(ServersOutcome),
        Esphome(EsphomeOutcome),
        Lights(LightsOutcome),
        Scheduler(SchedulerOutcome),
        Backup(BackupOutcome),
        Deploy(DeployOutcome),
        Ha(HaOutcome),
    }
}

/// Answers that belong to no domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GeneralOutcome {
    /// A change went through; the message says what happened, for people.
    Done { message: String },
}

impl Outcome {
    pub fn done(message: impl Into<String>) -> Self {
        Outcome::General(GeneralOutcome::Done { message: message.into() })
    }

    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Outcome::General(GeneralOutcome::Done { message }) => message.clone(),
            Outcome::Vault(o) => o.summary(),
            Outcome::Audit(o) => o.summary(),
            Outcome::Servers(o) => o.summary(),
            Outcome::Esphome(o) => o.summary(),
            Outcome::Lights(o) => o.summary(),
            Outcome::Scheduler(o) => o.summary(),
            Outcome::Backup(o) => o.summary(),
            Outcome::Deploy(o) => o.summary(),
            Outcome::Ha(o) => o.summary(),
        }
    }
}
