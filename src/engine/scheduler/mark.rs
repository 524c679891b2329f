//! The one `checked_at` mark: every run due up to that instant has been
//! handled (run, missed or waiting). At start, runs between the mark and now
//! fell while homedeck was not running: they are recorded on their schedule,
//! written to the audit log and broadcast — never silently dropped, and not
//! run late ("lights on at 18:00" should not fire at 02:00).
//!
//! Before the scheduler was one, backups and lights each kept their own mark
//! (`backup_meta` / `lights_meta`, key `scheduler_checked_at`). Those are
//! still read at start, for their own kind only, and removed once the report
//! is written, so an upgrade loses no missed run.

use super::{CLIENTS, Client, TREES};
use crate::engine::audit::{self, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::EngineResult;
use crate::engine::store::Store;
use crate::engine::{Actor, Inner};
use chrono::{DateTime, Utc};

const CHECKED_AT: &str = "checked_at";

fn read_time(store: &Store, tree: &str, key: &str) -> EngineResult<Option<DateTime<Utc>>> {
    Ok(store
        .tree(tree)?
        .get(key)?
        .and_then(|v| std::str::from_utf8(&v).ok().and_then(|s| DateTime::parse_from_rfc3339(s).ok()))
        .map(|t| t.with_timezone(&Utc)))
}

pub(crate) fn checked_at(store: &Store) -> EngineResult<Option<DateTime<Utc>>> {
    read_time(store, TREES.meta, CHECKED_AT)
}

pub(crate) fn set_checked_at(store: &Store, t: DateTime<Utc>) -> EngineResult<()> {
    store.tree(TREES.meta)?.insert(CHECKED_AT, t.to_rfc3339().as_bytes())?;
    Ok(())
}

/// A first schedule starts the mark now, not at the next start (so a
/// schedule added while the scheduler is not running is not "missed" back
/// to the beginning of time, nor silently skipped either).
pub(crate) fn mark_if_unset(inner: &Inner) -> EngineResult<()> {
    if checked_at(&inner.store)?.is_none() {
        set_checked_at(&inner.store, Utc::now())?;
    }
    Ok(())
}

/// Where to start looking for `client`'s missed runs: the earlier of the
/// common mark and the kind's own old mark, so nothing is lost.
fn since(client: &dyn Client, store: &Store, common: Option<DateTime<Utc>>) -> EngineResult<Option<DateTime<Utc>>> {
    let legacy = match client.legacy_mark() {
        Some((tree, key)) => read_time(store, tree, key)?,
        None => None,
    };
    Ok(match (common, legacy) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Record runs that fell while homedeck was not running. Returns how many.
pub(crate) fn report_missed(inner: &Inner, now: DateTime<Utc>) -> EngineResult<u64> {
    let common = checked_at(&inner.store)?;
    let mut total = 0;
    for &client in CLIENTS {
        let Some(from) = since(client, &inner.store, common)? else { continue };
        let (category, severity, resource) = client.audit();
        for job in client.jobs(inner)? {
            let runs = super::cron::due(&job.cron, &job.tz, job.enabled, job.created, from, now);
            let Some(&last) = runs.last() else { continue };
            total += runs.len() as u64;
            let draft = AuditDraft {
                category,
                severity,
                resource: Some(audit::Resource::new(resource, None, Some(job.name.clone()))),
                description: format!(
                    "{} of {} missed while homedeck was not running; last due {}",
                    crate::engine::text::plural(runs.len(), "run", "runs"),
                    job.label,
                    last.to_rfc3339()
                ),
                changes: Vec::new(),
                action: None,
                ended: None,
            };
            let action = format!("{resource}_missed");
            audit::record(inner, &Actor::scheduler(), &action, draft, Status::Failure, Some("homedeck was not running".into()))?;
            // After the audit entry: whoever hears the event can find it.
            client.missed(inner, &job.name, &runs)?;
        }
    }
    set_checked_at(&inner.store, now)?;
    for &client in CLIENTS {
        if let Some((tree, key)) = client.legacy_mark() {
            inner.store.tree(tree)?.remove(key)?;
        }
    }
    inner.store.flush()?;
    Ok(total)
}
