//! What a command returns to the front end that ran it, grouped by domain.
//! Each domain declares its own enum beside its handlers
//! (`lights/outcome.rs` …); `domains.rs` groups them (see `grouped.rs`).

use serde::{Deserialize, Serialize};

pub use super::domains::Outcome;

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
}
