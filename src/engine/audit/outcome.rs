//! What the audit log and security events answer ([`AuditOutcome`]) and broadcast ([`AuditEvent`]).
//! The engine wraps them in `Outcome::Audit` / `Event::Audit`; front ends route
//! the whole group to one renderer that matches every variant.

#[allow(unused_imports)]
use crate::engine::audit::{AuditEntry, AuditPage};
#[allow(unused_imports)]
use crate::engine::secret_value::SecretValue;
#[allow(unused_imports)]
use crate::engine::security::SecurityEvent;
#[allow(unused_imports)]
use crate::engine::servers::health::types::HealthReport;
#[allow(unused_imports)]
use crate::engine::servers::ssh::Stream;
#[allow(unused_imports)]
use crate::engine::servers::tailscale::Status as TailscaleStatus;
#[allow(unused_imports)]
use crate::engine::servers::views::{ExecResult, ImportRow, ServerDetail, ServerView, TestReport, TransferReport};
#[allow(unused_imports)]
use crate::engine::vault::{SecretAccess, SecretMeta, VaultStatus};
#[allow(unused_imports)]
use crate::engine::lights::views as lv;
#[allow(unused_imports)]
use crate::engine::backup::views as bv;
#[allow(unused_imports)]
use crate::engine::deploy::views as dv;
#[allow(unused_imports)]
use crate::engine::ha::views as hv;
#[allow(unused_imports)]
use crate::engine::event::LockReason;
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
            Self::AuditPage { page } => format!("{} audit entr(ies)", page.entries.len()),
            Self::AuditCleaned { removed, cutoff } => {
                format!("removed {removed} audit entr(ies) older than {cutoff}")
            }
            Self::SecurityEvents { events } => format!("{} security event(s)", events.len()),
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
