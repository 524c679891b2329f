//! One schedule's run state, as a small state machine with no I/O, so the
//! rules ("a run that needs the vault waits for it, and is never reported as
//! done or silently dropped") are unit-tested without an engine.
//!
//! ```text
//!   Idle ──due──► Running ──ok / failed──► Idle
//!    ▲               │
//!    │               └──vault locked──► Waiting ──due──► Waiting (folded in)
//!    └──────── unlock: Waiting ──► Running ───────────────┘
//! ```
//!
//! The record is stored (tree `scheduler_jobs`), so a run that was going
//! when the process died is reported as interrupted at the next start, and a
//! run waiting for the vault still waits after a restart.

use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a job is doing now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    Idle,
    Running { since: DateTime<Utc>, due: DateTime<Utc> },
    /// The command needs the vault key and the vault is locked: the run
    /// happens as soon as the vault is unlocked. `folded` counts later due
    /// runs that this one run stands for.
    WaitingForUnlock { since: DateTime<Utc>, due: DateTime<Utc>, folded: u64 },
}

impl JobState {
    /// For people and tables: idle, running, waiting for unlock.
    pub fn label(&self) -> &'static str {
        match self {
            JobState::Idle => "idle",
            JobState::Running { .. } => "running",
            JobState::WaitingForUnlock { .. } => "waiting for unlock",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RunResult {
    Ok { message: String },
    Failed { message: String },
    /// homedeck stopped while the run was going.
    Interrupted,
    /// It could not run yet: the vault is locked (see [`JobState::WaitingForUnlock`]).
    WaitingForUnlock { message: String },
}

impl std::fmt::Display for RunResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunResult::Ok { message } => write!(f, "ok: {message}"),
            RunResult::Failed { message } => write!(f, "failed: {message}"),
            RunResult::Interrupted => f.write_str("interrupted: homedeck stopped during the run"),
            RunResult::WaitingForUnlock { message } => write!(f, "waiting for unlock: {message}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    /// The scheduled time this run was for.
    pub due: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub result: RunResult,
}

/// How a command run by the scheduler ended, before it is recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    Ok(String),
    Failed(String),
    /// The command failed with `VaultLocked` and no credential unlocked it.
    NeedsVault(String),
}

/// What to do with a run that fell due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Begin {
    /// Start it now.
    Run(DateTime<Utc>),
    /// The previous run is still going: this one is missed.
    Busy,
    /// The job waits for the vault: the waiting run stands for this one too.
    Folded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub state: JobState,
    pub last: Option<LastRun>,
}

impl Default for JobRecord {
    fn default() -> Self {
        JobRecord { state: JobState::Idle, last: None }
    }
}

impl Record for JobRecord {
    const WHAT: &'static str = "scheduler job";
}

impl JobRecord {
    /// A run fell due at `due`.
    pub fn begin(&mut self, due: DateTime<Utc>, now: DateTime<Utc>) -> Begin {
        match &mut self.state {
            JobState::Idle => {
                self.state = JobState::Running { since: now, due };
                Begin::Run(due)
            }
            JobState::Running { .. } => Begin::Busy,
            JobState::WaitingForUnlock { due: waiting_for, folded, .. } => {
                *waiting_for = due;
                *folded += 1;
                Begin::Folded
            }
        }
    }

    /// The vault was unlocked: a waiting job runs now. Returns the due time
    /// it runs for and how many due runs it stands for beyond the first.
    pub fn resume(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, u64)> {
        let JobState::WaitingForUnlock { due, folded, .. } = self.state else { return None };
        self.state = JobState::Running { since: now, due };
        Some((due, folded))
    }

