//! The one scheduler: every kind of schedule (backups, light schedules, and
//! what the daemon adds) runs here, in one engine task.
//!
//! A schedule is a [`Command`] with a cron expression in a time zone. The
//! scheduler runs it through [`EngineHandle::execute`](crate::engine::EngineHandle::execute)
//! as `daemon@scheduler`, like any front end, so the write gate, read-only
//! mode and the audit log apply to it exactly as to a key press.
//!
//! - `cron.rs`: the pure time arithmetic (cron, zones, DST, windows);
//! - `jobs.rs`: one job's run state (idle, running, waiting for unlock);
//! - `mark.rs`: the one `checked_at` mark and the report of runs missed while
//!   homedeck was not running (older per-domain marks are read, then dropped);
//! - `runner.rs`: the task — sleep to the next run, run it, wait for unlock;
//! - `status.rs`, `outcome.rs`, `route.rs`: `scheduler_status`, what the
//!   scheduler answers and broadcasts, its verbs.
//!
//! Domains are *clients*: each lists its schedules as [`Job`]s and is told
//! when one ran or was missed, so it can keep its own records and events.
//! Adding a kind of schedule = one [`Client`] implementation and one line in
//! [`CLIENTS`].

pub mod cron;
pub mod housekeeping;
pub mod jobs;
mod mark;
pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
mod runner;
pub mod status;

use crate::engine::audit::{Category, Severity};
use crate::engine::error::EngineResult;
use crate::engine::store::Store;
use crate::engine::{Command, Inner};
use chrono::{DateTime, Utc};
use jobs::{JobRecord, RunResult};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

pub(crate) use mark::mark_if_unset;

/// The sled trees the scheduler owns: `scheduler_meta` holds `checked_at`
/// (every run up to it has been handled), `scheduler_jobs` one
/// [`JobRecord`] per `kind:name`.
pub struct Trees {
    pub meta: &'static str,
    pub jobs: &'static str,
}

pub const TREES: Trees = Trees { meta: "scheduler_meta", jobs: "scheduler_jobs" };

/// Every kind of schedule; the daemon's housekeeping (audit retention, the
/// rotation check) is one of them.
const CLIENTS: &[&dyn Client] = &[
    &crate::engine::backup::schedule::Schedules,
    &crate::engine::lights::schedule::client::Schedules,
    &housekeeping::Daemon,
];

/// One schedule, as its domain describes it to the scheduler.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub name: String,
    pub cron: String,
    pub tz: String,
    pub enabled: bool,
    /// Runs before this are never due (nor missed).
    pub created: DateTime<Utc>,
    /// What a run executes.
    pub command: Command,
    /// Run after `command` succeeded, in order (a backup's retention).
    pub after: Vec<Command>,
    /// For people: "backup schedule nightly (ha)".
    pub label: String,
}

/// A domain whose schedules the scheduler runs.
pub(crate) trait Client: Sync {
    /// `backup`, `light` …: shown in `scheduler_status`, part of the job key.
    fn kind(&self) -> &'static str;
    /// The audit category and resource kind of this domain's schedules.
    fn audit(&self) -> (Category, Severity, &'static str);
    /// Where an older homedeck kept this kind's own mark (tree, key); read
    /// once so runs missed across the upgrade are still reported.
    fn legacy_mark(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    fn jobs(&self, inner: &Inner) -> EngineResult<Vec<Job>>;
    /// Runs that fell due and did not run: keep them on the schedule and
    /// broadcast the domain's event (the scheduler audits them).
    fn missed(&self, inner: &Inner, name: &str, runs: &[DateTime<Utc>]) -> EngineResult<()>;
    /// A run ended (or started waiting for the vault): keep it on the
    /// schedule and broadcast the domain's event.
    fn ran(&self, inner: &Inner, name: &str, due: DateTime<Utc>, result: &RunResult) -> EngineResult<()>;
}

/// Scheduler state that lives only while the engine runs.
#[derive(Default)]
pub struct Runtime {
    started: AtomicBool,
    /// Schedules changed: look again.
    wake: Arc<tokio::sync::Notify>,
    /// Job records are read, changed and written under this lock.
    records: Mutex<()>,
    pub(crate) me: OnceLock<Weak<Inner>>,
    /// When the scheduler first listed its jobs: the daemon's housekeeping
    /// jobs count from here.
    pub(crate) opened: OnceLock<DateTime<Utc>>,
}

/// Start the scheduler unless it runs already (the daemon calls this at
/// start; consoles by `backup_watch` / `lights_watch`).
pub(crate) fn start(inner: &Arc<Inner>) {
    if !inner.scheduler.started.swap(true, Ordering::SeqCst) {
        tokio::spawn(runner::run(Arc::downgrade(inner)));
    }
    // Notifications are delivered wherever schedules run.
    crate::engine::notify::worker::start(inner);
}

/// [`start`] from a handler, which holds the engine by reference.
pub(crate) fn start_from(inner: &Inner) {
    if let Some(me) = inner.scheduler.me.get().and_then(Weak::upgrade) {
        start(&me);
    }
}

/// Schedules were added, removed or changed.
pub(crate) fn wake(inner: &Inner) {
    inner.scheduler.wake.notify_one();
}

pub(crate) fn key(client: &dyn Client, name: &str) -> String {
    format!("{}:{name}", client.kind())
}

/// Every job of every client, with its client.
pub(crate) fn all_jobs(inner: &Inner) -> EngineResult<Vec<(&'static dyn Client, Job)>> {
    let mut out = Vec::new();
    for &c in CLIENTS {
        out.extend(c.jobs(inner)?.into_iter().map(|j| (c, j)));
    }
    Ok(out)
}

pub(crate) fn record(store: &Store, key: &str) -> EngineResult<JobRecord> {
    Ok(store.get(&store.tree(TREES.jobs)?, key)?.unwrap_or_default())
}

/// Change one job's record atomically with respect to the other tasks.
pub(crate) fn update<T>(inner: &Inner, key: &str, f: impl FnOnce(&mut JobRecord) -> T) -> EngineResult<T> {
    let _guard = inner.scheduler.records.lock().unwrap_or_else(|p| p.into_inner());
    let tree = inner.store.tree(TREES.jobs)?;
    let mut r: JobRecord = inner.store.get(&tree, key)?.unwrap_or_default();
    let out = f(&mut r);
    inner.store.put(&tree, key, &r)?;
    Ok(out)
}

/// Forget the records of schedules that no longer exist, so a schedule
/// removed while waiting for unlock does not run, and one added later under
/// the same name starts clean.
pub(crate) fn prune(inner: &Inner, keep: std::collections::HashSet<String>) -> EngineResult<()> {
    let _guard = inner.scheduler.records.lock().unwrap_or_else(|p| p.into_inner());
    let tree = inner.store.tree(TREES.jobs)?;
    for k in tree.iter().keys() {
        let k = k?;
        if !keep.contains(String::from_utf8_lossy(&k).as_ref()) {
            tree.remove(k)?;
        }
    }
    Ok(())
}

/// This domain's runtime state on the engine (`inner.scheduler`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(_: &crate::engine::EngineOptions) -> crate::engine::EngineResult<Runtime> {
        Ok(Runtime::default())
    }

    fn started(inner: &std::sync::Arc<Inner>, on_runtime: bool) {
        if on_runtime {
            let _ = inner.scheduler.me.set(std::sync::Arc::downgrade(inner));
        }
    }
}
