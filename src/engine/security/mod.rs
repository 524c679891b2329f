//! Security events: things an operator must look at (a revoked secret being
//! read, passphrase guessing, and later changed SSH host keys), each with a
//! response workflow.

mod types;

pub use types::{SecurityEvent, SecurityNote, SecurityStatus};

use crate::engine::AuditEvent;
use super::Inner;
use super::actor::Actor;
use super::audit::Severity;
use super::error::{EngineError, EngineResult};
use super::event::Event;
use super::store::codec::Record;
use super::store::{Store, keys};
use chrono::Utc;
use std::collections::BTreeMap;

/// The trees this domain owns.
pub const TREES: [&str; 1] = [EVENTS];
/// id → security event.
pub const EVENTS: &str = "security_events";

impl Record for SecurityEvent {
    const WHAT: &'static str = "security event";
}

/// What a module knows when it raises an event.
pub struct Raise<'a> {
    pub severity: Severity,
    pub kind: &'a str,
    pub title: String,
    pub description: String,
    pub evidence: BTreeMap<String, String>,
}

/// Store a new pending event, flush it, and broadcast it.
pub(crate) fn raise(inner: &Inner, r: Raise<'_>) -> EngineResult<SecurityEvent> {
    let event = SecurityEvent {
        id: inner.store.next_counter("next_security_event_id")?,
        time: Utc::now(),
        severity: r.severity,
        kind: r.kind.to_string(),
        title: r.title,
        description: r.description,
        evidence: r.evidence,
        status: SecurityStatus::Pending,
        responder: None,
        notes: Vec::new(),
    };
    inner.store.put(&inner.store.tree(EVENTS)?, keys::id_key(event.id), &event)?;
    inner.store.flush()?;
    tracing::warn!(id = event.id, kind = %event.kind, "security event raised");
    inner.emit(Event::Audit(AuditEvent::SecurityRaised { event: event.clone() }));
    Ok(event)
}

pub fn list(store: &Store, status: Option<SecurityStatus>, limit: usize) -> EngineResult<Vec<SecurityEvent>> {
    let mut out = Vec::new();
    for item in store.tree(EVENTS)?.iter().rev() {
        let (_, v) = item?;
        let e: SecurityEvent = super::store::codec::decode(&v)?;
        if status.is_none_or(|s| e.status == s) {
            out.push(e);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

pub fn get(store: &Store, id: u64) -> EngineResult<SecurityEvent> {
    store
        .get(&store.tree(EVENTS)?, keys::id_key(id))?
        .ok_or_else(|| EngineError::not_found_id("security event", id))
}

pub fn open_count(store: &Store) -> EngineResult<u64> {
    let mut n = 0;
    for item in store.tree(EVENTS)?.iter() {
        let (_, v) = item?;
        let e: SecurityEvent = super::store::codec::decode(&v)?;
        n += u64::from(e.status.is_open());
    }
    Ok(n)
}

/// Move an event along its workflow, recording who and why.
pub fn update(
    store: &Store,
    id: u64,
    to: SecurityStatus,
    note: &str,
    actor: &Actor,
) -> EngineResult<(SecurityStatus, SecurityEvent)> {
    let mut event = get(store, id)?;
    let from = event.status;
    if !from.can_move_to(to) {
        return Err(EngineError::invalid(
            "status",
            to.as_str(),
            &format!("a step allowed from {from} (pending → investigating → resolved | false_positive; closed events reopen to investigating)"),
        ));
    }
    if note.trim().is_empty() {
        return Err(EngineError::invalid("note", "", "a note saying what was found or done"));
    }
    event.status = to;
    event.responder = Some(actor.to_string());
    event.notes.push(SecurityNote { at: Utc::now(), by: actor.to_string(), from, to, note: note.trim().to_string() });
    store.put(&store.tree(EVENTS)?, keys::id_key(id), &event)?;
    Ok((from, event))
}
