//! What a command would do, computed from current state without doing it.
//!
//! One answer backs the AI pane's proposal card, `--dry-run` on the CLI and
//! the MCP server's `dry_run: true`, so the three can never disagree about
//! what a command touches. A preview reads the store and may ask a device
//! for its current state (a WLED brightness, the files a restore would
//! change); it never writes to the store, a device or a server, and it is
//! audited only as a read (see [`crate::engine::EngineHandle::preview`]).
//!
//! Where the effect can be reversed, the preview carries the command that
//! undoes it (`inverse`), built from the state read now, so an undo later
//! puts back what was there rather than a guess.

pub(crate) mod audit;
mod card;
mod diff;
mod route;

pub use card::command_line;
pub use diff::unified_diff;
pub(crate) use route::preview;

use super::command::Command;
use super::command_table::{CommandSpec, Permission};
use serde::{Deserialize, Serialize};

/// One field of one target, before and after. `None` means "not there"
/// (a server being added has no `from`; one being removed has no `to`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    pub target: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The engine's answer to "what would this command do?".
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Preview {
    /// The verb's stable name (`wled_set`).
    pub command: String,
    /// Its permission class: how a front end confirms it.
    pub class: Permission,
    /// One line saying what would happen.
    pub summary: String,
    /// Every server, device, deployment, file or record it would touch.
    pub targets: Vec<String>,
    /// Current → new values, one per target and field.
    pub changes: Vec<Change>,
    /// A unified diff, for config and file edits.
    pub diff: Option<String>,
    /// The one command that undoes it, when one command can (read from the
    /// state now). `None` when the effect cannot be undone or needs several.
    pub inverse: Option<Command>,
    /// Every command that together undo it (one per device of a group whose
    /// devices differ now); `inverse` is its only element when there is one.
    #[serde(default)]
    pub inverses: Vec<Command>,
    /// Why the effect cannot be known before it runs, when it cannot.
    pub unavailable: Option<String>,
    /// What else a person should know (a confirmation the command needs,
    /// a restart that follows, why there is no undo).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Preview {
    /// An empty preview of `spec` with its one-line summary.
    pub fn new(spec: &CommandSpec, summary: impl Into<String>) -> Preview {
        Preview {
            command: spec.name.to_string(),
            class: spec.class,
            summary: summary.into(),
            targets: Vec::new(),
            changes: Vec::new(),
            diff: None,
            inverse: None,
            inverses: Vec::new(),
            unavailable: None,
            notes: Vec::new(),
        }
    }

    /// A read: it runs at once and changes nothing.
    pub fn reads(spec: &CommandSpec) -> Preview {
        Preview::new(spec, format!("{}: reads only, changes nothing", spec.name))
    }

    /// A command whose effect cannot be known before it runs.
    pub fn unavailable(spec: &CommandSpec, summary: impl Into<String>, reason: impl Into<String>) -> Preview {
        let mut p = Preview::new(spec, summary);
        p.unavailable = Some(reason.into());
        p
    }

    pub fn target(mut self, target: impl Into<String>) -> Preview {
        self.add_target(target);
        self
    }

    pub fn targets<I: IntoIterator<Item = S>, S: Into<String>>(mut self, targets: I) -> Preview {
        for t in targets {
            self.add_target(t);
        }
        self
    }

    pub fn add_target(&mut self, target: impl Into<String>) {
        let t = target.into();
        if !self.targets.contains(&t) {
            self.targets.push(t);
        }
    }

    pub fn change(mut self, target: &str, field: &str, from: Option<String>, to: Option<String>) -> Preview {
        self.add_change(target, field, from, to);
        self
    }

    pub fn add_change(&mut self, target: &str, field: &str, from: Option<String>, to: Option<String>) {
        self.changes.push(Change { target: target.to_string(), field: field.to_string(), from, to });
    }

    pub fn note(mut self, note: impl Into<String>) -> Preview {
        self.notes.push(note.into());
        self
    }

    pub fn with_diff(mut self, diff: Option<String>) -> Preview {
        self.diff = diff.filter(|d| !d.is_empty());
        self
    }

    /// The one command that undoes this.
    pub fn inverse(self, command: Command) -> Preview {
        self.with_inverses(vec![command])
    }

    /// Several commands undo this together; one of them alone is `inverse`.
    /// A command carrying a secret value is never kept: a preview crosses
    /// the socket, MCP and the AI provider, where no secret may go.
    pub fn with_inverses(mut self, commands: Vec<Command>) -> Preview {
        let (clean, secret): (Vec<Command>, Vec<Command>) = commands.into_iter().partition(|c| !carries_secret(c));
        if !secret.is_empty() {
            self.notes.push("no undo shown: it would carry a secret value".into());
            self.inverse = None;
            self.inverses = Vec::new();
            return self;
        }
        self.inverse = if clean.len() == 1 { clean.first().cloned() } else { None };
        self.inverses = clean;
        self
    }

    /// True for a read verb: nothing to confirm.
    pub fn is_read(&self) -> bool {
        self.class == Permission::Read
    }

    /// The preview as a plain-text card, one line each (no styling: the
    /// console, the CLI and the AI transcript style it themselves).
    pub fn lines(&self) -> Vec<String> {
        card::lines(self)
    }
}

#[cfg(test)]
mod tests;

/// True when a secret argument of `command` has a value.
fn carries_secret(command: &Command) -> bool {
    let v = serde_json::to_value(command).unwrap_or(serde_json::Value::Null);
    command.spec().args.iter().filter(|a| a.secret()).any(|a| v.get(a.name).is_some_and(|x| !x.is_null()))
}

/// A context for running a handler's own dry run (`server_import_ssh_config
/// dry_run=true`, `backup_forget dry_run=true`) inside a preview: its audit
/// draft is dropped, never recorded.
pub(crate) fn scratch_ctx(actor: &crate::engine::actor::Actor, spec: &'static CommandSpec) -> crate::engine::context::Ctx {
    crate::engine::context::Ctx {
        actor: actor.clone(),
        draft: crate::engine::context::AuditDraft::for_command(spec),
        gate: None,
        cancelled: None,
    }
}
