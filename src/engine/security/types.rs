//! Security events and their response workflow.

use crate::engine::audit::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// pending → investigating → resolved | false_positive. A closed event can be
/// reopened (back to investigating) when new evidence turns up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecurityStatus {
    Pending,
    Investigating,
    Resolved,
    FalsePositive,
}

impl SecurityStatus {
    pub const ALL: [SecurityStatus; 4] = [
        SecurityStatus::Pending,
        SecurityStatus::Investigating,
        SecurityStatus::Resolved,
        SecurityStatus::FalsePositive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecurityStatus::Pending => "pending",
            SecurityStatus::Investigating => "investigating",
            SecurityStatus::Resolved => "resolved",
            SecurityStatus::FalsePositive => "false_positive",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, SecurityStatus::Pending | SecurityStatus::Investigating)
    }

    /// May an event move from `self` to `to`? Staying put adds a note.
    pub fn can_move_to(self, to: SecurityStatus) -> bool {
        use SecurityStatus::*;
        match (self, to) {
            (a, b) if a == b => true,
            (Pending, _) => true,
            (Investigating, Resolved | FalsePositive) => true,
            (Resolved | FalsePositive, Investigating) => true,
            _ => false,
        }
    }
}

impl fmt::Display for SecurityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecurityStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SecurityStatus::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            format!("invalid status {s:?} — expected one of pending, investigating, resolved, false_positive")
        })
    }
}

/// A responder's step in the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityNote {
    pub at: DateTime<Utc>,
    pub by: String,
    pub from: SecurityStatus,
    pub to: SecurityStatus,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityEvent {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub severity: Severity,
    /// Stable machine name: revoked_secret_access, unlock_brute_force, host_key_mismatch …
    pub kind: String,
    pub title: String,
    pub description: String,
    pub evidence: BTreeMap<String, String>,
    pub status: SecurityStatus,
    pub responder: Option<String>,
    pub notes: Vec<SecurityNote>,
}

#[cfg(test)]
mod tests {
    use super::SecurityStatus::*;

    #[test]
    fn workflow_transitions() {
        assert!(Pending.can_move_to(Investigating));
        assert!(Pending.can_move_to(FalsePositive));
        assert!(Investigating.can_move_to(Resolved));
        assert!(!Investigating.can_move_to(Pending));
        assert!(!Resolved.can_move_to(FalsePositive));
        assert!(Resolved.can_move_to(Investigating));
    }
}
