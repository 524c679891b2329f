//! From a `Command` to the module that handles it, with the cross-cutting
//! rules applied once: read-only refusal, audit of every write (success or
//! failure), and a flush before reporting success.

use super::actor::Actor;
use super::audit::{self, Status};
use super::command::Command;
use super::command_table::CommandSpec;
use super::context::{AuditDraft, Ctx};
use super::error::{EngineError, EngineResult};
use super::{Inner, Outcome};

pub async fn execute(
    inner: &Inner,
    command: Command,
    spec: &'static CommandSpec,
    actor: Actor,
    gate: Option<tokio::sync::OwnedMutexGuard<()>>,
) -> EngineResult<Outcome> {
    // A program calling tools (MCP) is audited on every call, reads too.
    let call = super::tools::audit::CallAudit::start(&actor, &command);
    let audited = spec.audited || call.is_some();
    let mut ctx = Ctx { actor, draft: AuditDraft::for_command(spec), gate, cancelled: None };
    let result = if inner.opts.readonly && spec.class.changes_state() {
        ctx.describe(format!("{} refused: read-only mode", spec.name));
        Err(EngineError::ReadOnly { command: spec.name.to_string() })
    } else {
        run(inner, &mut ctx, command).await
    };
    if let Some(call) = call {
        call.finish(&mut ctx.draft);
    }
    if audited {
        let (status, error) = match &result {
            // A job cancelled part-way (the daemon stopping, a Ctrl-C) still
            // answers with what it did; its entry says it was cancelled.
            Ok(_) if ctx.cancelled.is_some() => (Status::Cancelled, ctx.cancelled.take()),
            Ok(_) => ctx.draft.ended.take().unwrap_or((Status::Success, None)),
            Err(e @ EngineError::Cancelled { .. }) => (Status::Cancelled, Some(e.to_string())),
            Err(e) => (Status::Failure, Some(e.to_string())),
        };
        let Ctx { actor, draft, .. } = ctx;
        let action = draft.action.unwrap_or(spec.name);
        if let Err(e) = audit::record(inner, &actor, action, draft, status, error) {
            tracing::error!(error = %e, command = spec.name, "could not write audit entry");
            // An action that cannot be audited must not report success.
            if result.is_ok() {
                return Err(e);
            }
        }
    }
    if audited || spec.class.changes_state() {
        inner.store.flush()?;
    }
    match &result {
        Ok(_) => tracing::info!(command = spec.name, "ok"),
        Err(e) => tracing::info!(command = spec.name, error = %e, "failed"),
    }
    result
}

/// Each command goes to its domain's own `route.rs` (see `domains.rs`).
async fn run(inner: &Inner, ctx: &mut Ctx, command: Command) -> EngineResult<Outcome> {
    super::domains::route_to_domain(inner, ctx, command.route()).await
}
