//! Previews of the API token verbs: the token's settings, never a value.

use super::tokens;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::McpCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: McpCommand) -> EngineResult<Preview> {
    use McpCommand::*;
    let p = match command {
        McpRefused { .. } | McpStatus { .. } | TokenList {} | TokenShow { .. } | TokenAuthorize { .. } => Preview::reads(spec),
        TokenCreate { name, class, allow, deny, expires, rate } => {
            if tokens::get(inner, &name).is_ok() {
                return Err(EngineError::AlreadyExists { what: "API token".into(), name });
            }
            let t = format!("token {name}");
            Preview::new(spec, format!("create API token {name} ({}); its value is shown once when it runs", class.as_deref().unwrap_or("default class")))
                .target(t.clone())
                .change(&t, "class", None, class)
                .change(&t, "allow", None, allow)
                .change(&t, "deny", None, deny)
                .change(&t, "expires", None, expires)
                .change(&t, "rate", None, rate)
                .note("undo: token_revoke (dangerous)")
        }
        TokenRevoke { name } => {
            let r = tokens::get(inner, &name)?;
            let t = format!("token {name}");
            Preview::new(spec, format!("revoke API token {name} ({}, used {} times): every later call with it is refused", r.class.as_str(), r.uses))
                .target(t.clone())
                .change(&t, "revoked", None, Some("(now)".into()))
                .note("cannot be undone: create a new token instead")
        }
        TokenRotate { name } => {
            tokens::get(inner, &name)?;
            let t = format!("token {name}");
            Preview::new(spec, format!("give API token {name} a new value (settings kept; the old value stops working)"))
                .target(t.clone())
                .change(&t, "value", Some("[redacted]".into()), Some("[redacted] (shown once)".into()))
                .note("no undo: the old value is not kept")
        }
    };
    Ok(p)
}
