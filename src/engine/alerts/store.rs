//! The alerts domain's sled trees. Alerts are keyed by id (big-endian, so
//! newest last); an index by rule and target finds the open alert of a
//! condition and the earlier ones it follows.

use super::model::{Alert, AlertFilter, Silence};
use super::outcome::{AlertChange, Transition};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec;
use crate::engine::store::keys::id_key;
use crate::engine::store::Store;
use sled::Transactional;

/// The trees this domain owns.
pub const TREES: [&str; 4] = [ALERTS, OPEN, BY_KEY, SILENCES];
/// id → [`Alert`]
pub const ALERTS: &str = "alerts";
/// rule ‖ 0 ‖ target → id of its open alert
pub const OPEN: &str = "alerts_open";
/// rule ‖ 0 ‖ target ‖ 0 ‖ id → empty: every alert of a condition
pub const BY_KEY: &str = "alerts_by_key";
/// id → [`Silence`]
pub const SILENCES: &str = "alerts_silences";

pub fn key(rule: &str, target: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(rule.len() + target.len() + 1);
    k.extend_from_slice(rule.as_bytes());
    k.push(0);
    k.extend_from_slice(target.as_bytes());
    k
}

fn by_key(rule: &str, target: &str, id: u64) -> Vec<u8> {
    let mut k = key(rule, target);
    k.push(0);
    k.extend_from_slice(&id_key(id));
    k
}

pub fn get(store: &Store, id: u64) -> EngineResult<Alert> {
    store.get::<Alert>(&store.tree(ALERTS)?, id_key(id))?.ok_or_else(|| EngineError::not_found_id("alert", id))
}

pub fn put(store: &Store, a: &Alert) -> EngineResult<()> {
    store.put(&store.tree(ALERTS)?, id_key(a.id), a)
}

/// Store a round's openings and resolutions and the notices they queue
/// (`outbox`: key and value in `notify_queue`) in one sled transaction, so
/// a crash leaves both or neither: never an alert whose notice was lost,
/// never a notice about an alert the store does not have. The caller
/// flushes.
pub fn commit(store: &Store, changes: &[AlertChange], outbox: &[(Vec<u8>, Vec<u8>)]) -> EngineResult<()> {
    let mut writes = Vec::with_capacity(changes.len());
    for c in changes {
        let a = &c.alert;
        let opening = matches!(c.transition, Transition::Opened | Transition::Reopened);
        writes.push((id_key(a.id).to_vec(), codec::encode(a)?, key(&a.rule, &a.target), by_key(&a.rule, &a.target, a.id), opening));
    }
    let trees = (store.tree(ALERTS)?, store.tree(OPEN)?, store.tree(BY_KEY)?, store.tree(crate::engine::notify::queue::QUEUE)?);
    (&trees.0, &trees.1, &trees.2, &trees.3)
        .transaction(|(alerts, open, by, queue)| {
            for (id, value, cond, index, opening) in &writes {
                alerts.insert(id.as_slice(), value.as_slice())?;
                if *opening {
                    by.insert(index.as_slice(), &[][..])?;
                    open.insert(cond.as_slice(), id.as_slice())?;
                } else {
                    open.remove(cond.as_slice())?;
                }
            }
            for (k, v) in outbox {
                queue.insert(k.as_slice(), v.as_slice())?;
            }
            Ok(())
        })
        .map_err(|e: sled::transaction::TransactionError<()>| EngineError::Store(format!("cannot store the alerts' changes and their notices: {e:?}")))
}

/// Every open alert.
pub fn open(store: &Store) -> EngineResult<Vec<Alert>> {
    let alerts = store.tree(ALERTS)?;
    let mut out = Vec::new();
    for item in store.tree(OPEN)?.iter() {
        let (_, id) = item?;
        if let Some(v) = alerts.get(&id)? {
            out.push(codec::decode::<Alert>(&v)?);
        }
    }
    Ok(out)
}

/// Ids of every alert of a condition, oldest first.
pub fn of_condition(store: &Store, rule: &str, target: &str) -> EngineResult<Vec<u64>> {
    let mut prefix = key(rule, target);
    prefix.push(0);
    let mut out = Vec::new();
    for k in store.tree(BY_KEY)?.scan_prefix(&prefix).keys() {
        let k = k?;
        if let Some(b) = k.get(prefix.len()..).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            out.push(u64::from_be_bytes(b));
        }
    }
    Ok(out)
}

/// Alerts kept by `filter`, newest first, at most `limit`.
pub fn list(store: &Store, filter: AlertFilter, limit: usize) -> EngineResult<Vec<Alert>> {
    let mut out = Vec::new();
    for item in store.tree(ALERTS)?.iter().rev() {
        let (_, v) = item?;
        let a = codec::decode::<Alert>(&v)?;
        if filter.keeps(&a) {
            out.push(a);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// Remove an alert that has left its retention period.
pub fn remove(store: &Store, a: &Alert) -> EngineResult<()> {
    store.tree(ALERTS)?.remove(id_key(a.id))?;
    store.tree(BY_KEY)?.remove(by_key(&a.rule, &a.target, a.id))?;
    Ok(())
}

pub fn silences(store: &Store) -> EngineResult<Vec<Silence>> {
    store.tree(SILENCES)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn silence(store: &Store, id: u64) -> EngineResult<Silence> {
    store.get::<Silence>(&store.tree(SILENCES)?, id_key(id))?.ok_or_else(|| EngineError::not_found_id("silence", id))
}

pub fn put_silence(store: &Store, s: &Silence) -> EngineResult<()> {
    store.put(&store.tree(SILENCES)?, id_key(s.id), s)
}

pub fn remove_silence(store: &Store, id: u64) -> EngineResult<bool> {
    Ok(store.tree(SILENCES)?.remove(id_key(id))?.is_some())
}
