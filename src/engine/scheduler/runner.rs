//! The scheduler task. Between runs it holds only a weak reference to the
//! engine, so it ends when the last handle goes; a run upgrades it and goes
//! through `EngineHandle::execute` as `daemon@scheduler`.
//!
//! Each run is its own task: a long backup does not hold back the porch
//! lights. A run that falls due while the previous one of the same schedule
//! is still going is missed (recorded, broadcast), as before.
//!
//! A command that fails with `VaultLocked` is retried once after unlocking
//! with the unattended credential file, when one is configured; otherwise
//! (or if that fails) the run is recorded and audited as *waiting for
//! unlock* and runs as soon as anyone unlocks the vault.

use crate::engine::text::plural;
use super::jobs::{Begin, Finish, RunResult};
use super::outcome::SchedulerEvent;
use super::{Client, Job, mark};
use crate::engine::audit::{self, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::{Actor, Command, EngineHandle, Inner, VaultEvent};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::broadcast;

/// Wake at least this often, so a changed clock is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// The loop. Boxed with a named type: a run goes through dispatch, which
/// can start this loop (`backup_watch`), and an opaque future type would be
/// recursive.
pub(crate) fn run(weak: Weak<Inner>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(run_loop(weak))
}

async fn run_loop(weak: Weak<Inner>) {
    let Some(inner) = weak.upgrade() else { return };
    let mut events = inner.events.subscribe();
    if let Err(e) = on_start(&inner) {
        tracing::error!(error = %e, "scheduler: could not check for missed or interrupted runs");
    }
    drop(inner);
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let now = Utc::now();
        let next = super::all_jobs(&inner)
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, j)| super::cron::next_run(&j.cron, &j.tz, j.enabled, now))
            .min();
        let sleep = next.map(|n| (n - now).to_std().unwrap_or(Duration::ZERO)).unwrap_or(MAX_SLEEP).min(MAX_SLEEP);
        // Sleep without holding the engine, so it can close meanwhile.
        let wake = inner.scheduler.wake.clone();
        drop(inner);
        let unlocked = tokio::select! {
            _ = tokio::time::sleep(sleep) => false,
            _ = wake.notified() => false,
            open = next_unlock(&mut events) => if open { true } else { return },
        };
        let Some(inner) = weak.upgrade() else { return };
        // The daemon is stopping: start nothing it would only cancel, and
        // leave the mark where it is, so what falls due now is found (run or
        // reported missed) at the next start.
        if inner.jobs.stopping() {
            return;
        }
        if unlocked && crate::engine::vault::session::is_unlocked(&inner) {
            resume_waiting(&inner);
        }
        if let Err(e) = tick(&inner, Utc::now()) {
            tracing::error!(error = %e, "scheduler tick failed");
        }
    }
}

/// Waits for `VaultUnlocked`; false when the engine is gone. A lagging
/// receiver may have missed it, so lag counts as a possible unlock (resuming
/// checks the vault anyway).
async fn next_unlock(events: &mut broadcast::Receiver<Event>) -> bool {
    loop {
        match events.recv().await {
            Ok(Event::Vault(VaultEvent::VaultUnlocked)) | Err(broadcast::error::RecvError::Lagged(_)) => return true,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Closed) => return false,
        }
    }
}

/// Runs cut off by the last stop, runs missed while stopped, and runs left
/// waiting that can go now.
fn on_start(inner: &Arc<Inner>) -> EngineResult<()> {
    let now = Utc::now();
    for (client, job) in super::all_jobs(inner)? {
        let key = super::key(client, &job.name);
        if let Some(due) = super::update(inner, &key, |r| r.recover(now))? {
            let result = RunResult::Interrupted;
            client.ran(inner, &job.name, due, &result)?;
        }
    }
    mark::report_missed(inner, now)?;
    if crate::engine::vault::session::is_unlocked(inner) || inner.opts.passphrase_file.is_some() {
        resume_waiting(inner);
    }
    Ok(())
}

fn resume_waiting(inner: &Arc<Inner>) {
    let Ok(jobs) = super::all_jobs(inner) else { return };
    for (client, job) in jobs {
        let key = super::key(client, &job.name);
        match super::update(inner, &key, |r| r.resume(Utc::now())) {
            Ok(Some((due, folded))) => {
                tokio::spawn(run_job(inner.clone(), client, job, due, folded));
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, job = key, "scheduler: could not resume a waiting run"),
        }
    }
}

/// Start what fell due since the mark. If several runs of one schedule fell
/// due (the machine slept), the latest runs and the others are missed.
pub(crate) fn tick(inner: &Arc<Inner>, now: DateTime<Utc>) -> EngineResult<()> {
    let since = mark::checked_at(&inner.store)?.unwrap_or(now);
    mark::set_checked_at(&inner.store, now)?;
    let jobs = super::all_jobs(inner)?;
    super::prune(inner, jobs.iter().map(|(c, j)| super::key(*c, &j.name)).collect())?;
    for (client, job) in jobs {
        let runs = super::cron::due(&job.cron, &job.tz, job.enabled, job.created, since, now);
        let Some((&last, earlier)) = runs.split_last() else { continue };
        let key = super::key(client, &job.name);
        match super::update(inner, &key, |r| r.begin(last, now))? {
            Begin::Run(due) => {
                if !earlier.is_empty() {
                    client.missed(inner, &job.name, earlier)?;
                }
                tokio::spawn(run_job(inner.clone(), client, job, due, 0));
            }
            Begin::Busy => client.missed(inner, &job.name, &runs)?,
            Begin::Folded => {}
        }
    }
    inner.store.flush()?;
    Ok(())
}

