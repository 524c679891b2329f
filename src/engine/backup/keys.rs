//! Where an archive's key material comes from: a password given for this
//! run, or a vault secret (read as `use:backup …` in its access history) —
//! the key itself (`key_secret`), or, for a password-keyed source run with
//! no password (a scheduled run cannot prompt), the secret holding its
//! password (`backup_password_secret`). Either way it goes through Argon2id
//! with the archive's own salt.

use super::archive::header::CHUNK_SIZE;
use super::archive::sealed::derive_key;
use super::archive::{Encryption, KeyRef, hex};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::vault;
use crate::engine::vault::crypto::{KdfParams, Key, random_bytes};

/// The secret the key is derived from. A password given for the run wins
/// over the source's `backup_password_secret`, so an operator can still override it
/// (an archive made before the secret was rotated).
pub(crate) fn material(inner: &Inner, actor: &Actor, key: &KeyRef, password: Option<&SecretValue>, password_secret: Option<&str>, purpose: &str) -> EngineResult<SecretValue> {
    match key {
        KeyRef::Password => match (password, password_secret) {
            (Some(p), _) if !p.is_empty() => Ok(p.clone()),
            (_, Some(name)) => vault::use_secret(inner, actor, name, purpose),
            _ => Err(EngineError::invalid("password", "", "the backup password (this archive is encrypted with a password)")),
        },
        KeyRef::Vault(name) => vault::use_secret(inner, actor, name, purpose),
    }
}

/// Fresh encryption parameters for a new archive.
pub fn new_encryption(key: KeyRef) -> EngineResult<Encryption> {
    Ok(Encryption {
        key,
        kdf: KdfParams::DEFAULT,
        salt: hex(&random_bytes::<16>()?),
        nonce_prefix: hex(&random_bytes::<4>()?),
        chunk_size: CHUNK_SIZE,
    })
}

/// Argon2id off the async workers.
pub async fn derive(material: SecretValue, enc: Encryption) -> EngineResult<Key> {
    tokio::task::spawn_blocking(move || derive_key(material.expose().as_bytes(), &enc))
        .await
        .map_err(|e| EngineError::Other(format!("key derivation task failed: {e}")))?
}
