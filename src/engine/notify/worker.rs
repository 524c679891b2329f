//! The delivery worker: one engine task that sleeps until the next delivery
//! is due (or until it is woken by a new one), starts up to `concurrency`
//! attempts, and records each result in the queue. It runs wherever
//! schedules run — in the daemon, and in a console while it is open —
//! because it is started with the scheduler (`scheduler::start`). A one-shot
//! CLI command only queues: a daemon or console delivers.

use super::model::Delivery;
use super::queue::{self, AfterFailure};
use super::outcome::NotifyEvent;
use crate::engine::Inner;
use crate::engine::audit::{self, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::event::Event;
use crate::engine::actor::Actor;
use crate::engine::error::EngineResult;
use chrono::Utc;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Start the worker once per engine.
pub(crate) fn start(inner: &Arc<Inner>) {
    if !inner.notify.started.swap(true, Ordering::SeqCst) {
        tokio::spawn(run(Arc::downgrade(inner)));
    }
}

/// Whether a worker delivers in this process (else deliveries wait for one).
pub(crate) fn running(inner: &Inner) -> bool {
    inner.notify.started.load(Ordering::SeqCst)
}

async fn run(weak: Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let opts = inner.notify.opts.get();
        let (claimed, next) = {
            let mut ix = inner.notify.lock_index();
            let free = opts.concurrency.saturating_sub(ix.in_flight());
            (ix.claim_due(Utc::now(), free), ix.next_due())
        };
        for id in claimed {
            tokio::spawn(deliver(inner.clone(), id));
        }
        let wake = inner.notify.wake.clone();
        drop(inner);
        let sleep = next.map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO)).unwrap_or(Duration::from_secs(60)).min(Duration::from_secs(60));
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// One claimed delivery: attempt it and record the result. A delivery
/// that needs the vault while it is locked unlocks it with the unattended
/// credential file first, when one is configured (as scheduled runs do).
async fn deliver(inner: Arc<Inner>, id: u64) {
    if let Some(path) = inner.opts.passphrase_file.clone()
        && !crate::engine::vault::session::is_unlocked(&inner)
        && needs_vault(&inner, id)
    {
        unlock_with_credential(&inner, &path).await;
    }
    let r = attempt_claimed(&inner, id).await;
    if let Err(e) = r {
        tracing::error!(delivery = id, error = %e, "notify: could not record a delivery attempt");
        // Keep it schedulable: without this a store error would strand it in flight until restart.
        inner.notify.lock_index().unclaim(id);
    }
    inner.notify.wake.notify_one();
}

/// What one attempt came to, for `notify_test` and the worker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Attempted {
    Delivered,
    /// `vault_locked`: nothing was sent because a secret could not be read.
    Failed { error: String, after: AfterFailure, vault_locked: bool },
}

/// Attempt a delivery this caller has claimed in the index, then record
/// the result (removed when acknowledged; retried or dead-lettered when not).
pub(crate) async fn attempt_claimed(inner: &Inner, id: u64) -> EngineResult<Attempted> {
    let Some(d) = queue::get(&inner.store, id)? else {
        inner.notify.lock_index().forget(id);
        return Ok(Attempted::Delivered);
    };
    let opts = inner.notify.opts.get();
    let timeout = Duration::from_secs(opts.timeout_secs);
    let result = match opts.route(&d.route) {
        Some(route) => super::send::attempt(inner, route, &d, timeout).await,
        None => Err(super::send::Failure { message: format!("route {:?} is no longer in config.toml", d.route), counted: true }),
    };
    match result {
        Ok(()) => {
            queue::delivered(&inner.store, &mut inner.notify.lock_index(), id)?;
            inner.emit(Event::Notify(NotifyEvent::Delivered { id, route: d.route.clone() }));
            Ok(Attempted::Delivered)
        }
        Err(f) => {
            tracing::warn!(delivery = id, route = d.route, error = f.message, "notify: delivery attempt failed");
            let after = queue::failed(&inner.store, &mut inner.notify.lock_index(), d.clone(), f.message.clone(), f.counted, &opts)?;
            match &after {
                AfterFailure::RetryAt(at) => inner.emit(Event::Notify(NotifyEvent::Failed { id, route: d.route.clone(), error: f.message.clone(), retry_at: *at })),
                AfterFailure::Dead => dead_lettered(inner, &d, &f.message)?,
            }
            Ok(Attempted::Failed { error: f.message, after, vault_locked: !f.counted })
        }
    }
}

/// A delivery gave up: audited as a failure and broadcast, so someone
/// finds out even though the notification itself never arrived.
fn dead_lettered(inner: &Inner, d: &Delivery, error: &str) -> EngineResult<()> {
    let draft = AuditDraft {
        category: audit::Category::System,
        severity: Severity::Medium,
        resource: Some(audit::Resource::new("notify_route", Some(d.id.to_string()), Some(d.route.clone()))),
        description: format!("notification #{} to route {} ({}) gave up after {} attempts; it is on the dead-letter list (homedeck notify retry {})", d.id, d.route, d.title(), d.attempts + 1, d.id),
        changes: Vec::new(),
        action: None,
        ended: None,
    };
    audit::record(inner, &Actor::engine(), "notify_deliver", draft, Status::Failure, Some(error.to_string()))?;
    inner.emit(Event::Notify(NotifyEvent::DeadLettered { id: d.id, route: d.route.clone(), error: error.to_string() }));
    inner.store.flush()
}

/// Whether delivery `id`'s route reads a secret.
fn needs_vault(inner: &Inner, id: u64) -> bool {
    let Ok(Some(d)) = queue::get(&inner.store, id) else { return false };
    inner.notify.opts.get().route(&d.route).is_some_and(|r| !r.secrets().is_empty() || r.kind == super::config::RouteKind::Ha)
}

/// `vault_unlock` with the credential file, audited as the scheduler's.
/// Its error names the file, never the content.
async fn unlock_with_credential(inner: &Arc<Inner>, path: &std::path::Path) {
    let engine = crate::engine::EngineHandle { inner: inner.clone() };
    let passphrase = match crate::engine::secret_value::SecretValue::from_file(path) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = e, "notify: cannot read the unattended credential file");
            return;
        }
    };
    if let Err(e) = engine.execute(crate::engine::Command::VaultUnlock { passphrase }, Actor::scheduler()).await {
        tracing::warn!(error = %e, "notify: the unattended credential did not unlock the vault");
    }
}
