//! The daemon's own housekeeping as jobs of the one scheduler: audit
//! retention (`audit_cleanup` with the configured retention) and the
//! secret-rotation check (`secret_rotation_due`, a notice and an audit
//! entry naming them when any are due). Both run as `daemon@scheduler` through `execute`, so they are
//! audited, refused in read-only mode and shown by `daemon status` like any
//! schedule.
//!
//! Only a daemon has them ([`Housekeeping::enabled`]): a console's engine
//! lives while someone looks at it, and two hosts cleaning one log would
//! only be noise. The log file is rotated by size where it is written
//! (`src/log_file.rs`), not here: the engine does not know where front ends
//! log, and a daily job cannot bound a file's size.

use crate::engine::text::plural;
use super::jobs::RunResult;
use super::{Client, Job};
use crate::engine::audit::{Category, Severity};
use crate::engine::error::EngineResult;
use crate::engine::{Command, Inner};
use chrono::{DateTime, Utc};

/// When the housekeeping jobs run (cron, in the host's local zone).
#[derive(Debug, Clone, PartialEq)]
pub struct Housekeeping {
    /// Only `homedeck daemon` turns this on.
    pub enabled: bool,
    /// `[daemon] audit_cleanup` — default daily at 03:30.
    pub audit_cleanup: String,
    /// `[daemon] rotation_check` — default daily at 09:00.
    pub rotation_check: String,
}

impl Default for Housekeeping {
    fn default() -> Self {
        Housekeeping { enabled: false, audit_cleanup: "30 3 * * *".into(), rotation_check: "0 9 * * *".into() }
    }
}

pub const AUDIT_RETENTION: &str = "audit-retention";
pub const ROTATION_CHECK: &str = "secret-rotation";

/// The scheduler's client for the daemon's housekeeping.
pub(crate) struct Daemon;

impl Client for Daemon {
    fn kind(&self) -> &'static str {
        "daemon"
    }

    fn audit(&self) -> (Category, Severity, &'static str) {
        (Category::System, Severity::Low, "housekeeping")
    }

    fn jobs(&self, inner: &Inner) -> EngineResult<Vec<Job>> {
        let h = inner.live.get().housekeeping;
        if !h.enabled {
            return Ok(Vec::new());
        }
        // Runs from before this engine opened are not "missed": a daily
        // cleanup skipped while stopped is just the next one's work.
        let created = *inner.scheduler.opened.get_or_init(Utc::now);
        let tz = super::cron::local_tz();
        let job = |name: &str, cron: String, command: Command, label: &str| Job {
            name: name.to_string(),
            cron,
            tz: tz.clone(),
            enabled: true,
            created,
            command,
            after: Vec::new(),
            label: label.to_string(),
        };
        Ok(vec![
            job(AUDIT_RETENTION, h.audit_cleanup, Command::AuditCleanup { older_than_days: None }, "audit retention"),
            job(ROTATION_CHECK, h.rotation_check, Command::SecretRotationDue {}, "secret rotation check"),
        ])
    }

    fn missed(&self, _inner: &Inner, _name: &str, _runs: &[DateTime<Utc>]) -> EngineResult<()> {
        Ok(())
    }

    fn ran(&self, inner: &Inner, name: &str, _due: DateTime<Utc>, result: &RunResult) -> EngineResult<()> {
        if name == ROTATION_CHECK && matches!(result, RunResult::Ok { .. }) {
            // The run's answer is gone by now; asking again is one scan of
            // the secrets' metadata.
            let due: Vec<String> = match crate::engine::vault::rotation_due(inner)? {
                crate::engine::Outcome::Vault(crate::engine::VaultOutcome::Secrets { secrets }) => secrets.into_iter().map(|m| m.name).collect(),
                _ => Vec::new(),
            };
            if !due.is_empty() {
                let text = format!("{} due for rotation: {}", plural(due.len(), "secret", "secrets"), due.join(", "));
                tracing::info!(%text, "rotation check");
                // The check itself is a read and not audited; what it found
                // is, so the audit log shows who was told and when.
                let draft = crate::engine::context::AuditDraft {
                    category: Category::Secret,
                    severity: Severity::Medium,
                    resource: Some(crate::engine::audit::Resource::new("secret", None, Some(due.join(",")))),
                    description: text.clone(),
                    changes: Vec::new(),
                    action: None,
                    ended: None,
                };
                let actor = crate::engine::Actor::scheduler();
                crate::engine::audit::record(inner, &actor, "secret_rotation_due", draft, crate::engine::audit::Status::Success, None)?;
                inner.emit(crate::engine::Event::General(crate::engine::GeneralEvent::Notice { text }));
            }
        }
        Ok(())
    }
}
