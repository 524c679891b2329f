//! The MCP verbs, from their own command enum to their handlers (the match
//! is exhaustive, so a new verb does not compile until handled).

use super::tokens::{self, NewToken};
use crate::engine::command::McpCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: McpCommand) -> EngineResult<Outcome> {
    match command {
        McpCommand::McpRefused { tool, reason, arguments } => super::refused::record(ctx, &tool, &reason, arguments),
        McpCommand::TokenCreate { name, class, allow, deny, expires, rate } => tokens::create(
            inner,
            ctx,
            NewToken {
                name: &name,
                class: class.as_deref(),
                allow: allow.as_deref(),
                deny: deny.as_deref(),
                expires: expires.as_deref(),
                rate: rate.as_deref(),
            },
        ),
        McpCommand::TokenList {} => tokens::list(inner),
        McpCommand::TokenShow { name } => tokens::show(inner, &name),
        McpCommand::TokenRevoke { name } => tokens::revoke(inner, ctx, &name),
        McpCommand::TokenRotate { name } => tokens::rotate(inner, ctx, &name),
        McpCommand::McpStatus { since } => super::status::status(inner, since),
        McpCommand::TokenAuthorize { token, tool, peer, dry_run } => {
            let peer = peer.as_deref().unwrap_or("local");
            super::authorize::authorize(inner, ctx, &token, tool.as_deref(), peer, dry_run.unwrap_or(false))
        }
    }
}
