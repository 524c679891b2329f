//! `scheduler_status`: every job of every kind with its next run, its last
//! run and what it is doing, for `homedeck schedule list`, `homedeck daemon
//! status` and the Backups pane.

use super::jobs::{JobState, LastRun};
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    /// `backup`, `light` …
    pub kind: String,
    pub name: String,
    /// The engine command a run executes.
    pub command: String,
    pub cron: String,
    pub tz: String,
    pub enabled: bool,
    pub next_run: Option<DateTime<Utc>>,
    /// The next run in the schedule's own zone, for people.
    pub next_local: Option<String>,
    pub last_run: Option<LastRun>,
    pub state: JobState,
}

/// Soonest first; never-running jobs last.
pub(crate) fn status(inner: &Inner) -> EngineResult<Outcome> {
    let now = Utc::now();
    let mut jobs = Vec::new();
    // Without a scheduler in this process, a run stored as going belongs to
    // one that stopped: show it as the next start will record it.
    let live = inner.scheduler.started.load(std::sync::atomic::Ordering::SeqCst);
    for (client, job) in super::all_jobs(inner)? {
        let mut record = super::record(&inner.store, &super::key(client, &job.name))?;
        if !live {
            record.recover(now);
        }
        let next_run = super::cron::next_run(&job.cron, &job.tz, job.enabled, now);
        jobs.push(JobView {
            kind: client.kind().to_string(),
            command: job.command.spec().name.to_string(),
            next_local: next_run.and_then(|t| super::cron::local(t, &job.tz)),
            name: job.name,
            cron: job.cron,
            tz: job.tz,
            enabled: job.enabled,
            next_run,
            last_run: record.last,
            state: record.state,
        });
    }
    jobs.sort_by(|a, b| {
        (a.next_run.is_none(), a.next_run, &a.kind, &a.name).cmp(&(b.next_run.is_none(), b.next_run, &b.kind, &b.name))
    });
    Ok(Outcome::Scheduler(super::outcome::SchedulerOutcome::SchedulerStatus { jobs }))
}
