//! What the engine broadcasts to every subscriber: front ends redraw from
//! these instead of polling. Grouped by domain like `Outcome`; each domain
//! declares its own enum beside its handlers (`lights/outcome.rs` …).

use super::grouped::grouped;
use serde::{Deserialize, Serialize};

pub use super::audit::outcome::AuditEvent;
pub use super::backup::outcome::BackupEvent;
pub use super::deploy::outcome::DeployEvent;
pub use super::esphome::outcome::EsphomeEvent;
pub use super::ha::outcome::HaEvent;
pub use super::lights::outcome::LightsEvent;
pub use super::scheduler::outcome::SchedulerEvent;
pub use super::servers::outcome::ServersEvent;
pub use super::vault::outcome::VaultEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Requested,
    Idle,
    PassphraseChanged,
}

grouped! {
    /// One broadcast. Every variant is one domain's own enum.
    pub enum Event (tag = "type", what = "an event") {
        General(GeneralEvent),
        Vault(VaultEvent),
        Audit(AuditEvent),
        Servers(ServersEvent),
        Esphome(EsphomeEvent),
        Lights(LightsEvent),
        Scheduler(SchedulerEvent),
        Backup(BackupEvent),
        Deploy(DeployEvent),
        Ha(HaEvent),
    }
}

/// Broadcasts that belong to no domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GeneralEvent {
    /// Something worth a line in the status bar.
    Notice { text: String },
}
