//! Per-command context: who is acting, and the audit entry being drafted.
//!
//! Handlers fill in the resource and the changes as they learn them; the
//! dispatcher writes the entry afterwards whether the handler succeeded or
//! failed, so no handler can forget to audit and no error path escapes it.

use super::actor::Actor;
use super::audit::{Category, Change, Resource, Severity, Status};
use super::command_table::CommandSpec;

#[derive(Debug, Clone)]
pub(crate) struct AuditDraft {
    pub category: Category,
    pub severity: Severity,
    pub resource: Option<Resource>,
    pub description: String,
    pub changes: Vec<Change>,
    /// The entry's action when it is not the command's name: a restore that
    /// only previewed is `backup_restore_preview`, never a `backup_restore`.
    pub action: Option<&'static str>,
    /// How a command that returned `Ok` really ended, when that was not a
    /// success: a remote command that exited 1 or was cancelled still
    /// answers with its results, but its audit entry must not say success.
    pub ended: Option<(Status, Option<String>)>,
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
        AuditDraft { category, severity, resource: None, description: String::new(), changes: Vec::new(), action: None, ended: None }
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

    /// Record this run under another action name (see `AuditDraft::action`).
    pub fn action(&mut self, name: &'static str) {
        self.draft.action = Some(name);
    }

    /// The command answers `Ok`, but what it did failed, was cancelled or
    /// was declined (see `AuditDraft::ended`).
    pub fn ended(&mut self, status: Status, error: Option<String>) {
        self.draft.ended = Some((status, error));
    }
}
