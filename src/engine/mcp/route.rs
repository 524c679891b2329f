//! The MCP verbs, from their own command enum to their handlers (the match
//! is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::McpCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(_inner: &Inner, ctx: &mut Ctx, command: McpCommand) -> EngineResult<Outcome> {
    match command {
        McpCommand::McpRefused { tool, reason, arguments } => super::refused::record(ctx, &tool, &reason, arguments),
    }
}
