//! `homedeck schedule list [--json]`: every schedule of every kind (backups,
//! lights …) as the engine's one scheduler sees it — next run, last run and
//! its result, and whether it is idle, running or waiting for the vault.

use super::Session;
use super::table::{self, age};
use crate::engine::Command;
use crate::engine::views::scheduler::{JobState, JobView};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// Every schedule: kind, cron, next run, last run and result, state
    List,
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[("schedule", "list", "scheduler_status")];

pub async fn run(s: &Session, cmd: ScheduleCmd) -> Result<()> {
    match cmd {
        ScheduleCmd::List => s.print(&s.exec(Command::SchedulerStatus {}).await?),
    }
}

fn state(j: &JobView) -> String {
    match &j.state {
        JobState::WaitingForUnlock { since, folded, .. } if *folded > 0 => {
            format!("waiting for unlock since {} (+{folded} due)", age(*since))
        }
        JobState::WaitingForUnlock { since, .. } => format!("waiting for unlock since {}", age(*since)),
        other => other.label().to_string(),
    }
}

/// The human table for `scheduler_status`.
pub fn print(jobs: &[JobView]) {
    if jobs.is_empty() {
        println!("no schedules — add one with `homedeck backup schedule add` or `homedeck wled schedule add`");
        return;
    }
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            let next = if j.enabled { j.next_local.clone().unwrap_or_else(|| "never".into()) } else { "disabled".into() };
            let last = j.last_run.as_ref().map(|l| format!("{} {}", age(l.finished), l.result)).unwrap_or_else(|| "-".into());
            vec![j.kind.clone(), j.name.clone(), format!("{} ({})", j.cron, j.tz), next, last, state(j)]
        })
        .collect();
    print!("{}", table::render(&["KIND", "NAME", "CRON", "NEXT", "LAST", "STATE"], &rows));
}

impl super::output::Human for crate::engine::SchedulerOutcome {
    fn human(&self) {
        match self {
            crate::engine::SchedulerOutcome::SchedulerStatus { jobs } => print(jobs),
        }
    }
}
