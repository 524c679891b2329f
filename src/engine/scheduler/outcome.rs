//! What the scheduler answers ([`SchedulerOutcome`]) and broadcasts
//! ([`SchedulerEvent`]). The engine wraps them in `Outcome::Scheduler` /
//! `Event::Scheduler`; a run's own result is broadcast by its domain
//! (`BackupScheduleRan`, `LightsScheduleRan`), so front ends keep showing it
//! where they did.

use crate::engine::text::plural;
use super::jobs::JobState;
use super::status::JobView;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SchedulerOutcome {
    SchedulerStatus { jobs: Vec<JobView> },
}

impl SchedulerOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::SchedulerStatus { jobs } => {
                let waiting = jobs.iter().filter(|j| matches!(j.state, JobState::WaitingForUnlock { .. })).count();
                format!("{}, {waiting} waiting for unlock", plural(jobs.len(), "schedule", "schedules"))
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SchedulerEvent {
    /// A scheduled run needs the vault and waits for it to be unlocked.
    ScheduleWaiting { kind: String, schedule: String, message: String },
}
