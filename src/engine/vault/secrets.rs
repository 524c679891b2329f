//! Secrets: add, list, show, reveal, rotate, set rotation, revoke.
//! Every change needs the vault unlocked — holding the data dir is not the
//! same as knowing the passphrase.

use crate::engine::text::plural;
use crate::engine::{VaultEvent, VaultOutcome};
use super::{SECRET_ACCESS, SECRET_NAMES};
use super::crypto::{self, secret_aad};
use super::record::{SecretRecord, validate_name, validate_value};
use super::secret_store::{access, commit, count_read, find, log_access};
use super::session;
use super::types::{Revocation, SecretAccess, SecretKind, SecretMeta};
use crate::engine::actor::Actor;
use crate::engine::audit::Severity;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::{REDACTED, SecretValue};
use crate::engine::security::{self, Raise};
use crate::engine::store::{codec, keys};
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::collections::BTreeMap;

const HISTORY_SHOWN: usize = 50;

fn resource(ctx: &mut Ctx, meta: &SecretMeta) {
    ctx.resource("secret", Some(meta.id.to_string()), Some(meta.name.clone()));
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Vault(VaultOutcome::Secrets { secrets: super::secret_store::all_meta(&inner.store)? }))
}

pub(crate) fn rotation_due(inner: &Inner) -> EngineResult<Outcome> {
    let now = Utc::now();
    let secrets = super::secret_store::all_meta(&inner.store)?.into_iter().filter(|m| m.rotation_due(now)).collect();
    Ok(Outcome::Vault(VaultOutcome::Secrets { secrets }))
}

pub(crate) fn show(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let rec = find(&inner.store, name)?;
    let mut history = Vec::new();
    for item in inner.store.tree(SECRET_ACCESS)?.scan_prefix(keys::id_key(rec.meta.id)).rev().take(HISTORY_SHOWN) {
        let (_, v) = item?;
        history.push(codec::decode::<SecretAccess>(&v)?);
    }
    Ok(Outcome::Vault(VaultOutcome::Secret { meta: rec.meta, history }))
}

pub(crate) fn add(
    inner: &Inner,
    ctx: &mut Ctx,
    name: String,
    kind: SecretKind,
    value: SecretValue,
    rotation_days: Option<u32>,
    note: Option<String>,
) -> EngineResult<Outcome> {
    ctx.resource("secret", None, Some(name.clone()));
    validate_name(&name)?;
    validate_value(value.len())?;
    if inner.store.tree(SECRET_NAMES)?.contains_key(name.as_bytes())? {
        return Err(EngineError::AlreadyExists { what: "secret".into(), name });
    }
    let key = session::data_key(inner)?;
    let id = inner.store.next_counter("next_secret_id")?;
    let now = Utc::now();
    let meta = SecretMeta {
        id,
        name: name.clone(),
        kind,
        note: note.filter(|n| !n.trim().is_empty()),
        created: now,
        last_rotated: None,
        rotation_days: rotation_days.filter(|d| *d > 0),
        version: 1,
        access_count: 0,
        last_access: None,
        revoked: None,
    };
    let sealed = crypto::seal(&key, &secret_aad(id, 1), value.expose().as_bytes())?;
    // Record, name and history line in one transaction; it re-checks the
    // name, so even a writer outside the gate cannot take it in between.
    commit(&inner.store, &SecretRecord { meta: meta.clone(), sealed: Some(sealed) }, true, &access(&ctx.actor, "create", true))?;
    resource(ctx, &meta);
    ctx.change("value", None, Some(REDACTED.into()));
    ctx.change("kind", None, Some(kind.to_string()));
    if let Some(d) = meta.rotation_days {
        ctx.change("rotation_days", None, Some(d.to_string()));
    }
    ctx.describe(format!("added {kind} secret {name:?}"));
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(Outcome::done(format!("secret {name:?} stored")))
}

/// A read of a revoked secret: refused, recorded, and raised as a security event.
pub(super) fn refuse_revoked(inner: &Inner, ctx: &mut Ctx, rec: &SecretRecord, rev: &Revocation) -> EngineError {
    ctx.severity(Severity::High);
    refuse_revoked_for(inner, &ctx.actor, rec, rev)
}

/// The refusal itself, for engine-internal uses that have no command context.
pub(super) fn refuse_revoked_for(inner: &Inner, actor: &Actor, rec: &SecretRecord, rev: &Revocation) -> EngineError {
    let _ = log_access(&inner.store, rec.meta.id, &access(actor, "denied", false));
    let mut evidence = BTreeMap::new();
    evidence.insert("secret".into(), rec.meta.name.clone());
    evidence.insert("actor".into(), actor.to_string());
    evidence.insert("revoked_at".into(), rev.at.to_rfc3339());
    evidence.insert("revoked_reason".into(), rev.reason.clone());
    if let Err(e) = security::raise(
        inner,
        Raise {
            severity: Severity::High,
            kind: "revoked_secret_access",
            title: format!("revoked secret {:?} was requested", rec.meta.name),
            description: "Something asked for a secret that was revoked. Whatever still uses it must be updated, or the request is hostile.".into(),
            evidence,
        },
    ) {
        tracing::error!(error = %e, "could not raise security event");
    }
    EngineError::Revoked { name: rec.meta.name.clone(), at: rev.at.to_rfc3339(), reason: rev.reason.clone() }
}

