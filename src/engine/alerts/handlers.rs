//! The alerts verbs: list, show, acknowledge, silence, unsilence, rules.
//! Acknowledging and silencing broadcast the change of every alert they
//! touch, like a round does, so a notification route hears of them.

use super::lifecycle;
use super::model::{AlertFilter, Silence};
use super::outcome::{AlertRow, AlertsOutcome, Transition};
use super::rules::{format_duration, parse_duration};
use super::store;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{AlertsEvent, Event, Inner, Outcome};
use chrono::Utc;

const MAX_LIST: u32 = 10_000;

fn row(alert: super::model::Alert, silences: &[Silence]) -> AlertRow {
    let now = Utc::now();
    let silenced = silences.iter().any(|s| s.covers(&alert.rule, &alert.target, now));
    AlertRow { alert, silenced }
}

/// Open, unacknowledged, unsilenced alerts: what needs somebody.
pub(crate) fn attention(inner: &Inner, silences: &[Silence]) -> EngineResult<usize> {
    let now = Utc::now();
    Ok(store::open(&inner.store)?.iter().filter(|a| a.needs_attention() && !silences.iter().any(|s| s.covers(&a.rule, &a.target, now))).count())
}

pub(crate) fn list(inner: &Inner, filter: Option<AlertFilter>, limit: Option<u32>) -> EngineResult<Outcome> {
    let filter = filter.unwrap_or(AlertFilter::Active);
    let limit = limit.unwrap_or(200);
    if limit == 0 || limit > MAX_LIST {
        return Err(EngineError::invalid("limit", limit.to_string(), "1 to 10000"));
    }
    let silences = store::silences(&inner.store)?;
    let alerts = store::list(&inner.store, filter, limit as usize)?.into_iter().map(|a| row(a, &silences)).collect();
    Ok(Outcome::Alerts(AlertsOutcome::AlertList { filter, alerts, attention: attention(inner, &silences)? }))
}

pub(crate) fn show(inner: &Inner, id: u64) -> EngineResult<Outcome> {
    let alert = store::get(&inner.store, id)?;
    let mut earlier = Vec::new();
    for other in store::of_condition(&inner.store, &alert.rule, &alert.target)?.into_iter().rev().filter(|o| *o != id).take(20) {
        if let Ok(a) = store::get(&inner.store, other) {
            earlier.push(a);
        }
    }
    let silences = store::silences(&inner.store)?;
    Ok(Outcome::Alerts(AlertsOutcome::AlertShown { alert: row(alert, &silences), earlier }))
}

pub(crate) fn ack(inner: &Inner, ctx: &mut Ctx, id: u64, note: &str) -> EngineResult<Outcome> {
    ctx.resource("alert", Some(id.to_string()), None);
    let now = Utc::now();
    let alert = {
        let _guard = inner.alerts.records.lock().unwrap_or_else(|p| p.into_inner());
        lifecycle::ack(&inner.store, id, &ctx.actor.to_string(), note, now)?
    };
    ctx.resource("alert", Some(id.to_string()), Some(format!("{}/{}", alert.rule, alert.target)));
    ctx.describe(format!("acknowledged alert {id} ({}): {}", alert.summary, note.trim()));
    ctx.change("ack", None, Some(note.trim().to_string()));
    let rules = inner.alerts.opts.get().rules;
    let silences = store::silences(&inner.store)?;
    inner.emit(Event::Alerts(AlertsEvent::Changed(Box::new(lifecycle::change(&alert, Transition::Acknowledged, &rules, &silences, now)))));
    Ok(Outcome::Alerts(AlertsOutcome::AlertAcked { alert }))
}

fn blank(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && s != "-")
}

pub(crate) fn silence(inner: &Inner, ctx: &mut Ctx, rule: Option<String>, target: Option<String>, duration: &str, note: Option<String>) -> EngineResult<Outcome> {
    let (rule, target) = (blank(rule), blank(target));
    ctx.resource("alert_silence", None, Some(rule.clone().or_else(|| target.clone()).unwrap_or_default()));
    let rules = inner.alerts.opts.get().rules;
    if rule.is_none() && target.is_none() {
        return Err(EngineError::invalid("rule", "", "a rule name, a target, or both (what to silence)"));
    }
    if let Some(r) = &rule
        && !rules.iter().any(|x| &x.name == r)
    {
        let known: Vec<&str> = rules.iter().map(|x| x.name.as_str()).collect();
        let expected = if known.is_empty() { "a rule of [[alerts.rules]] (none are configured)".to_string() } else { format!("one of the rules: {}", known.join(", ")) };
        return Err(EngineError::invalid("rule", r.clone(), &expected));
    }
    let length = parse_duration("duration", duration)?;
    if length.as_secs() == 0 {
        return Err(EngineError::invalid("duration", duration, "a duration longer than 0, such as 30m, 2h or 1d"));
    }
    let now = Utc::now();
    let silence = Silence {
        id: inner.store.next_id()?,
        rule,
        target,
        until: now + chrono::Duration::seconds(length.as_secs() as i64),
        by: ctx.actor.to_string(),
        created: now,
        note: note.map(|n| n.trim().to_string()).unwrap_or_default(),
    };
    store::put_silence(&inner.store, &silence)?;
    let silences = store::silences(&inner.store)?;
    let mut covers = Vec::new();
    for a in store::open(&inner.store)?.into_iter().filter(|a| silence.covers(&a.rule, &a.target, now)) {
        covers.push(a.id);
        inner.emit(Event::Alerts(AlertsEvent::Changed(Box::new(lifecycle::change(&a, Transition::Silenced, &rules, &silences, now)))));
    }
    inner.emit(Event::Alerts(AlertsEvent::AlertSilencesChanged));
    ctx.resource("alert_silence", Some(silence.id.to_string()), Some(silence.what()));
    ctx.describe(format!("silenced {} for {} (until {}); {} open alert(s) covered", silence.what(), format_duration(length.as_secs()), silence.until.format("%Y-%m-%d %H:%M UTC"), covers.len()));
    ctx.change("until", None, Some(silence.until.to_rfc3339()));
    Ok(Outcome::Alerts(AlertsOutcome::AlertSilenced { silence, covers }))
}

pub(crate) fn unsilence(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    ctx.resource("alert_silence", Some(id.to_string()), None);
    let silence = store::silence(&inner.store, id)?;
    store::remove_silence(&inner.store, id)?;
    let now = Utc::now();
    let rules = inner.alerts.opts.get().rules;
    let silences = store::silences(&inner.store)?;
    for a in store::open(&inner.store)?.into_iter().filter(|a| silence.covers(&a.rule, &a.target, now)) {
        inner.emit(Event::Alerts(AlertsEvent::Changed(Box::new(lifecycle::change(&a, Transition::Unsilenced, &rules, &silences, now)))));
    }
    inner.emit(Event::Alerts(AlertsEvent::AlertSilencesChanged));
    ctx.resource("alert_silence", Some(id.to_string()), Some(silence.what()));
    ctx.describe(format!("ended silence {id} ({}) early; it ran until {}", silence.what(), silence.until.format("%Y-%m-%d %H:%M UTC")));
    Ok(Outcome::Alerts(AlertsOutcome::AlertUnsilenced { silence }))
}

pub(crate) fn rules(inner: &Inner) -> EngineResult<Outcome> {
    let now = Utc::now();
    let silences = store::silences(&inner.store)?.into_iter().filter(|s| s.until > now).collect();
    Ok(Outcome::Alerts(AlertsOutcome::AlertRules { rules: inner.alerts.opts.get().rules, silences, evaluating: inner.alerts.evaluating() }))
}
