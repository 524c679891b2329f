//! Light schedules in sled, and as jobs of the engine's one scheduler:
//! each schedule's action becomes a `Command` (`wled_set`,
//! `wled_preset_apply`, `wled_playlist_start`) the scheduler runs as
//! `daemon@scheduler`; what happened is written back on the schedule (last
//! run and result, missed runs) for `wled_schedule_list` and the `t` view.

use super::Schedule;
use crate::engine::audit::{Category, Severity};
use crate::engine::error::EngineResult;
use crate::engine::event::Event;
use crate::engine::lights::TREES;
use crate::engine::scheduler::jobs::RunResult;
use crate::engine::scheduler::{Client, Job};
use crate::engine::store::Store;
use crate::engine::store::codec;
use crate::engine::{Inner, LightsEvent};
use chrono::{DateTime, Utc};

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

/// The scheduler's client for light schedules.
pub(crate) struct Schedules;

impl Client for Schedules {
    fn kind(&self) -> &'static str {
        "light"
    }

    fn audit(&self) -> (Category, Severity, &'static str) {
        (Category::Lights, Severity::Low, "wled_schedule")
    }

    fn legacy_mark(&self) -> Option<(&'static str, &'static str)> {
        Some((TREES.meta, "scheduler_checked_at"))
    }

    fn jobs(&self, inner: &Inner) -> EngineResult<Vec<Job>> {
        Ok(all(&inner.store)?
            .into_iter()
            .map(|s| Job {
                command: s.action.command(&s.target),
                after: Vec::new(),
                label: format!("schedule {} ({} on {})", s.name, s.action, s.target),
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
        if let Some(mut s) = get(&inner.store, name)? {
            s.note_missed(runs);
            put(&inner.store, &s)?;
        }
        inner.emit(Event::Lights(LightsEvent::LightsScheduleMissed { schedule: name.to_string(), count: runs.len() as u64, last }));
        Ok(())
    }

    fn ran(&self, inner: &Inner, name: &str, due: DateTime<Utc>, result: &RunResult) -> EngineResult<()> {
        // Re-read: the command may have taken a while and the schedule changed.
        if let Some(mut s) = get(&inner.store, name)? {
            s.last_run = Some(due);
            s.last_result = Some(result.to_string());
            put(&inner.store, &s)?;
        }
        let (ok, message) = match result {
            RunResult::Ok { message } => (true, message.clone()),
            RunResult::Failed { message } => (false, message.clone()),
            // The scheduler broadcasts waiting runs itself.
            RunResult::WaitingForUnlock { .. } => return Ok(()),
            RunResult::Interrupted => (false, result.to_string()),
        };
        inner.emit(Event::Lights(LightsEvent::LightsScheduleRan { schedule: name.to_string(), ok, message }));
        Ok(())
    }
}
