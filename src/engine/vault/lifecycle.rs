//! Creating, unlocking and re-keying the vault.

use super::VAULT;
use super::crypto::{self, DATA_KEY_AAD, KdfParams};
use super::header::{FAILURES_KEY, HEADER_KEY, UnlockFailures, VaultHeader};
use super::record::validate_passphrase;
use super::types::VaultStatus;
use super::{blocking, session};
use crate::engine::audit::Severity;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::LockReason;
use crate::engine::secret_value::SecretValue;
use crate::engine::security::{self, Raise};
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::collections::BTreeMap;

/// Failures in a row that count as guessing and raise a security event.
const BRUTE_FORCE_THRESHOLD: u32 = 3;

fn header(inner: &Inner) -> EngineResult<Option<VaultHeader>> {
    inner.store.get(&inner.store.tree(VAULT)?, HEADER_KEY)
}

pub(crate) fn status(inner: &Inner) -> EngineResult<VaultStatus> {
    let h = header(inner)?;
    let failures: UnlockFailures = inner.store.get(&inner.store.tree(VAULT)?, FAILURES_KEY)?.unwrap_or_default();
    let now = Utc::now();
    let metas = super::secret_store::all_meta(&inner.store)?;
    Ok(VaultStatus {
        initialized: h.is_some(),
        unlocked: session::is_unlocked(inner),
        secrets: metas.len() as u64,
        created: h.as_ref().map(|h| h.created),
        passphrase_changed: h.as_ref().and_then(|h| h.passphrase_changed),
        idle_lock_secs: inner.live.get().idle_lock_secs,
        locks_in_secs: session::locks_in(inner),
        failed_unlocks: failures.count,
        rotation_due: metas.iter().filter(|m| m.rotation_due(now)).count() as u64,
    })
}

pub(crate) async fn init(inner: &Inner, ctx: &mut Ctx, passphrase: SecretValue) -> EngineResult<Outcome> {
    ctx.resource("vault", None, None);
    if header(inner)?.is_some() {
        return Err(EngineError::VaultAlreadyInitialized);
    }
    validate_passphrase(passphrase.expose().chars().count())?;
    let salt = crypto::random_bytes::<16>()?;
    let data_key = crypto::new_key()?;
    let dk = data_key.clone();
    let wrapped_key = blocking(move || {
        let kek = crypto::derive_kek(passphrase.expose().as_bytes(), &salt, KdfParams::DEFAULT)?;
        crypto::seal(&kek, DATA_KEY_AAD, dk.as_ref())
    })
    .await?;
    let h = VaultHeader {
        created: Utc::now(),
        passphrase_changed: None,
        kdf: KdfParams::DEFAULT,
        salt: crypto::b64_encode(&salt),
        wrapped_key,
    };
    inner.store.put(&inner.store.tree(VAULT)?, HEADER_KEY, &h)?;
    inner.store.flush()?;
    session::unlock_with(inner, data_key);
    ctx.describe("vault created (Argon2id 64 MiB, t=3; AES-256-GCM) and unlocked");
    Ok(Outcome::done("vault created and unlocked"))
}

/// Derive the KEK from `passphrase` and unwrap the data key; `None` if wrong.
async fn try_unwrap(h: &VaultHeader, passphrase: SecretValue) -> EngineResult<Option<crypto::Key>> {
    let salt = crypto::b64_decode(&h.salt)?;
    let kdf = h.kdf;
    let wrapped = h.wrapped_key.clone();
    blocking(move || {
        let kek = crypto::derive_kek(passphrase.expose().as_bytes(), &salt, kdf)?;
        let Some(plain) = crypto::open(&kek, DATA_KEY_AAD, &wrapped)? else { return Ok(None) };
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| EngineError::Corrupt {
            what: "vault header".into(),
            detail: format!("data key is {} bytes, expected 32", plain.len()),
        })?;
        Ok(Some(zeroize::Zeroizing::new(bytes)))
    })
    .await
}

