//! One round's judgement, with no I/O: which (rule, target) conditions hold
//! now, each with the values that tripped it. The lifecycle (`lifecycle.rs`)
//! turns these into opened, de-duplicated and resolved alerts.

use super::facts::{DeviceFact, Facts};
use super::rules::{AlertKind, Rule, Subject};
use crate::engine::deploy::model::DeployStatus;
use crate::engine::servers::health::types::HealthState;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// A condition that holds now.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the rule in the list evaluated.
    pub rule: usize,
    pub target: String,
    pub summary: String,
    pub evidence: BTreeMap<String, String>,
}

fn ev(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "never".into(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Every condition of every enabled rule that holds at `now`.
pub fn evaluate(rules: &[Rule], facts: &Facts, now: DateTime<Utc>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate().filter(|(_, r)| r.enabled) {
        let mut push = |target: &str, summary: String, evidence: BTreeMap<String, String>| {
            out.push(Finding { rule: i, target: target.to_string(), summary, evidence });
        };
        match rule.kind.subject() {
            Subject::Server => servers(rule, facts, &mut push),
            Subject::Esphome => devices(rule, "ESPHome device", &facts.esphome, &mut push),
            Subject::Wled => devices(rule, "WLED device", &facts.wled, &mut push),
            Subject::Fpp => devices(rule, "FPP host", &facts.fpp, &mut push),
            Subject::Deployment => deployments(rule, facts, &mut push),
            Subject::BackupSchedule => backups(rule, facts, now, &mut push),
            Subject::LightSchedule => light_schedules(rule, facts, &mut push),
            Subject::Secret => secrets(rule, facts, now, &mut push),
            Subject::SecurityEvent => security(rule, facts, &mut push),
        }
    }
    out
}

/// The (rule, target) conditions no round can judge now: servers the health
/// poller has not reported on since this engine started, or whose state it
/// could not tell (the vault still locked after a restart). An alert about
/// one neither resolves nor counts until a probe says.
pub fn undetermined(rules: &[Rule], facts: &Facts) -> std::collections::HashSet<(String, String)> {
    let mut out = std::collections::HashSet::new();
    for rule in rules.iter().filter(|r| r.enabled && r.kind.subject() == Subject::Server) {
        for s in facts.servers.iter().filter(|s| s.report.as_ref().is_none_or(|r| r.state == HealthState::Unknown) && rule.targets.matches(&s.name, &s.tags, s.site.as_deref())) {
            out.insert((rule.name.clone(), s.name.clone()));
        }
    }
    out
}

type Push<'a> = dyn FnMut(&str, String, BTreeMap<String, String>) + 'a;

fn servers(rule: &Rule, facts: &Facts, push: &mut Push<'_>) {
    let limit = rule.threshold.unwrap_or(0.0);
    for s in facts.servers.iter().filter(|s| rule.targets.matches(&s.name, &s.tags, s.site.as_deref())) {
        let Some(r) = &s.report else { continue };
        let reasons = r.reasons.join("; ");
        let base = |extra: Vec<(&str, String)>| {
            let mut e = ev(&[("state", r.state.as_str().to_string()), ("probed", when(Some(r.time)))]);
            if !reasons.is_empty() {
                e.insert("reasons".into(), reasons.clone());
            }
            e.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
            e
        };
        match rule.kind {
            AlertKind::ServerDown if r.state == HealthState::Down => {
                push(&s.name, format!("server {} is down: {reasons}", s.name), base(vec![]));
            }
            AlertKind::ServerDegraded if r.state == HealthState::Degraded => {
                push(&s.name, format!("server {} is degraded: {reasons}", s.name), base(vec![]));
            }
            AlertKind::DiskOver | AlertKind::LoadOver | AlertKind::MemoryOver => {
                let Some(sample) = &r.sample else { continue };
                let (what, value, unit) = match rule.kind {
                    AlertKind::DiskOver => ("disk", f64::from(sample.disk_max_pct()), " %"),
                    AlertKind::LoadOver => ("load", f64::from(sample.load[0]), ""),
                    _ => ("memory", f64::from(sample.mem_pct()), " %"),
                };
                if value > limit {
                    let mut extra = vec![(what, format!("{value:.1}{unit}")), ("limit", format!("{limit}{unit}"))];
                    if rule.kind == AlertKind::DiskOver
                        && let Some(d) = sample.disks.iter().max_by(|a, b| a.pct.total_cmp(&b.pct))
                    {
                        extra.push(("mount", d.mount.clone()));
                    }
                    push(&s.name, format!("server {}: {what} at {value:.1}{unit} (over {limit}{unit})", s.name), base(extra));
                }
            }
            _ => {}
        }
    }
}

fn devices(rule: &Rule, what: &str, list: &[DeviceFact], push: &mut Push<'_>) {
    for d in list.iter().filter(|d| !d.online && rule.targets.matches(&d.name, &[], d.site.as_deref())) {
        let mut e = ev(&[("online", "false".into()), ("last_seen", when(d.last_seen))]);
        if let Some(err) = &d.last_error {
            e.insert("last_error".into(), err.clone());
        }
        push(&d.name, format!("{what} {} is offline (last seen {})", d.name, when(d.last_seen)), e);
    }
}

fn deployments(rule: &Rule, facts: &Facts, push: &mut Push<'_>) {
    for d in facts.deployments.iter().filter(|d| rule.targets.matches(&d.name, &[], d.site.as_deref())) {
        let server_down = facts.servers.iter().any(|s| s.name == d.server && s.state() == HealthState::Down);
        let e = ev(&[("status", d.status.to_string()), ("server", d.server.clone()), ("reason", d.reason.clone())]);
        match rule.kind {
            AlertKind::DeploymentUnhealthy if matches!(d.status, DeployStatus::Unhealthy | DeployStatus::Failed) => {
                push(&d.name, format!("deployment {} is {}: {}", d.name, d.status, d.reason), e);
            }
            // `deploy stop` leaves no reason; a stop with one was not asked for.
            AlertKind::DeploymentStopped if d.status == DeployStatus::Stopped && !d.reason.is_empty() => {
                push(&d.name, format!("deployment {} stopped: {}", d.name, d.reason), e);
            }
            AlertKind::DeploymentStopped if matches!(d.status, DeployStatus::Running | DeployStatus::Starting) && server_down => {
                let mut e = e;
                e.insert("server_state".into(), "down".into());
                push(&d.name, format!("deployment {} is down with its server {}", d.name, d.server), e);
            }
            _ => {}
        }
    }
}

/// The latest scheduled run at or before `to` (looking back at most 8 days).
fn previous_due(b: &super::facts::BackupFact, to: DateTime<Utc>) -> Option<DateTime<Utc>> {
    for back in [Duration::hours(2), Duration::days(2), Duration::days(8)] {
        let runs = crate::engine::scheduler::cron::due(&b.cron, &b.tz, b.enabled, b.created, to - back, to);
        if let Some(t) = runs.last() {
            return Some(*t);
        }
    }
    None
}

fn failed(result: &Option<String>) -> bool {
    result.as_deref().is_some_and(|r| r.starts_with("failed") || r.starts_with("interrupted"))
}

fn backups(rule: &Rule, facts: &Facts, now: DateTime<Utc>, push: &mut Push<'_>) {
    for b in facts.backups.iter().filter(|b| rule.targets.matches(&b.schedule, &[], b.site.as_deref())) {
        let mut e = ev(&[("source", b.source.clone()), ("last_run", when(b.last_run)), ("newest_backup", when(b.newest))]);
        if let Some(r) = &b.last_result {
            e.insert("last_result".into(), r.clone());
        }
        match rule.kind {
            AlertKind::BackupFailed if failed(&b.last_result) => {
                let why = b.last_result.clone().unwrap_or_default();
                push(&b.schedule, format!("backup schedule {} ({}): {why}", b.schedule, b.source), e);
            }
            AlertKind::BackupVerifyFailed => {
                if let Some(err) = &b.newest_verify_error {
                    e.insert("verify_error".into(), err.clone());
                    push(&b.schedule, format!("newest backup of {} failed verification: {err}", b.source), e);
                }
            }
            AlertKind::BackupOverdue => {
                let hours = rule.threshold.unwrap_or(26.0);
                let grace = Duration::seconds((hours * 3600.0) as i64);
                let Some(due) = previous_due(b, now - grace) else { continue };
                if b.newest.is_none_or(|t| t < due) {
                    e.insert("due".into(), when(Some(due)));
                    e.insert("limit".into(), format!("{hours} h"));
                    push(&b.schedule, format!("no successful backup of {} since the run due {} ({hours} h ago or more)", b.source, when(Some(due))), e);
                }
            }
            _ => {}
        }
    }
}

fn light_schedules(rule: &Rule, facts: &Facts, push: &mut Push<'_>) {
    for s in facts.light_schedules.iter().filter(|s| s.enabled && rule.targets.matches(&s.name, &[], None)) {
        let mut e = ev(&[("target", s.target.clone()), ("last_run", when(s.last_run))]);
        if let Some(r) = &s.last_result {
            e.insert("last_result".into(), r.clone());
        }
        match rule.kind {
            AlertKind::LightScheduleFailed if failed(&s.last_result) => {
                push(&s.name, format!("light schedule {}: {}", s.name, s.last_result.clone().unwrap_or_default()), e);
            }
            AlertKind::LightScheduleMissed => {
                if let Some(m) = s.last_missed.filter(|m| s.last_run.is_none_or(|r| *m > r)) {
                    e.insert("missed".into(), when(Some(m)));
                    push(&s.name, format!("light schedule {} missed its run at {}", s.name, when(Some(m))), e);
                }
            }
            _ => {}
        }
    }
}

fn secrets(rule: &Rule, facts: &Facts, now: DateTime<Utc>, push: &mut Push<'_>) {
    for s in facts.secrets.iter().filter(|s| rule.targets.matches(&s.name, &[], None)) {
        let Some(due) = s.due_at else { continue };
        let e = ev(&[("due", when(Some(due)))]);
        match rule.kind {
            AlertKind::SecretRotationDue if due <= now => {
                push(&s.name, format!("secret {} is due for rotation (since {})", s.name, when(Some(due))), e);
            }
            AlertKind::SecretRotationOverdue => {
                let days = rule.threshold.unwrap_or(7.0);
                if due + Duration::seconds((days * 86_400.0) as i64) <= now {
                    push(&s.name, format!("secret {} has been due for rotation since {} (over {days} days)", s.name, when(Some(due))), e);
                }
            }
            _ => {}
        }
    }
}

fn security(rule: &Rule, facts: &Facts, push: &mut Push<'_>) {
    let Some(kind) = rule.kind.security_kind() else { return };
    for e in facts.security.iter().filter(|e| e.kind == kind) {
        let target = format!("event-{}", e.id);
        if rule.targets.matches(&target, &[], None) {
            let evidence = ev(&[("event", e.id.to_string()), ("status", e.status.to_string()), ("raised", when(Some(e.time)))]);
            push(&target, format!("security event {}: {}", e.id, e.title), evidence);
        }
    }
}
