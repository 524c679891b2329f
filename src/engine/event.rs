//! What the engine broadcasts to every subscriber: front ends redraw from
//! these instead of polling. Grouped by domain like `Outcome`; each domain
//! declares its own enum beside its handlers (`lights/outcome.rs` …).

use serde::{Deserialize, Serialize};

pub use super::domains::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Requested,
    Idle,
    PassphraseChanged,
}

/// Broadcasts that belong to no domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GeneralEvent {
    /// Something worth a line in the status bar.
    Notice { text: String },
}