/// Check the back-off, try the passphrase, and keep the failure count.
async fn verify(inner: &Inner, ctx: &mut Ctx, passphrase: SecretValue) -> EngineResult<crypto::Key> {
    let h = header(inner)?.ok_or(EngineError::VaultNotInitialized)?;
    let mut failures: UnlockFailures = inner.store.get(&inner.store.tree(VAULT)?, FAILURES_KEY)?.unwrap_or_default();
    let wait = failures.wait_secs(Utc::now());
    if wait > 0 {
        return Err(EngineError::UnlockBackoff { failures: failures.count, retry_in_secs: wait });
    }
    if let Some(key) = try_unwrap(&h, passphrase).await? {
        if failures.count > 0 {
            ctx.change("failed_unlocks", Some(failures.count.to_string()), Some("0".into()));
            inner.store.tree(VAULT)?.remove(FAILURES_KEY)?;
        }
        return Ok(key);
    }
    failures.count += 1;
    failures.last = Some(Utc::now());
    inner.store.put(&inner.store.tree(VAULT)?, FAILURES_KEY, &failures)?;
    inner.store.flush()?;
    ctx.severity(if failures.count >= BRUTE_FORCE_THRESHOLD { Severity::High } else { Severity::Low });
    if failures.count.is_multiple_of(BRUTE_FORCE_THRESHOLD) {
        let mut evidence = BTreeMap::new();
        evidence.insert("failed_attempts".into(), failures.count.to_string());
        evidence.insert("last_actor".into(), ctx.actor.to_string());
        security::raise(
            inner,
            Raise {
                severity: Severity::High,
                kind: "unlock_brute_force",
                title: format!("{} failed vault unlocks in a row", failures.count),
                description: "Someone keeps trying wrong vault passphrases. If it was not you, the data dir may be in other hands.".into(),
                evidence,
            },
        )?;
    }
    Err(EngineError::WrongPassphrase { failures: failures.count, retry_in_secs: failures.backoff_secs() })
}

pub(crate) async fn unlock(inner: &Inner, ctx: &mut Ctx, passphrase: SecretValue) -> EngineResult<Outcome> {
    ctx.resource("vault", None, None);
    if session::is_unlocked(inner) {
        // Still check the passphrase: "unlock" must never succeed on a wrong one.
        verify(inner, ctx, passphrase).await?;
        ctx.describe("vault unlock (already unlocked)");
        return Ok(Outcome::done("vault is already unlocked"));
    }
    let key = verify(inner, ctx, passphrase).await?;
    session::unlock_with(inner, key);
    ctx.describe("vault unlocked");
    Ok(Outcome::done(format!("vault unlocked; it locks after {} s idle", inner.live.get().idle_lock_secs)))
}

pub(crate) async fn change_passphrase(
    inner: &Inner,
    ctx: &mut Ctx,
    current: SecretValue,
    new: SecretValue,
) -> EngineResult<Outcome> {
    ctx.resource("vault", None, None);
    validate_passphrase(new.expose().chars().count())?;
    let key = verify(inner, ctx, current).await?;
    let mut h = header(inner)?.ok_or(EngineError::VaultNotInitialized)?;
    let salt = crypto::random_bytes::<16>()?;
    let dk = key.clone();
    h.wrapped_key = blocking(move || {
        let kek = crypto::derive_kek(new.expose().as_bytes(), &salt, KdfParams::DEFAULT)?;
        crypto::seal(&kek, DATA_KEY_AAD, dk.as_ref())
    })
    .await?;
    h.salt = crypto::b64_encode(&salt);
    h.kdf = KdfParams::DEFAULT;
    let now = Utc::now();
    ctx.change("passphrase", Some(crate::engine::secret_value::REDACTED.into()), Some(crate::engine::secret_value::REDACTED.into()));
    ctx.change("passphrase_changed", h.passphrase_changed.map(|t| t.to_rfc3339()), Some(now.to_rfc3339()));
    h.passphrase_changed = Some(now);
    inner.store.put(&inner.store.tree(VAULT)?, HEADER_KEY, &h)?;
    inner.store.flush()?;
    // Whoever had it unlocked with the old passphrase must prove the new one.
    session::lock(inner, LockReason::PassphraseChanged);
    ctx.describe("vault passphrase changed; data key re-wrapped");
    Ok(Outcome::done("passphrase changed; the vault is locked — unlock it with the new passphrase"))
}