    /// The run for `due` ended.
    pub fn finish(&mut self, due: DateTime<Utc>, finish: Finish, now: DateTime<Utc>) -> RunResult {
        let result = match finish {
            Finish::Ok(message) => RunResult::Ok { message },
            Finish::Failed(message) => RunResult::Failed { message },
            Finish::NeedsVault(message) => RunResult::WaitingForUnlock { message },
        };
        self.state = match result {
            RunResult::WaitingForUnlock { .. } => JobState::WaitingForUnlock { since: now, due, folded: 0 },
            _ => JobState::Idle,
        };
        self.last = Some(LastRun { due, finished: now, result: result.clone() });
        result
    }

    /// At start: a run recorded as going was cut off by the last stop.
    /// Returns the due time of the interrupted run.
    pub fn recover(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let JobState::Running { due, .. } = self.state else { return None };
        self.state = JobState::Idle;
        self.last = Some(LastRun { due, finished: now, result: RunResult::Interrupted });
        Some(due)
    }

    pub fn waiting(&self) -> bool {
        matches!(self.state, JobState::WaitingForUnlock { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + min * 60, 0).unwrap()
    }

    #[test]
    fn a_run_that_needs_the_vault_waits_then_runs_after_unlock() {
        let mut r = JobRecord::default();
        assert_eq!(r.begin(t(0), t(0)), Begin::Run(t(0)));
        let res = r.finish(t(0), Finish::NeedsVault("the vault is locked".into()), t(1));
        assert_eq!(res.to_string(), "waiting for unlock: the vault is locked");
        assert!(r.waiting() && r.state.label() == "waiting for unlock");
        assert!(!matches!(r.last.as_ref().unwrap().result, RunResult::Ok { .. }), "a waiting run is never reported as done");
        // Later due runs fold into the waiting one: not run, not dropped.
        assert_eq!(r.begin(t(5), t(5)), Begin::Folded);
        assert_eq!(r.begin(t(6), t(6)), Begin::Folded);
        assert!(r.waiting());
        // Unlock: it runs once, for the latest due time, standing for two more.
        assert_eq!(r.resume(t(7)), Some((t(6), 2)));
        assert_eq!(r.state, JobState::Running { since: t(7), due: t(6) });
        assert_eq!(r.begin(t(8), t(8)), Begin::Busy);
        let res = r.finish(t(6), Finish::Ok("backup #3".into()), t(9));
        assert_eq!(res, RunResult::Ok { message: "backup #3".into() });
        assert_eq!(r.state, JobState::Idle);
        assert_eq!(r.last.as_ref().unwrap().due, t(6));
        assert_eq!(r.resume(t(10)), None, "only a waiting job resumes");
    }

    #[test]
    fn a_failure_is_recorded_as_a_failure_and_a_cut_off_run_as_interrupted() {
        let mut r = JobRecord::default();
        r.begin(t(0), t(0));
        let res = r.finish(t(0), Finish::Failed("no such source".into()), t(1));
        assert_eq!(res.to_string(), "failed: no such source");
        assert_eq!(r.state, JobState::Idle);
        assert_eq!(r.recover(t(2)), None, "an idle job was not interrupted");
        r.begin(t(3), t(3));
        assert_eq!(r.recover(t(4)), Some(t(3)));
        assert_eq!(r.last.as_ref().unwrap().result, RunResult::Interrupted);
        assert_eq!(r.state, JobState::Idle);
        // A waiting job still waits after a restart.
        r.begin(t(5), t(5));
        r.finish(t(5), Finish::NeedsVault("locked".into()), t(5));
        assert_eq!(r.recover(t(6)), None);
        assert!(r.waiting());
    }

    #[test]
    fn the_stored_shape_is_readable() {
        let mut r = JobRecord::default();
        r.begin(t(0), t(0));
        r.finish(t(0), Finish::NeedsVault("locked".into()), t(1));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["state"]["state"], "waiting_for_unlock");
        assert_eq!(json["last"]["result"]["result"], "waiting_for_unlock");
        assert_eq!(serde_json::from_value::<JobRecord>(json).unwrap(), r);
    }
}
