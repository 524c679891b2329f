//! What the audit log and security events answer ([`AuditOutcome`]) and broadcast ([`AuditEvent`]).
//! The engine wraps them in `Outcome::Audit` / `Event::Audit`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::audit::{AuditEntry, AuditPage};
use crate::engine::security::SecurityEvent;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AuditOutcome {
    AuditPage { page: AuditPage },
    AuditCleaned { removed: u64, cutoff: String },
    SecurityEvents { events: Vec<SecurityEvent> },
    SecurityEvent { event: SecurityEvent },
}

impl AuditOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::AuditPage { page } => plural(page.entries.len(), "audit entry", "audit entries"),
            Self::AuditCleaned { removed, cutoff } => {
                format!("removed {} older than {cutoff}", plural(*removed as usize, "audit entry", "audit entries"))
            }
            Self::SecurityEvents { events } => plural(events.len(), "security event", "security events"),
            Self::SecurityEvent { event } => format!("security event #{}", event.id),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuditEvent {
    /// An audit entry was written.
    Audit { entry: AuditEntry },
    SecurityRaised { event: SecurityEvent },
    SecurityUpdated { event: SecurityEvent },
}
