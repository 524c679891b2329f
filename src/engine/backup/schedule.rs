//! Backup schedules: cron in a time zone per source, with a retention
//! policy applied after each run. The cron parsing, next-run and window
//! arithmetic are the lights scheduler's (`lights::schedule`), so DST and
//! missed-run rules behave the same everywhere. Runs missed while homedeck
//! was not running are recorded, audited and broadcast, not run late.

use crate::engine::{BackupEvent, BackupOutcome};
use super::model::{BackupSchedule, Keep, validate_name};
use super::views::ScheduleView;
use super::{TREES, catalog};
use crate::engine::audit::{self, Category, Severity, Status};
use crate::engine::context::{AuditDraft, Ctx};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::lights::schedule::{local_tz, next_after, parse_cron, parse_tz, runs_between};
use crate::engine::{Actor, Command, Inner, Outcome};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Weak};
use std::time::Duration;

const CHECKED_AT: &str = "scheduler_checked_at";
const MAX_SLEEP: Duration = Duration::from_secs(60);
const MISSED_KEPT: usize = 50;

pub fn next_run(s: &BackupSchedule, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !s.enabled {
        return None;
    }
    next_after(&parse_cron(&s.cron).ok()?, parse_tz(&s.tz).ok()?, after)
}

fn due(s: &BackupSchedule, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let (Ok(c), Ok(tz)) = (parse_cron(&s.cron), parse_tz(&s.tz)) else { return Vec::new() };
    if !s.enabled {
        return Vec::new();
    }
    runs_between(&c, tz, from.max(s.created), to)
}

fn note_missed(s: &mut BackupSchedule, runs: &[DateTime<Utc>]) {
    s.missed_total += runs.len() as u64;
    s.missed.extend_from_slice(runs);
    let extra = s.missed.len().saturating_sub(MISSED_KEPT);
    s.missed.drain(..extra);
}

pub fn view(s: BackupSchedule) -> ScheduleView {
    let next = next_run(&s, Utc::now());
    let next_local = next.and_then(|t| Some(t.with_timezone(&parse_tz(&s.tz).ok()?).format("%a %Y-%m-%d %H:%M %Z").to_string()));
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
    if checked_at(inner)?.is_none() {
        set_checked_at(inner, Utc::now())?;
    }
    inner.backup.scheduler_wake.notify_one();
    let v = view(s);
    ctx.describe(format!("backup schedule {name}: {source} at \"{}\" ({}); next {}", v.schedule.cron, v.schedule.tz, v.next_local.clone().unwrap_or_else(|| "never".into())));
    Ok(Outcome::Backup(BackupOutcome::BackupSchedules { schedules: vec![v] }))
}

pub(crate) fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("backup_schedule", None, Some(name.to_string()));
    if !catalog::remove_schedule(&inner.store, name)? {
        return Err(EngineError::not_found("backup schedule", name));
    }
    inner.backup.scheduler_wake.notify_one();
    ctx.describe(format!("removed backup schedule {name}"));
    list(inner)
}

fn checked_at(inner: &Inner) -> EngineResult<Option<DateTime<Utc>>> {
    Ok(inner
        .store
        .tree(TREES.meta)?
        .get(CHECKED_AT)?
        .and_then(|v| std::str::from_utf8(&v).ok().and_then(|s| DateTime::parse_from_rfc3339(s).ok()))
        .map(|t| t.with_timezone(&Utc)))
}

fn set_checked_at(inner: &Inner, t: DateTime<Utc>) -> EngineResult<()> {
    inner.store.tree(TREES.meta)?.insert(CHECKED_AT, t.to_rfc3339().as_bytes())?;
    Ok(())
}

