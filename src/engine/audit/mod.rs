//! The audit log: an append-only record of every action, newest first.
//!
//! Entries live in the `audit` tree under time-ordered keys, so "newest
//! first" is a reverse range scan. A second tree indexes entries by category,
//! so "one category, one week" reads only the keys it needs.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
mod entry;
mod query;
mod retention;
pub mod time_arg;

pub use entry::{AuditEntry, Category, Change, Resource, Severity, Status};
pub use query::{AuditPage, AuditQuery, query};
pub use retention::{cleanup, rebuild_category_index};

use crate::engine::AuditEvent;
use super::Inner;
use super::actor::Actor;
use super::context::AuditDraft;
use super::error::EngineResult;
use super::event::Event;
use super::store::codec::{self, Record};
use super::store::{Store, keys};
use chrono::{DateTime, Utc};
use sled::Transactional;

/// The trees this domain owns.
pub const TREES: [&str; 2] = [LOG, BY_CATEGORY];
/// time key → audit entry (newest last in byte order).
pub const LOG: &str = "audit";
/// category ‖ 0 ‖ time key → empty: the index behind category filters.
pub const BY_CATEGORY: &str = "audit_by_category";

impl Record for AuditEntry {
    const WHAT: &'static str = "audit entry";
}

/// The index key of an entry: category ‖ 0 ‖ time key.
pub(crate) fn index_key(category: Category, time_key: &[u8]) -> Vec<u8> {
    keys::prefixed(category.as_str(), time_key)
}

/// Write one entry and its index key atomically (no flush: the caller
/// flushes once per command).
pub fn append(store: &Store, entry: &AuditEntry) -> EngineResult<()> {
    let key = keys::time_key(entry.time, entry.id);
    let value = codec::encode(entry)?;
    let idx = index_key(entry.category, &key);
    (&store.tree(LOG)?, &store.tree(BY_CATEGORY)?)
        .transaction(|(audit, by_cat)| {
            audit.insert(&key[..], value.as_slice())?;
            by_cat.insert(idx.as_slice(), &[][..])?;
            Ok(())
        })
        .map_err(|e: sled::transaction::TransactionError<()>| {
            super::error::EngineError::Store(format!("cannot append audit entry: {e:?}"))
        })?;
    Ok(())
}

/// Turn a draft into an entry, store it and tell subscribers.
pub(crate) fn record(
    inner: &Inner,
    actor: &Actor,
    action: &str,
    draft: AuditDraft,
    status: Status,
    error: Option<String>,
) -> EngineResult<AuditEntry> {
    let entry = build(inner.store.next_id()?, Utc::now(), actor, action, draft, status, error);
    append(&inner.store, &entry)?;
    inner.emit(Event::Audit(AuditEvent::Audit { entry: entry.clone() }));
    Ok(entry)
}

fn build(
    id: u64,
    time: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    draft: AuditDraft,
    status: Status,
    error: Option<String>,
) -> AuditEntry {
    let mut severity = draft.severity;
    if status == Status::Failure && severity < Severity::Low {
        severity = Severity::Low;
    }
    let description = if draft.description.is_empty() {
        match status {
            Status::Success => action.replace('_', " "),
            Status::Failure => format!("{} failed", action.replace('_', " ")),
            Status::Cancelled => format!("{} cancelled", action.replace('_', " ")),
            Status::Declined => format!("{} declined", action.replace('_', " ")),
        }
    } else {
        draft.description
    };
    AuditEntry {
        id,
        time,
        actor: actor.clone(),
        action: action.to_string(),
        category: draft.category,
        severity,
        status,
        resource: draft.resource,
        description,
        changes: draft.changes,
        error,
    }
}

/// The audit log keeps no runtime state.
pub(crate) type State = ();
