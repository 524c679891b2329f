//! Secrets the engine uses itself — an SSH private key or password to log in
//! to a server, a device's API key. The value is decrypted in memory for that
//! one use and never handed to a front end; the use is counted and logged in
//! the secret's access history as `use:<purpose>`, so `secret show` tells
//! which server logins read it.

use crate::engine::VaultEvent;
use super::SECRET_NAMES;
use super::secret_store::find;
use super::secrets::{read_counted, refuse_revoked_for};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::EngineResult;
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;

/// Decrypt `name` for an engine-internal `purpose` (e.g. "ssh login nas").
/// Needs the vault unlocked; a revoked secret is refused and raised as a
/// security event like any other read of it.
pub(crate) fn use_secret(inner: &Inner, actor: &Actor, name: &str, purpose: &str) -> EngineResult<SecretValue> {
    let mut rec = find(&inner.store, name)?;
    if let Some(rev) = rec.meta.revoked.clone() {
        return Err(refuse_revoked_for(inner, actor, &rec, &rev));
    }
    let value = read_counted(inner, actor, &mut rec, &format!("use:{purpose}"))?;
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(SecretValue::new(value))
}

/// Does a secret with this name exist (revoked or not)?
pub(crate) fn exists(inner: &Inner, name: &str) -> EngineResult<bool> {
    Ok(inner.store.tree(SECRET_NAMES)?.contains_key(name.as_bytes())?)
}
