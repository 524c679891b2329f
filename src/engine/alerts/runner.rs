//! The background task that runs the rules: a round soon after anything
//! they watch changes (a health round, a device link, a device found gone
//! or back by `presence.rs`, a schedule run, a security event …), when a
//! pending condition reaches its duration or a silence ends, and at least
//! every `[alerts] interval_secs`. A round
//! stores its openings and resolutions with their notices in one sled
//! transaction; each change is then audited and broadcast. It holds the
//! engine weakly, so it ends with the engine.

use super::facts::{self, Needs};
use super::lifecycle;
use super::model::Silence;
use super::outcome::{AlertChange, Transition};
use super::rules::Subject;
use crate::engine::actor::Actor;
use crate::engine::audit::{self, Category, Resource, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::EngineResult;
use crate::engine::notify::Outbox;
use crate::engine::{AlertsEvent, Event, Inner};
use chrono::{DateTime, Utc};
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::broadcast;

/// Events close together are one round (a health round sends one event
/// per server).
const SETTLE: Duration = Duration::from_millis(200);
/// Resolved alerts past retention are removed this often.
const CLEANUP_EVERY: chrono::Duration = chrono::Duration::hours(1);

pub(crate) async fn run(weak: Weak<Inner>) {
    let (mut rx, wake) = match weak.upgrade() {
        Some(inner) => (inner.events.subscribe(), inner.alerts.wake.clone()),
        None => return,
    };
    loop {
        let wait = {
            let Some(inner) = weak.upgrade() else { return };
            match round(&inner, Utc::now()) {
                Ok(next) => next.unwrap_or(inner.alerts.opts.get().interval).min(inner.alerts.opts.get().interval),
                Err(e) => {
                    tracing::warn!(error = %e, "alert round failed");
                    inner.alerts.opts.get().interval
                }
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
            closed = relevant(&mut rx) => {
                if closed {
                    return;
                }
                tokio::time::sleep(SETTLE).await;
                while rx.try_recv().is_ok() {}
            }
        }
    }
}

/// Wait for an event the rules look at. True when the engine is gone.
async fn relevant(rx: &mut broadcast::Receiver<Event>) -> bool {
    use crate::engine::{AuditEvent, BackupEvent, DeployEvent, EsphomeEvent, LightsEvent, ServersEvent, VaultEvent};
    loop {
        match rx.recv().await {
            Ok(e) => {
                let hit = matches!(
                    e,
                    Event::Servers(ServersEvent::ServerHealth { .. } | ServersEvent::ServersChanged)
                        | Event::Esphome(EsphomeEvent::EsphomeLink { .. } | EsphomeEvent::EsphomeDevicesChanged)
                        | Event::Lights(LightsEvent::LightsScheduleRan { .. } | LightsEvent::LightsScheduleMissed { .. } | LightsEvent::LightsLink { .. })
                        | Event::Backup(BackupEvent::BackupScheduleRan { .. } | BackupEvent::BackupScheduleMissed { .. } | BackupEvent::BackupFinished { .. })
                        | Event::Deploy(DeployEvent::DeploymentsChanged)
                        | Event::Audit(AuditEvent::SecurityRaised { .. } | AuditEvent::SecurityUpdated { .. })
                        | Event::Vault(VaultEvent::SecretsChanged)
                );
                if hit {
                    return false;
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => return false,
            Err(broadcast::error::RecvError::Closed) => return true,
        }
    }
}

/// One round at `now`. Returns how long until a pending condition reaches
/// its rule's duration, if one does.
pub(crate) fn round(inner: &Inner, now: DateTime<Utc>) -> EngineResult<Option<Duration>> {
    let opts = inner.alerts.opts.get();
    let needs = Needs::of(&opts.rules);
    let latest = if needs.servers { inner.servers.latest.lock().map(|m| m.clone()).unwrap_or_default() } else { Default::default() };
    let facts = facts::gather(&inner.store, &latest, needs)?;
    let findings = super::evaluate::evaluate(&opts.rules, &facts, now);
    let unknown = super::evaluate::undetermined(&opts.rules, &facts);
    let (changes, next) = {
        let _guard = inner.alerts.records.lock().unwrap_or_else(|p| p.into_inner());
        let mut pending = inner.alerts.pending.lock().unwrap_or_else(|p| p.into_inner());
        let changes = lifecycle::apply_knowing(&inner.store, &opts.rules, findings, &unknown, &mut pending, now)?;
        if !changes.is_empty() {
            // The changes and their notices: one transaction, flushed.
            let mut ix = inner.notify.lock_index();
            let mut out = Outbox::default();
            for c in &changes {
                super::notices::stage(inner, &ix, &mut out, c);
            }
            super::store::commit(&inner.store, &changes, &out.records()?)?;
            inner.store.flush()?;
            out.committed(&mut ix);
        }
        let next = pending
            .iter()
            .filter_map(|((rule, _), first)| {
                let r = opts.rules.iter().find(|r| &r.name == rule)?;
                let at = *first + chrono::Duration::seconds(r.for_secs as i64);
                Some((at - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(20))
            })
            .min();
        (changes, next)
    };
    if !changes.is_empty() {
        inner.notify.wake.notify_one();
        for c in &changes {
            record(inner, c);
            inner.emit(Event::Alerts(AlertsEvent::Changed(Box::new(c.clone()))));
        }
        inner.store.flush()?;
    }
    let silence_ends = silences_ended(inner, &opts.rules, now)?;
    cleanup(inner, opts.retention_days, now);
    Ok(next.into_iter().chain(silence_ends).min())
}

/// Silences that ran out since the last round: the alerts they covered
/// count again (the status bar, the Overview) and may notify again, so
/// each covered open alert is broadcast as `unsilenced`, the end is
/// audited, and `AlertSilencesChanged` goes out. Returns how long until
/// the next running silence ends (the runner wakes then).
fn silences_ended(inner: &Inner, rules: &[super::rules::Rule], now: DateTime<Utc>) -> EngineResult<Option<Duration>> {
    let running: Vec<Silence> = super::store::silences(&inner.store)?.into_iter().filter(|s| s.until > now).collect();
    let ended: Vec<Silence> = {
        let mut seen = inner.alerts.silences_seen.lock().unwrap_or_else(|p| p.into_inner());
        let ended = seen.iter().filter(|s| s.until <= now && !running.iter().any(|r| r.id == s.id)).cloned().collect();
        seen.clone_from(&running);
        ended
    };
    if !ended.is_empty() {
        for a in super::store::open(&inner.store)? {
            // Covered while it ran (`covers` at its start).
            if ended.iter().any(|s| s.covers(&a.rule, &a.target, s.created)) {
                let c = lifecycle::change(&a, Transition::Unsilenced, rules, &running, now);
                inner.emit(Event::Alerts(AlertsEvent::Changed(Box::new(c))));
            }
        }
        for s in &ended {
            let draft = AuditDraft {
                category: Category::System,
                severity: Severity::Info,
                resource: Some(Resource::new("alert_silence", Some(s.id.to_string()), Some(s.what()))),
                description: format!("silence {} ({}) ended at {}", s.id, s.what(), s.until.format("%Y-%m-%d %H:%M:%S UTC")),
                changes: Vec::new(),
                action: None,
                ended: None,
            };
            if let Err(e) = audit::record(inner, &Actor::engine(), "alert_silence_ended", draft, Status::Success, None) {
                tracing::warn!(error = %e, silence = s.id, "could not audit the end of a silence");
            }
        }
        inner.emit(Event::Alerts(AlertsEvent::AlertSilencesChanged));
        inner.store.flush()?;
    }
    Ok(running.iter().map(|s| (s.until - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(20)).min())
}

fn category(subject: Subject) -> Category {
    match subject {
        Subject::Server => Category::Server,
        Subject::Esphome => Category::Esphome,
        Subject::Wled | Subject::Fpp | Subject::LightSchedule => Category::Lights,
        Subject::Deployment => Category::Deploy,
        Subject::BackupSchedule => Category::Backup,
        Subject::Secret => Category::Secret,
        Subject::SecurityEvent => Category::Security,
    }
}

/// Audit one change the engine made on its own (opened, reopened, resolved).
fn record(inner: &Inner, c: &AlertChange) {
    let a = &c.alert;
    let (action, severity) = match c.transition {
        Transition::Opened => ("alert_opened", a.severity),
        Transition::Reopened => ("alert_reopened", a.severity),
        _ => ("alert_resolved", Severity::Info),
    };
    let mut description = format!("alert {} {}: {}", a.id, c.transition.as_str(), a.summary);
    if c.silenced {
        description.push_str(" (silenced)");
    }
    let draft = AuditDraft {
        category: category(a.kind.subject()),
        severity,
        resource: Some(Resource::new("alert", Some(a.id.to_string()), Some(format!("{}/{}", a.rule, a.target)))),
        description,
        changes: vec![crate::engine::audit::Change::new("state", None, Some(a.status().to_string()))],
        action: None,
        ended: None,
    };
    if let Err(e) = audit::record(inner, &Actor::engine(), action, draft, Status::Success, None) {
        tracing::warn!(error = %e, alert = a.id, "could not audit an alert change");
    }
}

/// Once an hour: drop resolved alerts past retention and ended silences.
fn cleanup(inner: &Inner, days: u32, now: DateTime<Utc>) {
    {
        let mut last = inner.alerts.last_cleanup.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| now - t < CLEANUP_EVERY) {
            return;
        }
        *last = Some(now);
    }
    let result = {
        let _guard = inner.alerts.records.lock().unwrap_or_else(|p| p.into_inner());
        lifecycle::cleanup(&inner.store, days, now)
    };
    match result {
        Ok((0, _)) => {}
        Ok((removed, _)) => {
            let draft = AuditDraft {
                category: Category::System,
                severity: Severity::Info,
                resource: Some(Resource::new("alert", None, None)),
                description: format!("removed {removed} resolved alert(s) older than {days} days"),
                changes: Vec::new(),
                action: None,
                ended: None,
            };
            if let Err(e) = audit::record(inner, &Actor::engine(), "alert_cleanup", draft, Status::Success, None) {
                tracing::warn!(error = %e, "could not audit the alert cleanup");
            }
        }
        Err(e) => tracing::warn!(error = %e, "alert cleanup failed"),
    }
}
