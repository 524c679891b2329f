//! `overview`: one pass over what the other domains store and poll. It
//! reads only — the newest health report per server (what the poller saw in
//! this engine), the devices' last known link, deployment status, the
//! backup catalog and schedules, secret metadata (never values), open
//! security events and the newest audit entries since the mark — so it
//! costs the same with a locked vault and never waits on a device.

use super::outcome::{
    Attention, DeploymentCounts, DeviceCounts, Notable, Overview, RotationDue, ServerCounts, SourceStatus,
};
use crate::engine::audit::{AuditQuery, Severity, Status};
use crate::engine::error::EngineResult;
use crate::engine::servers::health::types::HealthState;
use crate::engine::Inner;
use crate::engine::sites::index::SiteIndex;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// How many of the newest entries since the mark are looked at: enough for
/// a day of a busy homelab, few enough that the first frame stays fast.
const INSPECT: usize = 2_000;
/// How many notable entries the overview carries.
const SHOWN: usize = 20;

/// `site`: count only the servers, devices, deployments and backup sources
/// at that site (their effective site: own, else inherited).
pub(crate) fn overview(inner: &Inner, since: DateTime<Utc>, since_from: &str, site: Option<&str>) -> EngineResult<Overview> {
    let now = Utc::now();
    let (notable, notable_total, inspected_all) = notable(inner, since)?;
    let (alerts_open, alerts_attention) = alerts(inner, now)?;
    let at = At::load(inner, site)?;
    Ok(Overview {
        generated: now,
        since,
        since_from: since_from.to_string(),
        site: site.map(str::to_string),
        servers: servers(inner, &at)?,
        devices: devices(inner, &at)?,
        deployments: deployments(inner, &at)?,
        backups: backups(inner, now, &at)?,
        rotations_due: rotations(inner, now)?,
        security_open: crate::engine::security::open_count(&inner.store)?,
        alerts_open,
        alerts_attention,
        notable,
        notable_total,
        inspected_all,
    })
}

/// (open alerts, open ones neither acknowledged nor silenced): read from
/// the open index, so it costs the open alerts, not the history.
fn alerts(inner: &Inner, now: DateTime<Utc>) -> EngineResult<(u64, u64)> {
    use crate::engine::alerts::store;
    let open = store::open(&inner.store)?;
    let silences = store::silences(&inner.store)?;
    let attention = open.iter().filter(|a| a.needs_attention() && !silences.iter().any(|s| s.covers(&a.rule, &a.target, now))).count();
    Ok((open.len() as u64, attention as u64))
}

/// The site filter: everything passes when no site was asked for.
struct At<'a> {
    site: Option<&'a str>,
    ix: SiteIndex,
}

