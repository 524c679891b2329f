//! The delivery queue in sled, and the in-memory schedule over it.
//!
//! `notify_queue` (id → [`Delivery`]) holds every delivery not yet
//! acknowledged; `notify_dead` the ones that used up their attempts. Every
//! change is flushed before the function returns, so what a caller was told
//! ("queued as #7") is what a restart finds. The [`Index`] orders queued
//! deliveries by their next attempt so the worker never rescans the tree;
//! it is rebuilt from `notify_queue` when the engine opens, which is how a
//! delivery cut off by a crash is attempted again.

use super::config::{NotifyOptions, RouteConfig};
use super::model::{Delivery, Notice};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use crate::engine::store::keys::id_key;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sled::Transactional;
use std::collections::{BTreeSet, HashMap, HashSet};

pub const QUEUE: &str = "notify_queue";
pub const DEAD: &str = "notify_dead";
const COUNTER: &str = "notify_delivery";

/// Queued deliveries by next attempt, the ones being attempted now, and
/// each batching route's open delivery.
#[derive(Debug, Default)]
pub struct Index {
    due: BTreeSet<(DateTime<Utc>, u64)>,
    in_flight: HashSet<u64>,
    collecting: HashMap<String, (u64, DateTime<Utc>)>,
}

impl Index {
    /// Everything in `notify_queue`, as a restart finds it: nothing is in
    /// flight any more.
    pub fn load(store: &Store) -> EngineResult<Index> {
        let mut ix = Index::default();
        let now = Utc::now();
        for item in store.tree(QUEUE)?.iter() {
            let (_, v) = item?;
            let d: Delivery = crate::engine::store::codec::decode(&v)?;
            ix.due.insert((d.next_at, d.id));
            if let Some(until) = d.collect_until.filter(|u| *u > now) {
                ix.collecting.insert(d.route.clone(), (d.id, until));
            }
        }
        Ok(ix)
    }