/// Record runs that fell while homedeck was not running.
pub(crate) fn report_missed(inner: &Inner, now: DateTime<Utc>) -> EngineResult<u64> {
    let Some(since) = checked_at(inner)? else {
        set_checked_at(inner, now)?;
        inner.store.flush()?;
        return Ok(0);
    };
    let mut total = 0;
    for mut s in catalog::schedules(&inner.store)? {
        let runs = due(&s, since, now);
        let Some(&last) = runs.last() else { continue };
        total += runs.len() as u64;
        note_missed(&mut s, &runs);
        catalog::put_schedule(&inner.store, &s)?;
        let draft = AuditDraft {
            category: Category::Backup,
            severity: Severity::Medium,
            resource: Some(audit::Resource::new("backup_schedule", None, Some(s.name.clone()))),
            description: format!("{} run(s) of backup schedule {} ({}) missed while homedeck was not running; last due {}", runs.len(), s.name, s.source, last.to_rfc3339()),
            changes: Vec::new(),
        };
        audit::record(inner, &Actor::engine(), "backup_schedule_missed", draft, Status::Failure, Some("homedeck was not running".into()))?;
        inner.emit(Event::Backup(BackupEvent::BackupScheduleMissed { schedule: s.name.clone(), count: runs.len() as u64, last }));
    }
    set_checked_at(inner, now)?;
    inner.store.flush()?;
    Ok(total)
}

/// The scheduler loop (started by `backup_watch`); ends with the engine.
pub(crate) fn run(weak: Weak<Inner>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        if let Some(inner) = weak.upgrade()
            && let Err(e) = report_missed(&inner, Utc::now())
        {
            tracing::error!(error = %e, "could not check for missed backup schedules");
        }
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let now = Utc::now();
            let next = catalog::schedules(&inner.store).unwrap_or_default().iter().filter_map(|s| next_run(s, now)).min();
            let sleep = next.map(|n| (n - now).to_std().unwrap_or(Duration::ZERO)).unwrap_or(MAX_SLEEP).min(MAX_SLEEP);
            let notify = inner.backup.scheduler_wake.clone();
            drop(inner);
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {},
                _ = notify.notified() => {},
            }
            let Some(inner) = weak.upgrade() else { return };
            if let Err(e) = tick(&inner, Utc::now()).await {
                tracing::error!(error = %e, "backup scheduler tick failed");
            }
        }
    })
}

async fn exec(inner: &Arc<Inner>, command: Command) -> EngineResult<Outcome> {
    let spec = command.spec();
    let gate = inner.write_gate.clone().lock_owned().await;
    crate::engine::dispatch::execute(inner, command, spec, Actor::engine(), Some(gate)).await
}

/// Run what fell due since the mark: a backup, then the retention policy.
pub(crate) async fn tick(inner: &Arc<Inner>, now: DateTime<Utc>) -> EngineResult<()> {
    let since = checked_at(inner)?.unwrap_or(now);
    set_checked_at(inner, now)?;
    for mut s in catalog::schedules(&inner.store)? {
        let runs = due(&s, since, now);
        let Some((&last, earlier)) = runs.split_last() else { continue };
        if !earlier.is_empty() {
            note_missed(&mut s, earlier);
            inner.emit(Event::Backup(BackupEvent::BackupScheduleMissed { schedule: s.name.clone(), count: earlier.len() as u64, last: earlier[earlier.len() - 1] }));
        }
        let mut result = exec(inner, Command::BackupCreate { source: s.source.clone(), password: None }).await.map(|o| o.summary());
        if result.is_ok() && !s.keep.is_empty() {
            let k = s.keep;
            let forget = Command::BackupForget {
                source: s.source.clone(),
                keep_last: k.last,
                keep_hourly: k.hourly,
                keep_daily: k.daily,
                keep_weekly: k.weekly,
                keep_monthly: k.monthly,
                dry_run: Some(false),
            };
            result = match exec(inner, forget).await {
                Ok(o) => result.map(|r| format!("{r}; {}", o.summary())),
                Err(e) => Err(e),
            };
        }
        let (ok, message) = match result {
            Ok(m) => (true, m),
            Err(e) => (false, e.to_string()),
        };
        if let Some(mut fresh) = catalog::schedule(&inner.store, &s.name)? {
            fresh.missed = s.missed.clone();
            fresh.missed_total = s.missed_total;
            fresh.last_run = Some(last);
            fresh.last_result = Some(if ok { format!("ok: {message}") } else { format!("failed: {message}") });
            catalog::put_schedule(&inner.store, &fresh)?;
        }
        inner.emit(Event::Backup(BackupEvent::BackupScheduleRan { schedule: s.name.clone(), ok, message }));
    }
    inner.store.flush()?;
    Ok(())
}
