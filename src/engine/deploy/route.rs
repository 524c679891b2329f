//! The deployments verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `DeployCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::DeployCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};
use crate::engine::deploy;

/// The file config commands open when no path is given.
const DEFAULT_CONFIG: &str = "configuration.yaml";

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: DeployCommand) -> EngineResult<Outcome> {
    use DeployCommand::*;
    match command {
        DeployList { health } => deploy::control::list(inner, &ctx.actor, health.unwrap_or(false)).await,
        DeployStatus { name } => deploy::control::status(inner, &ctx.actor, &name).await,
        DeployCreate { name, server, version, runtime, port, config_dir, bind, find_links, supervisor, wait, root, python, site } => {
            let req = deploy::lifecycle::CreateRequest {
                name, server, version, runtime, port, config_dir, bind, find_links, supervisor, wait, root, python, site,
            };
            deploy::lifecycle::create(inner, ctx, req).await
        }
        DeployStart { name, wait } => deploy::control::act(inner, ctx, &name, "start", wait.unwrap_or(true)).await,
        DeployStop { name } => deploy::control::act(inner, ctx, &name, "stop", false).await,
        DeployRestart { name, wait } => deploy::control::act(inner, ctx, &name, "restart", wait.unwrap_or(true)).await,
        DeployUpgrade { name, version, health_timeout } => deploy::upgrade::upgrade(inner, ctx, &name, &version, health_timeout).await,
        DeployRemove { name, keep_backup } => deploy::control::remove(inner, ctx, &name, keep_backup.unwrap_or(true)).await,
        DeployCancel { name } => deploy::control::cancel(inner, ctx, &name),
        DeployLogs { name, lines, follow } => deploy::logs::logs(inner, &ctx.actor, &name, lines, follow.unwrap_or(false)).await,
        DeployLogsStop { name } => deploy::logs::stop(inner, &name),
        DeployConfigRead { name, path } => {
            deploy::config::read(inner, &ctx.actor, &name, path.as_deref().unwrap_or(DEFAULT_CONFIG)).await
        }
        DeployConfigWrite { name, path, content, check } => {
            let path = path.unwrap_or_else(|| DEFAULT_CONFIG.into());
            deploy::config::write(inner, ctx, &name, &path, &content, check.unwrap_or(true)).await
        }
        DeployConfigCheck { name } => deploy::config::check(inner, &ctx.actor, &name).await,
        DeployConfigRevert { name, path } => {
            deploy::config::revert(inner, ctx, &name, path.as_deref().unwrap_or(DEFAULT_CONFIG)).await
        }
    }
}
