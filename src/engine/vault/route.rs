//! The the vault and its secrets verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `VaultCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::VaultCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::event::LockReason;
use crate::engine::VaultOutcome;
use crate::engine::{Inner, Outcome};
use crate::engine::vault::{self, session};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: VaultCommand) -> EngineResult<Outcome> {
    use VaultCommand::*;
    match command {
        VaultStatus {} => Ok(Outcome::Vault(VaultOutcome::VaultStatus { status: vault::status(inner)? })),
        VaultInit { passphrase } => vault::init(inner, ctx, passphrase).await,
        VaultUnlock { passphrase } => vault::unlock(inner, ctx, passphrase).await,
        VaultLock {} => {
            ctx.resource("vault", None, None);
            let was = session::lock(inner, LockReason::Requested);
            ctx.describe(if was { "vault locked" } else { "vault lock (already locked)" });
            Ok(Outcome::done(if was { "vault locked" } else { "vault was already locked" }))
        }
        VaultChangePassphrase { current, new } => vault::change_passphrase(inner, ctx, current, new).await,
        SecretList {} => vault::list(inner),
        SecretShow { name } => vault::show(inner, &name),
        SecretAdd { name, kind, value, rotation_days, note } => {
            vault::add(inner, ctx, name, kind, value, rotation_days, note)
        }
        SecretReveal { name } => vault::reveal(inner, ctx, &name),
        SecretRotate { name, value } => vault::rotate(inner, ctx, &name, value),
        SecretSetRotation { name, days } => vault::set_rotation(inner, ctx, &name, days),
        SecretRotationDue {} => vault::rotation_due(inner),
        SecretRevoke { name, reason } => vault::revoke(inner, ctx, &name, &reason),
    }
}
