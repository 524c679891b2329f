//! Secrets the engine uses itself — an SSH private key or password to log in
//! to a server, a device's API key. The value is decrypted in memory for that
//! one use and never handed to a front end; the use is counted and logged in
//! the secret's access history as `use:<purpose>`, so `secret show` tells
//! which server logins read it.

use super::crypto::{self, secret_aad};
use super::secrets::{find, log_access, refuse_revoked_for, save};
use super::session;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use chrono::Utc;

/// Decrypt `name` for an engine-internal `purpose` (e.g. "ssh login nas").
/// Needs the vault unlocked; a revoked secret is refused and raised as a
/// security event like any other read of it.
pub(crate) fn use_secret(inner: &Inner, actor: &Actor, name: &str, purpose: &str) -> EngineResult<SecretValue> {
    let mut rec = find(&inner.store, name)?;
    if let Some(rev) = rec.meta.revoked.clone() {
        return Err(refuse_revoked_for(inner, actor, &rec, &rev));
    }
    let key = session::data_key(inner)?;
    let sealed = rec.sealed.as_ref().ok_or_else(|| EngineError::Corrupt {
        what: "secret".into(),
        detail: format!("{name:?} has no sealed value"),
    })?;
    let plain = crypto::open(&key, &secret_aad(rec.meta.id, rec.meta.version), sealed)?.ok_or_else(|| {
        EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} failed authentication (tampered or corrupted)") }
    })?;
    let value = String::from_utf8(plain.to_vec())
        .map_err(|_| EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} is not UTF-8") })?;
    rec.meta.access_count += 1;
    rec.meta.last_access = Some(Utc::now());
    save(&inner.store, &rec)?;
    log_access(inner, actor, rec.meta.id, &format!("use:{purpose}"), true)?;
    inner.emit(Event::SecretsChanged);
    Ok(SecretValue::new(value))
}

/// Does a secret with this name exist (revoked or not)?
pub(crate) fn exists(inner: &Inner, name: &str) -> EngineResult<bool> {
    Ok(inner.store.secret_names.contains_key(name.as_bytes())?)
}
