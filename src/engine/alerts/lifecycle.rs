//! An alert's life, on the store: a condition that has held for its rule's
//! duration opens an alert (or reopens: a new alert naming the earlier
//! one); while it holds, the same alert counts it (first and last seen,
//! not one alert per poll); when it clears, the alert resolves itself.
//! Acknowledging and silencing are here too. The caller holds the domain's
//! record lock, and emits and audits the changes returned.

use super::evaluate::Finding;
use super::model::{Ack, Alert, AlertState, Silence};
use super::outcome::{AlertChange, Transition};
use super::rules::Rule;
use super::store;
use crate::engine::audit::Severity;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};

/// Conditions seen true but not yet for their rule's duration: (rule,
/// target) → first seen. Kept in memory: after a restart a condition must
/// hold for its duration again before it opens.
pub type Pending = HashMap<(String, String), DateTime<Utc>>;

/// The change record of `alert` as its rule routes it.
pub fn change(alert: &Alert, transition: Transition, rules: &[Rule], silences: &[Silence], now: DateTime<Utc>) -> AlertChange {
    let rule = rules.iter().find(|r| r.name == alert.rule);
    AlertChange {
        transition,
        severity: alert.severity,
        routes: rule.map(|r| r.routes.clone()).unwrap_or_default(),
        min_severity: rule.map_or(Severity::Info, |r| r.min_severity),
        silenced: silences.iter().any(|s| s.covers(&alert.rule, &alert.target, now)),
        alert: alert.clone(),
    }
}

/// Apply one round's findings and store them (no notices). Returns every
/// change, in order.
pub fn apply(store: &Store, rules: &[Rule], findings: Vec<Finding>, pending: &mut Pending, now: DateTime<Utc>) -> EngineResult<Vec<AlertChange>> {
    let changes = apply_knowing(store, rules, findings, &HashSet::new(), pending, now)?;
    store::commit(store, &changes, &[])?;
    Ok(changes)
}

/// [`apply`], where `unknown` names the (rule, target) conditions this
/// round could not judge (a server not probed yet since the engine
/// started): an open alert among them neither counts nor resolves, so a
/// restart does not resolve, notify and then reopen what is still wrong.
///
/// The counting of open alerts is written here; openings and resolutions
/// are only returned: the caller stores them with their notices in one
/// transaction (`store::commit`).
pub fn apply_knowing(
    store: &Store,
    rules: &[Rule],
    findings: Vec<Finding>,
    unknown: &HashSet<(String, String)>,
    pending: &mut Pending,
    now: DateTime<Utc>,
) -> EngineResult<Vec<AlertChange>> {
    let silences = store::silences(store)?;
    let mut open: HashMap<(String, String), Alert> = store::open(store)?.into_iter().map(|a| ((a.rule.clone(), a.target.clone()), a)).collect();
    let mut holding: HashSet<(String, String)> = HashSet::with_capacity(findings.len());
    let mut changes = Vec::new();
    for f in findings {
        let Some(rule) = rules.get(f.rule) else { continue };
        let k = (rule.name.clone(), f.target.clone());
        holding.insert(k.clone());
        if let Some(mut a) = open.remove(&k) {
            a.last_seen = now;
            a.count += 1;
            a.summary = f.summary;
            a.evidence = f.evidence;
            store::put(store, &a)?;
            continue;
        }
        let first = *pending.entry(k.clone()).or_insert(now);
        if now - first < Duration::seconds(rule.for_secs as i64) {
            continue;
        }
        pending.remove(&k);
        let earlier = store::of_condition(store, &rule.name, &f.target)?.last().copied();
        let a = Alert {
            id: store.next_id()?,
            rule: rule.name.clone(),
            kind: rule.kind,
            target: f.target,
            severity: rule.severity,
            state: AlertState::Open,
            summary: f.summary,
            evidence: f.evidence,
            first_seen: first,
            last_seen: now,
            opened: now,
            count: 1,
            resolved: None,
            ack: None,
            reopens: earlier,
        };
        let t = if earlier.is_some() { Transition::Reopened } else { Transition::Opened };
        changes.push(change(&a, t, rules, &silences, now));
    }
    // Whatever is still open did not hold this round: it resolves, unless
    // the round could not tell.
    for (k, mut a) in open {
        if unknown.contains(&k) {
            continue;
        }
        a.state = AlertState::Resolved;
        a.resolved = Some(now);
        if !rules.iter().any(|r| r.name == a.rule && r.enabled) {
            a.evidence.insert("resolved_because".into(), "its rule was removed or disabled".into());
        }
        changes.push(change(&a, Transition::Resolved, rules, &silences, now));
    }
    pending.retain(|k, _| holding.contains(k));
    Ok(changes)
}

/// Acknowledge an open alert with a note.
pub fn ack(store: &Store, id: u64, by: &str, note: &str, now: DateTime<Utc>) -> EngineResult<Alert> {
    let note = note.trim();
    if note.is_empty() {
        return Err(EngineError::invalid("note", note, "a few words on what is being done about it"));
    }
    let mut a = store::get(store, id)?;
    if !a.is_open() {
        return Err(EngineError::invalid("alert", id.to_string(), "an open alert (this one resolved; nothing to acknowledge)"));
    }
    if let Some(prev) = &a.ack {
        return Err(EngineError::invalid("alert", id.to_string(), &format!("an alert not yet acknowledged (acknowledged by {} at {})", prev.by, prev.at.format("%Y-%m-%d %H:%M UTC"))));
    }
    a.ack = Some(Ack { by: by.to_string(), at: now, note: note.to_string() });
    store::put(store, &a)?;
    Ok(a)
}

