//! Every call a program makes through a tool is audited, reads included:
//! dispatch asks [`CallAudit::start`] whether the actor is such a program
//! (an MCP client) and, once the command has run, adds the call's arguments
//! (secret values redacted) and its duration to the entry the handler drafted.

use crate::engine::actor::{Actor, Frontend};
use crate::engine::audit::Change;
use crate::engine::command::Command;
use crate::engine::context::AuditDraft;
use crate::engine::secret_value::REDACTED;
use serde_json::Value;
use std::time::Instant;

/// Arguments longer than this are cut in the audit entry (a config file's
/// content is not worth keeping twice).
const MAX_ARGUMENTS: usize = 600;

pub(crate) struct CallAudit {
    arguments: String,
    started: Instant,
}

impl CallAudit {
    /// `Some` when `actor` is a program calling tools (`…@mcp`).
    pub(crate) fn start(actor: &Actor, command: &Command) -> Option<CallAudit> {
        // A recorded refusal carries the refused call's arguments itself.
        // (and a token check is the call's own gate, not a call).
        let own_record = matches!(command, Command::McpRefused { .. } | Command::TokenAuthorize { .. });
        (actor.frontend == Frontend::Mcp && !own_record).then(|| CallAudit { arguments: arguments_text(command), started: Instant::now() })
    }

    /// The arguments and duration, as two changes of the entry.
    pub(crate) fn finish(self, draft: &mut AuditDraft) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        draft.changes.push(Change::new("arguments", None, Some(self.arguments)));
        draft.changes.push(Change::new("duration_ms", None, Some(format!("{ms:.3}"))));
    }
}

/// The command's arguments as compact JSON, secret arguments as `[redacted]`.
pub fn arguments_text(command: &Command) -> String {
    let spec = command.spec();
    let mut v = serde_json::to_value(command).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.remove("command");
        obj.retain(|_, v| !v.is_null());
        for a in spec.args.iter().filter(|a| a.secret()) {
            if let Some(x) = obj.get_mut(a.name) {
                *x = Value::String(REDACTED.into());
            }
        }
    }
    let mut text = v.to_string();
    if text.len() > MAX_ARGUMENTS {
        let mut cut = MAX_ARGUMENTS;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::engine::SecretValue;

    #[test]
    fn secret_arguments_are_redacted_and_long_ones_cut() {
        let canary = "canary-audit-9911";
        let c = Command::BackupCreate { source: "nas".into(), password: Some(SecretValue::new(canary)) };
        let text = arguments_text(&c);
        assert!(!text.contains(canary) && text.contains(REDACTED) && text.contains("nas"), "{text}");
        let c = Command::DeployConfigWrite { name: "ha".into(), path: None, content: "é".repeat(1000), check: None };
        let text = arguments_text(&c);
        assert!(text.chars().count() <= MAX_ARGUMENTS + 1 && text.ends_with('…'), "{}", text.len());
        assert!(!text.contains("null"));
    }

    #[test]
    fn only_mcp_actors_are_audited_this_way() {
        let c = Command::ServerList {};
        assert!(CallAudit::start(&Actor { user: "token:ci".into(), frontend: Frontend::Mcp }, &c).is_some());
        assert!(CallAudit::start(&Actor { user: "me".into(), frontend: Frontend::Cli }, &c).is_none());
        let mut d = AuditDraft::for_command(c.spec());
        CallAudit::start(&Actor { user: "u".into(), frontend: Frontend::Mcp }, &c).unwrap().finish(&mut d);
        assert_eq!(d.changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["arguments", "duration_ms"]);
    }
}
