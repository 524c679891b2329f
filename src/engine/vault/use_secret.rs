//! Handing a secret's value to a protocol inside the engine (an ESPHome
//! API key, an OTA password): like a reveal, it needs the vault unlocked,
//! refuses revoked secrets and is recorded in the secret's access history —
//! but the value goes to the protocol, never to a front end.

use super::crypto::{self, secret_aad};
use super::record::SecretRecord;
use super::session;
use super::types::SecretAccess;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::store::keys;
use crate::engine::Inner;
use chrono::Utc;

/// The value of secret `name`, for `purpose` (recorded as the access action,
/// e.g. `use:esphome_api`).
pub(crate) fn use_secret(inner: &Inner, actor: &Actor, name: &str, purpose: &str) -> EngineResult<SecretValue> {
    let store = &inner.store;
    let id = store.secret_names.get(name.as_bytes())?.ok_or_else(|| EngineError::not_found("secret", name))?;
    let mut rec: SecretRecord = store
        .get(&store.secrets, &id)?
        .ok_or_else(|| EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} is named but missing") })?;
    if let Some(r) = &rec.meta.revoked {
        return Err(EngineError::Revoked { name: name.to_string(), at: r.at.to_rfc3339(), reason: r.reason.clone() });
    }
    let key = session::data_key(inner)?;
    let sealed = rec
        .sealed
        .as_ref()
        .ok_or_else(|| EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} has no sealed value") })?;
    let plain = crypto::open(&key, &secret_aad(rec.meta.id, rec.meta.version), sealed)?.ok_or_else(|| {
        EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} failed authentication (tampered or corrupted)") }
    })?;
    let value = String::from_utf8(plain.to_vec())
        .map_err(|_| EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} is not UTF-8") })?;
    let now = Utc::now();
    rec.meta.access_count += 1;
    rec.meta.last_access = Some(now);
    store.put(&store.secrets, keys::id_key(rec.meta.id), &rec)?;
    let mut akey = keys::id_key(rec.meta.id).to_vec();
    akey.extend_from_slice(&keys::time_key(now, store.next_id()?));
    let access = SecretAccess { at: now, actor: actor.clone(), action: purpose.to_string(), ok: true };
    store.put(&store.secret_access, akey, &access)?;
    inner.emit(Event::SecretsChanged);
    Ok(SecretValue::new(value))
}