    /// When the first delivery not in flight is due.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.due.iter().next().map(|(t, _)| *t)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Take up to `n` due deliveries out of the schedule, in order.
    pub fn claim_due(&mut self, now: DateTime<Utc>, n: usize) -> Vec<u64> {
        let ids: Vec<(DateTime<Utc>, u64)> = self.due.iter().take_while(|(t, _)| *t <= now).take(n).copied().collect();
        for k in &ids {
            self.due.remove(k);
            self.in_flight.insert(k.1);
        }
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// Take one delivery out of the schedule whatever its time (a test
    /// sent now). False if it is in flight already or not queued.
    pub fn claim(&mut self, id: u64) -> bool {
        let Some(k) = self.due.iter().find(|(_, i)| *i == id).copied() else { return false };
        self.due.remove(&k);
        self.in_flight.insert(id)
    }

    /// Back into the schedule in a little while (its attempt could not be recorded).
    pub fn unclaim(&mut self, id: u64) {
        if self.in_flight.remove(&id) {
            self.due.insert((Utc::now() + ChronoDuration::seconds(30), id));
        }
    }

    /// Out of the index for good (delivered, or gone from the queue).
    pub fn forget(&mut self, id: u64) {
        self.done(id);
    }

    fn done(&mut self, id: u64) {
        self.in_flight.remove(&id);
        self.collecting.retain(|_, (i, _)| *i != id);
    }
}

fn put(store: &Store, tree: &str, d: &Delivery) -> EngineResult<()> {
    store.put(&store.tree(tree)?, id_key(d.id), d)
}

/// Deliveries made or extended in memory, written by the caller in one
/// sled transaction with whatever they announce (an alert's change and its
/// notices are stored together or not at all: a `kill -9` between the two
/// would otherwise leave an alert nobody is ever told about). The caller
/// holds the [`Index`] lock from [`Outbox::add`] until [`Outbox::committed`],
/// so the worker cannot claim a batch being extended.
#[derive(Debug, Default)]
pub struct Outbox {
    staged: Vec<Delivery>,
}

impl Outbox {
    /// Add `notice` for `route`: to its batch staged here, to its open
    /// batch on disk, or as a new delivery. Nothing is written yet.
    pub fn add(&mut self, store: &Store, ix: &Index, route: &RouteConfig, notice: Notice, now: DateTime<Utc>) -> EngineResult<u64> {
        if let Some(d) = self.staged.iter_mut().find(|d| d.route == route.name && d.collect_until.is_some_and(|u| u > now)) {
            d.notices.push(notice);
            return Ok(d.id);
        }
        if let Some((id, until)) = ix.collecting.get(&route.name).copied()
            && until > now
            && !ix.in_flight.contains(&id)
            && let Some(mut d) = store.get::<Delivery>(&store.tree(QUEUE)?, id_key(id))?
        {
            d.notices.push(notice);
            self.staged.push(d);
            return Ok(id);
        }
        let id = store.next_counter(COUNTER)?;
        let batch = (route.batch_secs > 0).then(|| now + ChronoDuration::seconds(route.batch_secs as i64));
        self.staged.push(Delivery {
            id,
            route: route.name.clone(),
            kind: route.kind,
            notices: vec![notice],
            created: now,
            next_at: batch.unwrap_or(now),
            collect_until: batch,
            attempts: 0,
            last_error: None,
            last_attempt: None,
            dead_at: None,
        });
        Ok(id)
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// (key, value) of each staged delivery in `notify_queue`, for the
    /// caller's transaction.
    pub fn records(&self) -> EngineResult<Vec<(Vec<u8>, Vec<u8>)>> {
        self.staged.iter().map(|d| Ok((id_key(d.id).to_vec(), crate::engine::store::codec::encode(d)?))).collect()
    }

    /// The transaction committed: schedule what it wrote.
    pub fn committed(self, ix: &mut Index) {
        for d in self.staged {
            ix.due.insert((d.next_at, d.id));
            if let Some(until) = d.collect_until {
                ix.collecting.insert(d.route.clone(), (d.id, until));
            }
        }
    }
}

/// Queue `notice` for `route` (or add it to the route's open batch). The
/// delivery is on disk when this returns. Returns its id.
pub fn push(store: &Store, ix: &mut Index, route: &RouteConfig, notice: Notice) -> EngineResult<u64> {
    let mut out = Outbox::default();
    let id = out.add(store, ix, route, notice, Utc::now())?;
    let tree = store.tree(QUEUE)?;
    for (k, v) in out.records()? {
        tree.insert(k, v)?;
    }
    store.flush()?;
    out.committed(ix);
    Ok(id)
}

pub fn get(store: &Store, id: u64) -> EngineResult<Option<Delivery>> {
    store.get(&store.tree(QUEUE)?, id_key(id))
}

/// The peer acknowledged it: forget it, durably, before anything else.
pub fn delivered(store: &Store, ix: &mut Index, id: u64) -> EngineResult<()> {
    store.tree(QUEUE)?.remove(id_key(id))?;
    store.flush()?;
    ix.done(id);
    Ok(())
}

/// What became of a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    Dead,
}

/// An attempt failed with `error` (already scrubbed of secrets): try again
/// after the back-off, or move it to the dead-letter list after the last
/// attempt. `counted: false` (the vault was locked) waits without using
/// up an attempt.
pub fn failed(store: &Store, ix: &mut Index, mut d: Delivery, error: String, counted: bool, opts: &NotifyOptions) -> EngineResult<AfterFailure> {
    let now = Utc::now();
    d.last_error = Some(error);
    d.last_attempt = Some(now);
    d.collect_until = None;
    ix.done(d.id);
    if counted {
        d.attempts += 1;
    }
    if counted && d.attempts >= opts.max_attempts {
        d.dead_at = Some(now);
        let (queue, dead) = (store.tree(QUEUE)?, store.tree(DEAD)?);
        let bytes = crate::engine::store::codec::encode(&d)?;
        (&queue, &dead)
            .transaction(|(q, x)| {
                q.remove(&id_key(d.id))?;
                x.insert(&id_key(d.id), bytes.clone())?;
                Ok(())
            })
            .map_err(|e: sled::transaction::TransactionError<()>| EngineError::Store(format!("cannot move delivery #{} to the dead-letter list: {e:?}", d.id)))?;
        store.flush()?;
        return Ok(AfterFailure::Dead);
    }
    let wait = if counted {
        super::backoff::delay(d.attempts, opts.backoff_secs, opts.backoff_max_secs, super::backoff::jitter())
    } else {
        std::time::Duration::from_secs(30)
    };
    d.next_at = now + ChronoDuration::from_std(wait).unwrap_or(ChronoDuration::seconds(60));
    put(store, QUEUE, &d)?;
    store.flush()?;
    ix.due.insert((d.next_at, d.id));
    Ok(AfterFailure::RetryAt(d.next_at))
}

/// A dead-lettered delivery back in the queue with a fresh set of
/// attempts, due now.
pub fn retry(store: &Store, ix: &mut Index, id: u64) -> EngineResult<Delivery> {
    let (queue, dead) = (store.tree(QUEUE)?, store.tree(DEAD)?);
    let Some(mut d) = store.get::<Delivery>(&dead, id_key(id))? else {
        if store.get::<Delivery>(&queue, id_key(id))?.is_some() {
            return Err(EngineError::invalid("id", id.to_string(), "a delivery on the dead-letter list (this one is still queued and will be tried again by itself)"));
        }
        return Err(EngineError::NotFound { what: "dead-lettered delivery".into(), name: id.to_string(), by_id: true });
    };
    d.attempts = 0;
    d.dead_at = None;
    d.next_at = Utc::now();
    let bytes = crate::engine::store::codec::encode(&d)?;
    (&queue, &dead)
        .transaction(|(q, x)| {
            x.remove(&id_key(id))?;
            q.insert(&id_key(id), bytes.clone())?;
            Ok(())
        })
        .map_err(|e: sled::transaction::TransactionError<()>| EngineError::Store(format!("cannot requeue delivery #{id}: {e:?}")))?;
    store.flush()?;
    ix.due.insert((d.next_at, id));
    Ok(d)
}

/// Every queued delivery (oldest first) and every dead-lettered one.
pub fn list(store: &Store) -> EngineResult<(Vec<Delivery>, Vec<Delivery>)> {
    let read = |tree: &str| -> EngineResult<Vec<Delivery>> {
        store.tree(tree)?.iter().map(|item| crate::engine::store::codec::decode(&item?.1)).collect()
    };
    Ok((read(QUEUE)?, read(DEAD)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::audit::Severity;

    #[test]
    fn claims_go_in_time_order_and_never_twice() {
        let mut ix = Index::default();
        let t = Utc::now();
        ix.due.insert((t + ChronoDuration::seconds(5), 1));
        ix.due.insert((t - ChronoDuration::seconds(5), 2));
        ix.due.insert((t - ChronoDuration::seconds(9), 3));
        assert_eq!(ix.claim_due(t, 10), vec![3, 2]);
        assert!(ix.claim_due(t, 10).is_empty());
        assert!(!ix.claim(2), "in flight already");
        assert!(ix.claim(1));
        assert_eq!(ix.in_flight(), 3);
        let _ = Notice::new("t", "b", Severity::Info, "test");
    }
}
