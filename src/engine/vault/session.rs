//! The unlocked state: the data key in memory, and when it was last used.
//! The key never leaves this module except as a short-lived copy handed to a
//! handler that seals or opens one secret.

use crate::engine::VaultEvent;
use super::VAULT;
use super::crypto::Key;
use super::header::HEADER_KEY;
use crate::engine::actor::Actor;
use crate::engine::audit::{self, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::{Event, LockReason};
use crate::engine::{Inner, command};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct VaultSession {
    key: Option<Key>,
    last_used: Option<Instant>,
    /// Fingerprints of the values opened this session, kept across a lock
    /// so a locked engine can still scrub them (`scrub.rs`).
    seen: Option<super::scrub::Fingerprints>,
}

impl VaultSession {
    pub fn is_unlocked(&self) -> bool {
        self.key.is_some()
    }

    fn idle_expired(&self, idle: Duration) -> bool {
        self.key.is_some() && self.last_used.is_some_and(|t| t.elapsed() >= idle)
    }

    pub fn set(&mut self, key: Key) {
        self.key = Some(key);
        self.last_used = Some(Instant::now());
    }

    /// Forget the key (it is zeroized on drop). Returns whether it was unlocked.
    pub fn clear(&mut self) -> bool {
        self.last_used = None;
        self.key.take().is_some()
    }

    pub fn locks_in(&self, idle: Duration) -> Option<u64> {
        self.key.as_ref()?;
        let used = self.last_used?;
        Some(idle.saturating_sub(used.elapsed()).as_secs())
    }
}

fn idle(inner: &Inner) -> Duration {
    Duration::from_secs(inner.live.get().idle_lock_secs.max(1))
}

/// A copy of the data key for one operation; refreshes the idle timer.
pub(crate) fn data_key(inner: &Inner) -> EngineResult<Key> {
    lock_if_idle(inner);
    let mut session = inner.vault.lock().map_err(|_| EngineError::Other("vault state poisoned".into()))?;
    match session.key.clone() {
        Some(k) => {
            session.last_used = Some(Instant::now());
            Ok(k)
        }
        None if inner.store.tree(VAULT)?.contains_key(HEADER_KEY)? => Err(EngineError::VaultLocked),
        None => Err(EngineError::VaultNotInitialized),
    }
}

/// The data key if the vault is unlocked, without refreshing the idle
/// timer: for scrubbing, which is no use of the vault and must not keep it
/// unlocked.
pub(crate) fn peek_key(inner: &Inner) -> Option<Key> {
    lock_if_idle(inner);
    inner.vault.lock().ok().and_then(|s| s.key.clone())
}

/// Remember a value opened as secret `name` by its fingerprint.
pub(crate) fn note_seen(inner: &Inner, name: &str, value: &str) {
    if let Ok(mut s) = inner.vault.lock() {
        if s.seen.is_none() {
            s.seen = super::scrub::Fingerprints::new();
        }
        if let Some(f) = s.seen.as_mut() {
            f.note(name, value);
        }
    }
}

/// The fingerprints of every value opened this session.
pub(crate) fn fingerprints(inner: &Inner) -> Option<super::scrub::Fingerprints> {
    inner.vault.lock().ok().and_then(|s| s.seen.clone())
}

pub(crate) fn is_unlocked(inner: &Inner) -> bool {
    inner.vault.lock().map(|s| s.is_unlocked()).unwrap_or(false)
}

pub(crate) fn locks_in(inner: &Inner) -> Option<u64> {
    inner.vault.lock().ok().and_then(|s| s.locks_in(idle(inner)))
}

pub(crate) fn unlock_with(inner: &Inner, key: Key) {
    if let Ok(mut s) = inner.vault.lock() {
        s.set(key);
    }
    inner.emit(Event::Vault(VaultEvent::VaultUnlocked));
}

/// Lock now. Returns whether the vault had been unlocked.
pub(crate) fn lock(inner: &Inner, reason: LockReason) -> bool {
    let was = forget_key(inner);
    if was {
        inner.emit(Event::Vault(VaultEvent::VaultLocked { reason }));
    }
    was
}

/// Drop the key; whether there was one.
fn forget_key(inner: &Inner) -> bool {
    inner.vault.lock().map(|mut s| s.clear()).unwrap_or(false)
}

/// Called by the ticker and before every key use: an idle vault locks itself
/// and says so in the audit log.
pub(crate) fn lock_if_idle(inner: &Inner) {
    let expired = inner.vault.lock().map(|s| s.idle_expired(idle(inner))).unwrap_or(false);
    // The entry is written before the event goes out, so whoever reacts to
    // the lock (a console, a test) finds it in the audit log.
    if expired && forget_key(inner) {
        if let Some(spec) = command::spec("vault_lock") {
            let mut draft = AuditDraft::for_command(spec);
            draft.severity = Severity::Info;
            draft.description = format!("vault locked after {} s idle", inner.live.get().idle_lock_secs);
            if let Err(e) = audit::record(inner, &Actor::engine(), spec.name, draft, Status::Success, None) {
                tracing::warn!(error = %e, "could not audit the idle lock");
            }
        }
        inner.emit(Event::Vault(VaultEvent::VaultLocked { reason: LockReason::Idle }));
    }
}