/// One run: the command, then its after-steps, then the record.
async fn run_job(inner: Arc<Inner>, client: &'static dyn Client, job: Job, due: DateTime<Utc>, folded: u64) {
    let engine = EngineHandle { inner: inner.clone() };
    let mut finish = attempt(&engine, &inner, job.command.clone()).await;
    if let Finish::Ok(summary) = &mut finish {
        for step in &job.after {
            match engine.execute(step.clone(), Actor::scheduler()).await {
                Ok(o) => summary.push_str(&format!("; {}", o.summary())),
                Err(e) => {
                    finish = Finish::Failed(format!("{summary}; then {}: {e}", step.spec().name));
                    break;
                }
            }
        }
    }
    if let Finish::Ok(summary) = &mut finish
        && folded > 0
    {
        summary.push_str(&format!(" (after waiting for unlock; stands for {})", plural(folded as usize, "later due run", "later due runs")));
    }
    if let Err(e) = record(&inner, client, &job, due, finish) {
        tracing::error!(error = %e, job = job.name, "scheduler: could not record a run");
    }
}

fn record(inner: &Arc<Inner>, client: &'static dyn Client, job: &Job, due: DateTime<Utc>, finish: Finish) -> EngineResult<()> {
    let key = super::key(client, &job.name);
    let result = super::update(inner, &key, |r| r.finish(due, finish, Utc::now()))?;
    client.ran(inner, &job.name, due, &result)?;
    if let RunResult::WaitingForUnlock { message } = &result {
        let (category, _, resource) = client.audit();
        let draft = AuditDraft {
            category,
            severity: crate::engine::audit::Severity::Medium,
            resource: Some(audit::Resource::new(resource, None, Some(job.name.clone()))),
            description: format!(
                "{} ({}) is waiting for the vault to be unlocked; it runs as soon as it is",
                job.label,
                job.command.spec().name
            ),
            changes: Vec::new(),
            action: None,
            ended: None,
        };
        audit::record(inner, &Actor::scheduler(), "schedule_waiting", draft, Status::Failure, Some(format!("waiting for unlock: {message}")))?;
        let (kind, schedule) = (client.kind().to_string(), job.name.clone());
        inner.emit(Event::Scheduler(SchedulerEvent::ScheduleWaiting { kind, schedule, message: message.clone() }));
        // Someone may have unlocked between the failure and now.
        if crate::engine::vault::session::is_unlocked(inner) {
            resume_waiting(inner);
        }
    }
    inner.store.flush()
}

/// Run `command`. If the vault is locked and a credential file is
/// configured, unlock with it (through `vault_unlock`, audited) and retry
/// once; if none is, or it does not unlock, the run waits. The passphrase
/// lives only in a zeroized [`SecretValue`] and is never put in a message.
async fn attempt(engine: &EngineHandle, inner: &Inner, command: Command) -> Finish {
    let first = engine.execute(command.clone(), Actor::scheduler()).await;
    let retried = match (first, inner.opts.passphrase_file.as_deref()) {
        (Err(EngineError::VaultLocked), None) => {
            return Finish::NeedsVault("the vault is locked and no unattended credential is configured".into());
        }
        (Err(EngineError::VaultLocked), Some(path)) => {
            if let Err(e) = unlock_with_credential(engine, path).await {
                return Finish::NeedsVault(format!("the vault is locked and the credential file {} did not unlock it: {e}", path.display()));
            }
            engine.execute(command, Actor::scheduler()).await
        }
        (first, _) => first,
    };
    match retried {
        Ok(o) => Finish::Ok(o.summary()),
        Err(EngineError::VaultLocked) => Finish::NeedsVault("the vault is locked".into()),
        Err(e) => Finish::Failed(e.to_string()),
    }
}

/// Unlock with the credential file. An earlier failure (a wrong file since
/// fixed) makes the vault back off for a few seconds: wait that out once
/// rather than leave an unattended run waiting for a person.
async fn unlock_with_credential(engine: &EngineHandle, path: &std::path::Path) -> EngineResult<()> {
    for attempt in 0..2 {
        let passphrase = read_credential(path)?;
        match engine.execute(Command::VaultUnlock { passphrase }, Actor::scheduler()).await {
            Err(EngineError::UnlockBackoff { retry_in_secs, .. }) if attempt == 0 && retry_in_secs <= MAX_BACKOFF_WAIT => {
                tokio::time::sleep(Duration::from_secs(retry_in_secs) + Duration::from_millis(200)).await;
            }
            other => return other.map(|_| ()),
        }
    }
    Err(EngineError::VaultLocked)
}

/// The longest unlock back-off a scheduled run sits out.
const MAX_BACKOFF_WAIT: u64 = 60;

/// The first line of the credential file (refused if others may read it).
/// Errors name the file, never its content.
fn read_credential(path: &std::path::Path) -> EngineResult<SecretValue> {
    SecretValue::from_file(path).map_err(EngineError::Other)
}
