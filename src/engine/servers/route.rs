//! The servers verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `ServersCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::ServersCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::ServersOutcome;
use crate::engine::{Inner, Outcome};
use crate::engine::servers::{self, manage::Fields};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: ServersCommand) -> EngineResult<Outcome> {
    use ServersCommand::*;
    match command {
        ServerList {} => servers::manage::list(inner),
        ServerShow { name } => servers::manage::show(inner, &name),
        ServerAdd { name, host, port, user, auth, secret, key, key_passphrase, password, tags, site } => {
            let f = Fields { host: Some(host), port, user, auth, secret, key, key_passphrase, password, tags, site };
            servers::manage::add(inner, ctx, name, f)
        }
        ServerEdit { name, host, port, user, auth, secret, key, key_passphrase, password, tags, site } => {
            let f = Fields { host, port, user, auth, secret, key, key_passphrase, password, tags, site };
            servers::manage::edit(inner, ctx, name, f)
        }
        ServerRemove { name } => servers::manage::remove(inner, ctx, &name),
        ServerTest { name } => servers::trust::test(inner, ctx, &name).await,
        ServerTrust { name, fingerprint } => servers::trust::trust(inner, ctx, &name, fingerprint).await,
        ServerExec { targets, line, shell, confirmed, timeout_secs } => {
            let req = servers::exec::Request {
                targets,
                command: line,
                shell: shell.unwrap_or(false),
                confirmed: confirmed.unwrap_or(false),
                timeout: timeout_secs.filter(|t| *t > 0).map(|t| std::time::Duration::from_secs(u64::from(t))),
            };
            servers::exec::run(inner, ctx, req).await
        }
        ServerExecCancel { run } => servers::exec::cancel(inner, ctx, run),
        ServerHealth { name } => {
            let targets = match name {
                Some(n) => vec![servers::store::get(&inner.store, &n)?],
                None => servers::store::all(&inner.store)?,
            };
            let actor = ctx.actor.clone();
            let reports = servers::health::probe_all(inner, targets, &actor, true).await;
            Ok(Outcome::Servers(ServersOutcome::Health { reports }))
        }
        ServerImportSshConfig { path, dry_run } => servers::ssh_config::import(inner, ctx, path, dry_run.unwrap_or(false)),
        ServerGet { name, remote, local } => servers::transfer::command(inner, ctx, &name, false, &local, &remote).await,
        ServerPut { name, local, remote } => servers::transfer::command(inner, ctx, &name, true, &local, &remote).await,
        TailscaleStatus { server } => servers::tailscale::status(inner, &ctx.actor, server).await,
    }
}
