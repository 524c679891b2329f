//! `mcp_refused`: a tool call the MCP layer did not run is audited under the
//! tool's own action, as a failure whose error says why ("refused: …"), so
//! searching the log for a verb shows the attempts that were turned away.

use crate::engine::audit::Status;
use crate::engine::command::spec;
use crate::engine::context::{AuditDraft, Ctx};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::mcp::outcome::McpOutcome;
use crate::engine::Outcome;

pub(crate) fn record(ctx: &mut Ctx, tool: &str, reason: &str, arguments: Option<String>) -> EngineResult<Outcome> {
    // Unknown names (a client guessing) are recorded under this verb itself.
    let (action, draft) = match spec(tool) {
        Some(s) => (s.name, AuditDraft::for_command(s)),
        None => ("mcp_refused", ctx.draft.clone()),
    };
    if reason.trim().is_empty() {
        return Err(EngineError::Invalid { field: "reason".into(), value: String::new(), expected: "why the call was refused".into() });
    }
    ctx.draft = draft;
    ctx.action(action);
    ctx.resource("tool", None, Some(tool.to_string()));
    ctx.describe(format!("{tool} refused over MCP: {reason}"));
    if let Some(a) = arguments {
        ctx.change("arguments", None, Some(a));
    }
    ctx.ended(Status::Failure, Some(format!("refused: {reason}")));
    Ok(Outcome::Mcp(McpOutcome::Refused { tool: tool.to_string(), reason: reason.to_string() }))
}
