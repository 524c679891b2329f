//! The engine task that runs light schedules.
//!
//! It keeps one mark in sled, `scheduler_checked_at`: every run up to that
//! instant has been handled. On start, runs between the mark and now fell
//! while homedeck was not running: they are recorded on the schedule,
//! written to the audit log and broadcast, never silently dropped (and not
//! run late: "lights on at 18:00" should not fire at 02:00). Then it sleeps
//! until the next run, runs it through the normal command path (so it is
//! audited as `homedeck@engine`), and moves the mark.

use crate::engine::LightsEvent;
use super::Schedule;
use crate::engine::audit::{self, Category, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::EngineResult;
use crate::engine::event::Event;
use crate::engine::lights::TREES;
use crate::engine::store::Store;
use crate::engine::store::codec;
use crate::engine::{Actor, Inner};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Weak};
use std::time::Duration;

const CHECKED_AT: &str = "scheduler_checked_at";
/// Wake at least this often, so a changed clock is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

pub fn all(store: &Store) -> EngineResult<Vec<Schedule>> {
    store.tree(TREES.schedules)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn get(store: &Store, name: &str) -> EngineResult<Option<Schedule>> {
    store.get(&store.tree(TREES.schedules)?, name)
}

pub fn put(store: &Store, s: &Schedule) -> EngineResult<()> {
    store.put(&store.tree(TREES.schedules)?, &s.name, s)
}

pub fn remove(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(store.tree(TREES.schedules)?.remove(name)?.is_some())
}

pub fn checked_at(store: &Store) -> EngineResult<Option<DateTime<Utc>>> {
    let meta = store.tree(TREES.meta)?;
    Ok(meta
        .get(CHECKED_AT)?
        .and_then(|v| std::str::from_utf8(&v).ok().and_then(|s| DateTime::parse_from_rfc3339(s).ok()))
        .map(|t| t.with_timezone(&Utc)))
}

pub fn set_checked_at(store: &Store, t: DateTime<Utc>) -> EngineResult<()> {
    store.tree(TREES.meta)?.insert(CHECKED_AT, t.to_rfc3339().as_bytes())?;
    Ok(())
}

/// Record runs that fell while homedeck was not running. Returns how many.
pub fn report_missed(inner: &Inner, now: DateTime<Utc>) -> EngineResult<u64> {
    let Some(since) = checked_at(&inner.store)? else {
        // First start with schedules: nothing can have been missed.
        set_checked_at(&inner.store, now)?;
        inner.store.flush()?;
        return Ok(0);
    };
    let mut total = 0;
    for mut s in all(&inner.store)? {
        let runs = s.due(since, now);
        if runs.is_empty() {
            continue;
        }
        total += runs.len() as u64;
        s.note_missed(&runs);
        put(&inner.store, &s)?;
        let last = runs[runs.len() - 1];
        let draft = AuditDraft {
            category: Category::Lights,
            severity: Severity::Low,
            resource: Some(audit::Resource::new("wled_schedule", None, Some(s.name.clone()))),
            description: format!(
                "{} run(s) of schedule {} ({} on {}) missed while homedeck was not running; last due {}",
                runs.len(),
                s.name,
                s.action,
                s.target,
                last.to_rfc3339()
            ),
            changes: Vec::new(),
        };
        audit::record(inner, &Actor::engine(), "wled_schedule_missed", draft, Status::Failure, Some("homedeck was not running".into()))?;
        inner.emit(Event::Lights(LightsEvent::LightsScheduleMissed { schedule: s.name.clone(), count: runs.len() as u64, last }));
    }
    set_checked_at(&inner.store, now)?;
    inner.store.flush()?;
    Ok(total)
}

/// The scheduler loop; ends with the engine. Boxed with a named type:
/// a run goes through dispatch, which can start this loop again
/// (`lights_watch`), and an opaque future type would be recursive.
pub fn run(weak: Weak<Inner>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(run_loop(weak))
}

async fn run_loop(weak: Weak<Inner>) {
    if let Some(inner) = weak.upgrade()
        && let Err(e) = report_missed(&inner, Utc::now())
    {
        tracing::error!(error = %e, "could not check for missed light schedules");
    }
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let now = Utc::now();
        let next = all(&inner.store)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.next_run(now))
            .min();
        let sleep = next
            .map(|n| (n - now).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP);
        // Sleep without holding the engine, so it can close meanwhile.
        let notify = inner.lights.scheduler_wake.clone();
        drop(inner);
        let woken = tokio::select! {
            _ = tokio::time::sleep(sleep) => false,
            _ = notify.notified() => true,
        };
        let Some(inner) = weak.upgrade() else { return };
        if let Err(e) = tick(&inner, Utc::now()).await {
            tracing::error!(error = %e, woken, "light scheduler tick failed");
        }
    }
}

/// Run whatever fell due since the mark. If several runs of one schedule
/// fell due (the machine slept), the latest runs and the others are missed.
pub async fn tick(inner: &Arc<Inner>, now: DateTime<Utc>) -> EngineResult<()> {
    let since = checked_at(&inner.store)?.unwrap_or(now);
    for mut s in all(&inner.store)? {
        let runs = s.due(since, now);
        let Some((&last, earlier)) = runs.split_last() else { continue };
        if !earlier.is_empty() {
            s.note_missed(earlier);
            inner.emit(Event::Lights(LightsEvent::LightsScheduleMissed { schedule: s.name.clone(), count: earlier.len() as u64, last: earlier[earlier.len() - 1] }));
        }
        let command = s.action.command(&s.target);
        let spec = command.spec();
        let gate = inner.write_gate.clone().lock_owned().await;
        let result = crate::engine::dispatch::execute(inner, command, spec, Actor::engine(), Some(gate)).await;
        let (ok, message) = match &result {
            Ok(o) => (true, o.summary()),
            Err(e) => (false, e.to_string()),
        };
        // Re-read: the command may have taken a while and the schedule changed.
        if let Some(mut fresh) = get(&inner.store, &s.name)? {
            fresh.missed = s.missed.clone();
            fresh.missed_total = s.missed_total;
            fresh.last_run = Some(last);
            fresh.last_result = Some(if ok { format!("ok: {message}") } else { format!("failed: {message}") });
            put(&inner.store, &fresh)?;
        }
        inner.emit(Event::Lights(LightsEvent::LightsScheduleRan { schedule: s.name.clone(), ok, message }));
    }
    set_checked_at(&inner.store, now)?;
    inner.store.flush()?;
    Ok(())
}
