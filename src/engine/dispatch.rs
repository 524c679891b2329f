//! From a `Command` to the module that handles it, with the cross-cutting
//! rules applied once: read-only refusal, audit of every write (success or
//! failure), and a flush before reporting success.

use super::actor::Actor;
use super::audit::{self, Status};
use super::command::{Command, Routed};
use super::command_table::CommandSpec;
use super::context::{AuditDraft, Ctx};
use super::error::{EngineError, EngineResult};
use super::{backup, deploy, esphome, ha, lights, scheduler, servers, vault};
use super::{Inner, Outcome};

pub async fn execute(
    inner: &Inner,
    command: Command,
    spec: &'static CommandSpec,
    actor: Actor,
    gate: Option<tokio::sync::OwnedMutexGuard<()>>,
) -> EngineResult<Outcome> {
    let mut ctx = Ctx { actor, draft: AuditDraft::for_command(spec), gate };
    let result = if inner.opts.readonly && spec.class.changes_state() {
        ctx.describe(format!("{} refused: read-only mode", spec.name));
        Err(EngineError::ReadOnly { command: spec.name.to_string() })
    } else {
        run(inner, &mut ctx, command).await
    };
    if spec.audited {
        let (status, error) = match &result {
            Ok(_) => (Status::Success, None),
            Err(e) => (Status::Failure, Some(e.to_string())),
        };
        let Ctx { actor, draft, .. } = ctx;
        if let Err(e) = audit::record(inner, &actor, spec.name, draft, status, error) {
            tracing::error!(error = %e, command = spec.name, "could not write audit entry");
            // An action that cannot be audited must not report success.
            if result.is_ok() {
                return Err(e);
            }
        }
    }
    if spec.audited || spec.class.changes_state() {
        inner.store.flush()?;
    }
    match &result {
        Ok(_) => tracing::info!(command = spec.name, "ok"),
        Err(e) => tracing::info!(command = spec.name, error = %e, "failed"),
    }
    result
}

/// One arm per domain: each domain's `route` matches its own command enum.
async fn run(inner: &Inner, ctx: &mut Ctx, command: Command) -> EngineResult<Outcome> {
    match command.route() {
        Routed::Vault(c) => vault::route::route(inner, ctx, c).await,
        Routed::Audit(c) => audit::route::route(inner, ctx, c).await,
        Routed::Servers(c) => servers::route::route(inner, ctx, c).await,
        Routed::Esphome(c) => esphome::route::route(inner, ctx, c).await,
        Routed::Lights(c) => lights::route::route(inner, ctx, c).await,
        Routed::Scheduler(c) => scheduler::route::route(inner, ctx, c).await,
        Routed::Backup(c) => backup::route::route(inner, ctx, c).await,
        Routed::Deploy(c) => deploy::route::route(inner, ctx, c).await,
        Routed::Ha(c) => ha::route::route(inner, ctx, c).await,
    }
}
