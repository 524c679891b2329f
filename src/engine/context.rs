//! Per-command context: who is acting, and the audit entry being drafted.
//!
//! Handlers fill in the resource and the changes as they learn them; the
//! dispatcher writes the entry afterwards whether the handler succeeded or
//! failed, so no handler can forget to audit and no error path escapes it.

use super::actor::Actor;
use super::audit::{Category, Change, Resource, Severity};
use super::command_table::CommandSpec;

#[derive(Debug, Clone)]
pub(crate) struct AuditDraft {
    pub category: Category,
    pub severity: Severity,
    pub resource: Option<Resource>,
    pub description: String,
    pub changes: Vec<Change>,
}

impl AuditDraft {
    pub fn for_command(spec: &CommandSpec) -> Self {
        let category = match spec.name.split('_').next().unwrap_or("") {
            "vault" => Category::Vault,
            "secret" => Category::Secret,
            "audit" => Category::Audit,
            "security" => Category::Security,
            "server" | "tailscale" => Category::Server,
            "esphome" => Category::Esphome,
            "wled" | "fpp" | "lights" => Category::Lights,
            "backup" => Category::Backup,
            "deploy" | "ha" => Category::Deploy,
            _ => Category::System,
        };
        let severity = match spec.class {
            super::command_table::Permission::Dangerous => Severity::Medium,
            _ => Severity::Info,
        };
        AuditDraft { category, severity, resource: None, description: String::new(), changes: Vec::new() }
    }
}

pub(crate) struct Ctx {
    pub actor: Actor,
    pub draft: AuditDraft,
    /// The engine's write gate, held while a state-changing command runs.
    #[allow(dead_code)] // held for its Drop; `release_gate` lets it go early
    pub gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Set by a command that was cancelled part-way but still returns what
    /// it did (a remote command run, a bulk OTA): its audit entry is then a
    /// failure with this reason, never a success.
    pub cancelled: Option<String>,
}

impl Ctx {
    /// Let other writers in. Long-running commands (a bulk exec, an OTA, a
    /// backup) call this once their stored state is written, so one slow
    /// device cannot hold every other write for minutes.
    pub fn release_gate(&mut self) {
        self.gate = None;
    }

    pub fn resource(&mut self, kind: &str, id: Option<String>, name: Option<String>) {
        self.draft.resource = Some(Resource::new(kind, id, name));
    }

    pub fn describe(&mut self, text: impl Into<String>) {
        self.draft.description = text.into();
    }

    pub fn change(&mut self, field: &str, before: Option<String>, after: Option<String>) {
        self.draft.changes.push(Change::new(field, before, after));
    }

    /// See [`Ctx::cancelled`].
    pub fn cancelled(&mut self, reason: impl Into<String>) {
        self.cancelled = Some(reason.into());
    }

    pub fn severity(&mut self, s: Severity) {
        self.draft.severity = s;
    }
}