/// Decrypt a (not revoked) secret, count the read and log it as `action`.
/// The one place a sealed value is opened, for reveals and engine uses alike.
pub(super) fn read_counted(inner: &Inner, actor: &Actor, rec: &mut SecretRecord, action: &str) -> EngineResult<String> {
    let name = &rec.meta.name;
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
    session::note_seen(inner, name, &value);
    rec.meta.access_count += 1;
    rec.meta.last_access = Some(Utc::now());
    count_read(&inner.store, rec, &access(actor, action, true))?;
    Ok(value)
}

pub(crate) fn reveal(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("secret", None, Some(name.to_string()));
    let mut rec = find(&inner.store, name)?;
    resource(ctx, &rec.meta);
    if let Some(rev) = rec.meta.revoked.clone() {
        return Err(refuse_revoked(inner, ctx, &rec, &rev));
    }
    let value = read_counted(inner, &ctx.actor, &mut rec, "reveal")?;
    ctx.describe(format!("revealed secret {name:?}"));
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(Outcome::Vault(VaultOutcome::Revealed { name: name.to_string(), value: SecretValue::new(value) }))
}

pub(crate) fn rotate(inner: &Inner, ctx: &mut Ctx, name: &str, value: SecretValue) -> EngineResult<Outcome> {
    ctx.resource("secret", None, Some(name.to_string()));
    validate_value(value.len())?;
    let mut rec = find(&inner.store, name)?;
    resource(ctx, &rec.meta);
    if let Some(rev) = rec.meta.revoked.clone() {
        return Err(refuse_revoked(inner, ctx, &rec, &rev));
    }
    let key = session::data_key(inner)?;
    let before = rec.meta.version;
    let now = Utc::now();
    rec.meta.version += 1;
    rec.sealed = Some(crypto::seal(&key, &secret_aad(rec.meta.id, rec.meta.version), value.expose().as_bytes())?);
    ctx.change("value", Some(REDACTED.into()), Some(REDACTED.into()));
    ctx.change("version", Some(before.to_string()), Some(rec.meta.version.to_string()));
    ctx.change("last_rotated", rec.meta.last_rotated.map(|t| t.to_rfc3339()), Some(now.to_rfc3339()));
    rec.meta.last_rotated = Some(now);
    commit(&inner.store, &rec, false, &access(&ctx.actor, "rotate", true))?;
    ctx.describe(format!("rotated secret {name:?} to version {}", rec.meta.version));
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(Outcome::done(format!("secret {name:?} rotated (version {})", rec.meta.version)))
}

pub(crate) fn set_rotation(inner: &Inner, ctx: &mut Ctx, name: &str, days: u32) -> EngineResult<Outcome> {
    ctx.resource("secret", None, Some(name.to_string()));
    let mut rec = find(&inner.store, name)?;
    resource(ctx, &rec.meta);
    if rec.meta.revoked.is_some() {
        return Err(EngineError::invalid("secret", name, "a secret that is not revoked"));
    }
    session::data_key(inner)?;
    if days > 3650 {
        return Err(EngineError::invalid("days", days.to_string(), "0 (off) to 3650"));
    }
    let after = (days > 0).then_some(days);
    ctx.change("rotation_days", rec.meta.rotation_days.map(|d| d.to_string()), after.map(|d| d.to_string()));
    rec.meta.rotation_days = after;
    commit(&inner.store, &rec, false, &access(&ctx.actor, "set_rotation", true))?;
    let msg = match after {
        Some(d) => format!("secret {name:?} now falls due for rotation every {}", plural(d as usize, "day", "days")),
        None => format!("rotation reminders for {name:?} turned off"),
    };
    ctx.describe(msg.clone());
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(Outcome::done(msg))
}

pub(crate) fn revoke(inner: &Inner, ctx: &mut Ctx, name: &str, reason: &str) -> EngineResult<Outcome> {
    ctx.resource("secret", None, Some(name.to_string()));
    let mut rec = find(&inner.store, name)?;
    resource(ctx, &rec.meta);
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 500 {
        return Err(EngineError::invalid("reason", reason, "a short reason (1–500 characters)"));
    }
    if let Some(r) = &rec.meta.revoked {
        return Err(EngineError::invalid("secret", name, &format!("a secret not already revoked (revoked {})", r.at.to_rfc3339())));
    }
    session::data_key(inner)?;
    let now = Utc::now();
    rec.meta.revoked = Some(Revocation { at: now, reason: reason.to_string(), by: ctx.actor.to_string() });
    // Destroy the sealed value: revocation is irreversible, even for the key holder.
    rec.sealed = None;
    commit(&inner.store, &rec, false, &access(&ctx.actor, "revoke", true))?;
    ctx.change("revoked", None, Some(now.to_rfc3339()));
    ctx.change("value", Some(REDACTED.into()), Some("(destroyed)".into()));
    ctx.severity(Severity::Medium);
    ctx.describe(format!("revoked secret {name:?}: {reason}"));
    inner.emit(Event::Vault(VaultEvent::SecretsChanged));
    Ok(Outcome::done(format!("secret {name:?} revoked; its value is destroyed")))
}
