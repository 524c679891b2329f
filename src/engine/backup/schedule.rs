//! Backup schedules: cron in a time zone per source, with a retention
//! policy applied after each run. They run on the engine's one scheduler
//! (`engine::scheduler`, which owns cron, DST, missed runs and waiting for
//! the vault): each schedule is a `backup_create` job whose after-step is
//! `backup_forget` with the schedule's policy, both run as
//! `daemon@scheduler`. The last run and missed runs are kept on the
//! schedule for `backup_schedule_list` and the Backups pane.

use super::model::{BackupSchedule, Keep, validate_name};
use super::views::ScheduleView;
use super::{TREES, catalog};
use crate::engine::audit::{Category, Severity};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::scheduler::cron::{self, local_tz, parse_cron, parse_tz};
use crate::engine::scheduler::jobs::RunResult;
use crate::engine::scheduler::{self, Client, Job};
use crate::engine::{BackupEvent, BackupOutcome, Command, Inner, Outcome};
use chrono::{DateTime, Utc};

pub fn next_run(s: &BackupSchedule, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron::next_run(&s.cron, &s.tz, s.enabled, after)
}

pub fn view(s: BackupSchedule) -> ScheduleView {
    let next = next_run(&s, Utc::now());
    let next_local = next.and_then(|t| cron::local(t, &s.tz));
    ScheduleView { schedule: s, next_run: next, next_local }
}

pub(crate) fn views(inner: &Inner) -> EngineResult<Vec<ScheduleView>> {
    let mut v: Vec<_> = catalog::schedules(&inner.store)?.into_iter().map(view).collect();
    v.sort_by(|a, b| a.next_run.cmp(&b.next_run).then_with(|| a.schedule.name.cmp(&b.schedule.name)));
    Ok(v)
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Backup(BackupOutcome::BackupSchedules { schedules: views(inner)? }))
}

pub(crate) fn add(inner: &Inner, ctx: &mut Ctx, name: &str, source: &str, cron: &str, tz: Option<String>, keep: Keep) -> EngineResult<Outcome> {
    validate_name("name", name)?;
    ctx.resource("backup_schedule", None, Some(name.to_string()));
    catalog::source(&inner.store, source)?;
    parse_cron(cron)?;
    let tz = tz.filter(|t| !t.trim().is_empty()).unwrap_or_else(local_tz);
    parse_tz(&tz)?;
    if catalog::schedule(&inner.store, name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "backup schedule".into(), name: name.into() });
    }
    let s = BackupSchedule {
        name: name.into(),
        source: source.into(),
        cron: cron.trim().into(),
        tz,
        keep,
        enabled: true,
        created: Utc::now(),
        last_run: None,
        last_result: None,
        missed: Vec::new(),
        missed_total: 0,
    };
    catalog::put_schedule(&inner.store, &s)?;
    scheduler::mark_if_unset(inner)?;
    scheduler::wake(inner);
    let v = view(s);
    ctx.describe(format!("backup schedule {name}: {source} at \"{}\" ({}); next {}", v.schedule.cron, v.schedule.tz, v.next_local.clone().unwrap_or_else(|| "never".into())));
    Ok(Outcome::Backup(BackupOutcome::BackupSchedules { schedules: vec![v] }))
}

pub(crate) fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("backup_schedule", None, Some(name.to_string()));
    if !catalog::remove_schedule(&inner.store, name)? {
        return Err(EngineError::not_found("backup schedule", name));
    }
    scheduler::wake(inner);
    ctx.describe(format!("removed backup schedule {name}"));
    list(inner)
}

/// The retention step run after a successful scheduled backup.
fn forget(s: &BackupSchedule) -> Command {
    let k = s.keep;
    Command::BackupForget {
        source: s.source.clone(),
        keep_last: k.last,
        keep_hourly: k.hourly,
        keep_daily: k.daily,
        keep_weekly: k.weekly,
        keep_monthly: k.monthly,
        dry_run: Some(false),
    }
}

/// The scheduler's client for backup schedules.
pub(crate) struct Schedules;

impl Client for Schedules {
    fn kind(&self) -> &'static str {
        "backup"
    }

    fn audit(&self) -> (Category, Severity, &'static str) {
        (Category::Backup, Severity::Medium, "backup_schedule")
    }

    fn legacy_mark(&self) -> Option<(&'static str, &'static str)> {
        Some((TREES.meta, "scheduler_checked_at"))
    }

    fn jobs(&self, inner: &Inner) -> EngineResult<Vec<Job>> {
        Ok(catalog::schedules(&inner.store)?
            .into_iter()
            .map(|s| Job {
                command: Command::BackupCreate { source: s.source.clone(), password: None },
                after: if s.keep.is_empty() { Vec::new() } else { vec![forget(&s)] },
                label: format!("backup schedule {} ({})", s.name, s.source),
                name: s.name,
                cron: s.cron,
                tz: s.tz,
                enabled: s.enabled,
                created: s.created,
            })
            .collect())
    }

    fn missed(&self, inner: &Inner, name: &str, runs: &[DateTime<Utc>]) -> EngineResult<()> {
        let Some(&last) = runs.last() else { return Ok(()) };
        if let Some(mut s) = catalog::schedule(&inner.store, name)? {
            cron::note_missed(&mut s.missed, &mut s.missed_total, runs);
            catalog::put_schedule(&inner.store, &s)?;
        }
        inner.emit(Event::Backup(BackupEvent::BackupScheduleMissed { schedule: name.to_string(), count: runs.len() as u64, last }));
        Ok(())
    }

    fn ran(&self, inner: &Inner, name: &str, due: DateTime<Utc>, result: &RunResult) -> EngineResult<()> {
        // Re-read: the backup may have taken a while and the schedule changed.
        if let Some(mut s) = catalog::schedule(&inner.store, name)? {
            s.last_run = Some(due);
            s.last_result = Some(result.to_string());
            catalog::put_schedule(&inner.store, &s)?;
        }
        let (ok, message) = match result {
            RunResult::Ok { message } => (true, message.clone()),
            RunResult::Failed { message } => (false, message.clone()),
            // The scheduler broadcasts waiting runs itself.
            RunResult::WaitingForUnlock { .. } => return Ok(()),
            RunResult::Interrupted => (false, result.to_string()),
        };
        inner.emit(Event::Backup(BackupEvent::BackupScheduleRan { schedule: name.to_string(), ok, message }));
        Ok(())
    }
}