/// Remove resolved alerts older than `days` and silences that ended.
/// Returns (alerts removed, silences removed).
pub fn cleanup(store: &Store, days: u32, now: DateTime<Utc>) -> EngineResult<(usize, usize)> {
    let cutoff = now - Duration::days(i64::from(days));
    let mut removed = 0;
    for a in store::list(store, super::model::AlertFilter::Resolved, usize::MAX)? {
        if a.resolved.is_some_and(|t| t < cutoff) {
            store::remove(store, &a)?;
            removed += 1;
        }
    }
    let mut ended = 0;
    for s in store::silences(store)? {
        if s.until <= now && store::remove_silence(store, s.id)? {
            ended += 1;
        }
    }
    Ok((removed, ended))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::actor::Actor;
    use crate::engine::alerts::rules::{AlertKind, Selector};
    use std::collections::BTreeMap;

    fn rule(for_secs: u64) -> Rule {
        Rule {
            name: "down".into(),
            kind: AlertKind::ServerDown,
            targets: Selector::all(),
            threshold: None,
            for_secs,
            severity: Severity::High,
            routes: vec!["ops".into()],
            min_severity: Severity::Low,
            enabled: true,
        }
    }

    fn finding(target: &str) -> Finding {
        Finding { rule: 0, target: target.into(), summary: format!("{target} is down"), evidence: BTreeMap::new() }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn opens_after_its_duration_counts_resolves_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &Actor::engine()).unwrap();
        let rules = vec![rule(60)];
        let mut pending = Pending::new();
        assert!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(0)).unwrap().is_empty());
        assert!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(30)).unwrap().is_empty());
        let c = apply(&store, &rules, vec![finding("web1")], &mut pending, t(60)).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].transition, c[0].routes.clone(), c[0].min_severity), (Transition::Opened, vec!["ops".to_string()], Severity::Low));
        assert_eq!(c[0].alert.first_seen, t(0));
        // While it holds: the same alert, counted.
        assert!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(75)).unwrap().is_empty());
        let open = store::open(&store).unwrap();
        assert_eq!((open.len(), open[0].count, open[0].last_seen), (1, 2, t(75)));
        // Clears: resolves by itself.
        let c = apply(&store, &rules, vec![], &mut pending, t(90)).unwrap();
        assert_eq!((c[0].transition, c[0].alert.resolved), (Transition::Resolved, Some(t(90))));
        assert!(store::open(&store).unwrap().is_empty());
        // Comes back: a new alert after the duration, naming the old one.
        assert!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(100)).unwrap().is_empty());
        let c = apply(&store, &rules, vec![finding("web1")], &mut pending, t(160)).unwrap();
        assert_eq!(c[0].transition, Transition::Reopened);
        assert_eq!(c[0].alert.reopens, Some(open[0].id));
        assert_ne!(c[0].alert.id, open[0].id);
    }

    #[test]
    fn an_open_alert_the_round_cannot_judge_stays_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &Actor::engine()).unwrap();
        let rules = vec![rule(0)];
        let mut pending = Pending::new();
        assert_eq!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(0)).unwrap().len(), 1);
        let unknown = HashSet::from([("down".to_string(), "web1".to_string())]);
        assert!(apply_knowing(&store, &rules, vec![], &unknown, &mut pending, t(10)).unwrap().is_empty());
        assert_eq!(store::open(&store).unwrap().len(), 1);
        assert_eq!(apply(&store, &rules, vec![], &mut pending, t(20)).unwrap()[0].transition, Transition::Resolved);
    }

    #[test]
    fn a_blip_shorter_than_the_duration_never_opens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &Actor::engine()).unwrap();
        let rules = vec![rule(60)];
        let mut pending = Pending::new();
        apply(&store, &rules, vec![finding("web1")], &mut pending, t(0)).unwrap();
        apply(&store, &rules, vec![], &mut pending, t(30)).unwrap();
        assert!(apply(&store, &rules, vec![finding("web1")], &mut pending, t(61)).unwrap().is_empty());
        assert!(store::open(&store).unwrap().is_empty());
    }

    #[test]
    fn ack_needs_a_note_and_an_open_alert_and_silences_mark_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &Actor::engine()).unwrap();
        let rules = vec![rule(0)];
        let mut pending = Pending::new();
        let c = apply(&store, &rules, vec![finding("web1")], &mut pending, t(0)).unwrap();
        let id = c[0].alert.id;
        assert!(ack(&store, id, "alice@cli", "  ", t(1)).unwrap_err().to_string().contains("note"));
        let a = ack(&store, id, "alice@cli", "rebooting it", t(2)).unwrap();
        assert_eq!(a.ack.as_ref().map(|k| k.by.as_str()), Some("alice@cli"));
        assert!(ack(&store, id, "bob@cli", "me too", t(3)).unwrap_err().to_string().contains("alice@cli"));
        let s = Silence { id: 99, rule: Some("down".into()), target: None, until: t(100), by: "alice@cli".into(), created: t(0), note: String::new() };
        store::put_silence(&store, &s).unwrap();
        let c = apply(&store, &rules, vec![], &mut pending, t(10)).unwrap();
        assert!(c[0].silenced && c[0].transition == Transition::Resolved);
        assert!(ack(&store, id, "alice@cli", "late", t(11)).unwrap_err().to_string().contains("resolved"));
        assert_eq!(cleanup(&store, 1, t(200_000)).unwrap(), (1, 1));
    }
}