impl<'a> At<'a> {
    fn load(inner: &Inner, site: Option<&'a str>) -> EngineResult<At<'a>> {
        let ix = if site.is_some() { SiteIndex::load(&inner.store)? } else { SiteIndex::default() };
        Ok(At { site, ix })
    }

    fn keeps(&self, effective: Option<&str>) -> bool {
        self.site.is_none_or(|want| crate::engine::sites::same(effective, want))
    }
}

fn servers(inner: &Inner, at: &At) -> EngineResult<ServerCounts> {
    let mut c = ServerCounts::default();
    for s in crate::engine::servers::store::all(&inner.store)?.into_iter().filter(|s| at.keeps(s.site.as_deref())) {
        let report = inner.servers.latest(&s.name);
        let state = report.as_ref().map_or(HealthState::Unknown, |r| r.state);
        match state {
            HealthState::Up => c.up += 1,
            HealthState::Degraded => c.degraded += 1,
            HealthState::Down => c.down += 1,
            HealthState::Unknown => c.unknown += 1,
        }
        if matches!(state, HealthState::Degraded | HealthState::Down) {
            let why = report.map(|r| r.reasons.join("; ")).unwrap_or_default();
            c.attention.push(Attention { name: s.name, state: state.as_str().to_string(), why });
        }
    }
    Ok(c)
}

fn last_seen(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never seen".to_string(), |t| format!("last seen {}", t.format("%Y-%m-%d %H:%M UTC")))
}

fn devices(inner: &Inner, at: &At) -> EngineResult<Vec<DeviceCounts>> {
    let mut out = Vec::new();
    let mut count = |kind: &str, items: Vec<(String, bool, Option<DateTime<Utc>>)>| {
        let mut d = DeviceCounts { kind: kind.to_string(), online: 0, offline: 0, offline_names: Vec::new() };
        for (name, online, seen) in items {
            if online {
                d.online += 1;
            } else {
                d.offline += 1;
                d.offline_names.push(Attention { name, state: "offline".into(), why: last_seen(seen) });
            }
        }
        out.push(d);
    };
    let esphome = crate::engine::esphome::registry::list(&inner.store)?;
    count("esphome", esphome.into_iter().filter(|d| at.keeps(d.site.as_deref())).map(|d| (d.name, d.online, d.last_seen)).collect());
    let inv = crate::engine::lights::inventory::Inventory::open(&inner.store)?;
    count("wled", inv.devices()?.into_iter().filter(|d| at.keeps(d.site.as_deref())).map(|d| (d.name, d.online, d.last_seen)).collect());
    count("fpp", inv.hosts()?.into_iter().filter(|h| at.keeps(h.site.as_deref())).map(|h| (h.name, h.online, h.last_seen)).collect());
    Ok(out)
}

fn deployments(inner: &Inner, at: &At) -> EngineResult<DeploymentCounts> {
    use crate::engine::deploy::model::DeployStatus;
    let mut c = DeploymentCounts::default();
    for d in crate::engine::deploy::store::all(&inner.store)?.into_iter().filter(|d| at.keeps(at.ix.deployment_of(d).as_deref())) {
        c.total += 1;
        if d.status == DeployStatus::Running {
            c.running += 1;
        } else {
            c.attention.push(Attention { name: d.name, state: d.status.as_str().to_string(), why: d.status_reason });
        }
    }
    Ok(c)
}

fn backups(inner: &Inner, now: DateTime<Utc>, at: &At) -> EngineResult<Vec<SourceStatus>> {
    use crate::engine::backup::catalog;
    let mut by: BTreeMap<String, SourceStatus> = BTreeMap::new();
    for s in catalog::sources(&inner.store)?.into_iter().filter(|s| at.keeps(at.ix.source(s).as_deref())) {
        by.insert(
            s.name.clone(),
            SourceStatus { source: s.name, last_backup: None, last_id: None, verify_failed: false, next_run: None, last_run_failed: None },
        );
    }
    // Pre-restore copies and imports are not what a person means by "the
    // last backup" of a source.
    for e in catalog::entries(&inner.store)?.into_iter().filter(|e| e.reason == "manual" || e.reason == "scheduled") {
        if let Some(s) = by.get_mut(&e.source)
            && s.last_backup.is_none_or(|t| e.created > t)
        {
            s.last_backup = Some(e.created);
            s.last_id = Some(e.id);
            s.verify_failed = e.verify_error.is_some();
        }
    }
    for sch in catalog::schedules(&inner.store)? {
        let next = crate::engine::backup::schedule::next_run(&sch, now);
        if let Some(s) = by.get_mut(&sch.source) {
            if let Some(n) = next {
                s.next_run = Some(s.next_run.map_or(n, |m| m.min(n)));
            }
            if let Some(r) = sch.last_result.as_deref().and_then(|r| r.strip_prefix("failed: ")) {
                s.last_run_failed = Some(format!("schedule {}: {r}", sch.name));
            }
        }
    }
    Ok(by.into_values().collect())
}

fn rotations(inner: &Inner, now: DateTime<Utc>) -> EngineResult<Vec<RotationDue>> {
    let mut due: Vec<RotationDue> = crate::engine::vault::all_meta(&inner.store)?
        .into_iter()
        .filter(|m| m.rotation_due(now))
        .filter_map(|m| m.rotation_due_at().map(|due| RotationDue { name: m.name, due }))
        .collect();
    due.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.name.cmp(&b.name)));
    Ok(due)
}

/// Anything that did not succeed, and anything of medium severity or more.
fn notable(inner: &Inner, since: DateTime<Utc>) -> EngineResult<(Vec<Notable>, usize, bool)> {
    let q = AuditQuery { since: Some(since), limit: INSPECT, ..AuditQuery::default() };
    let page = crate::engine::audit::query(&inner.store, &q)?;
    let inspected_all = page.next.is_none();
    let mut shown = Vec::new();
    let mut total = 0;
    for e in page.entries.into_iter().filter(|e| e.status != Status::Success || e.severity >= Severity::Medium) {
        total += 1;
        if shown.len() < SHOWN {
            let text = match (&e.error, e.description.is_empty()) {
                (Some(err), _) => err.clone(),
                (None, false) => e.description.clone(),
                (None, true) => String::new(),
            };
            shown.push(Notable {
                id: e.id,
                time: e.time,
                actor: e.actor.to_string(),
                action: e.action,
                status: e.status.as_str().to_string(),
                severity: e.severity.as_str().to_string(),
                text,
            });
        }
    }
    Ok((shown, total, inspected_all))
}
