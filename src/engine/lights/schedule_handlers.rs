//! The group and schedule verbs.

use crate::engine::text::plural;
use crate::engine::LightsOutcome;
use super::inventory::{Group, Inventory, validate_name};
use super::schedule::client as runner;
use super::schedule::{Schedule, ScheduleAction};
use super::views::ScheduleView;
use crate::engine::context::Ctx;
use crate::engine::scheduler::{self, cron};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Inner, Outcome};
use chrono::Utc;

pub fn group_list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Lights(LightsOutcome::WledGroups { groups: Inventory::open(&inner.store)?.groups()? }))
}

pub fn group_set(inner: &Inner, ctx: &mut Ctx, name: &str, members: &str) -> EngineResult<Outcome> {
    validate_name("name", name)?;
    ctx.resource("wled_group", None, Some(name.to_string()));
    let inv = Inventory::open(&inner.store)?;
    if inv.device(name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "WLED device (groups and devices share names)".into(), name: name.into() });
    }
    let mut list: Vec<String> = Vec::new();
    for m in members.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        inv.need_device(m)?;
        if !list.iter().any(|x| x == m) {
            list.push(m.to_string());
        }
    }
    if list.is_empty() {
        return Err(EngineError::invalid("members", members, "one or more device names, comma-separated"));
    }
    let before = inv.group(name)?.map(|g| g.members.join(","));
    inv.put_group(&Group { name: name.to_string(), members: list.clone() })?;
    ctx.change("members", before, Some(list.join(",")));
    ctx.describe(format!("group {name} = {}", list.join(", ")));
    Ok(Outcome::Lights(LightsOutcome::WledGroups { groups: inv.groups()? }))
}

pub fn group_remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("wled_group", None, Some(name.to_string()));
    let inv = Inventory::open(&inner.store)?;
    if !inv.remove_group(name)? {
        return Err(EngineError::not_found("group", name));
    }
    ctx.describe(format!("removed group {name}"));
    Ok(Outcome::Lights(LightsOutcome::WledGroups { groups: inv.groups()? }))
}

pub fn view(s: Schedule) -> ScheduleView {
    let next_run = s.next_run(Utc::now());
    let next_local = next_run.and_then(|t| cron::local(t, &s.tz));
    ScheduleView { schedule: s, next_run, next_local }
}

pub fn list(inner: &Inner) -> EngineResult<Outcome> {
    let mut all: Vec<ScheduleView> = runner::all(&inner.store)?.into_iter().map(view).collect();
    all.sort_by(|a, b| a.next_run.cmp(&b.next_run).then_with(|| a.schedule.name.cmp(&b.schedule.name)));
    Ok(Outcome::Lights(LightsOutcome::WledSchedules { schedules: all }))
}

pub fn add(
    inner: &Inner,
    ctx: &mut Ctx,
    name: &str,
    cron: &str,
    target: &str,
    action: &str,
    tz: Option<String>,
) -> EngineResult<Outcome> {
    validate_name("name", name)?;
    ctx.resource("wled_schedule", None, Some(name.to_string()));
    cron::parse_cron(cron)?;
    let tz = tz.filter(|t| !t.trim().is_empty()).unwrap_or_else(cron::local_tz);
    cron::parse_tz(&tz)?;
    let action: ScheduleAction = action.parse()?;
    Inventory::open(&inner.store)?.resolve(target)?;
    if runner::get(&inner.store, name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "light schedule".into(), name: name.into() });
    }
    let s = Schedule {
        name: name.to_string(),
        cron: cron.trim().to_string(),
        tz: tz.clone(),
        target: target.to_string(),
        action,
        enabled: true,
        created: Utc::now(),
        last_run: None,
        last_result: None,
        missed: Vec::new(),
        missed_total: 0,
    };
    runner::put(&inner.store, &s)?;
    // A first schedule starts the missed-run mark now, not at the next start.
    scheduler::mark_if_unset(inner)?;
    scheduler::wake(inner);
    let v = view(s);
    ctx.describe(format!(
        "schedule {name}: {} on {target} at \"{}\" ({tz}); next {}",
        v.schedule.action,
        v.schedule.cron,
        v.next_local.clone().unwrap_or_else(|| "never".into())
    ));
    Ok(Outcome::Lights(LightsOutcome::WledSchedules { schedules: vec![v] }))
}

fn need(inner: &Inner, name: &str) -> EngineResult<Schedule> {
    runner::get(&inner.store, name)?.ok_or_else(|| EngineError::not_found("light schedule", name))
}

pub fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("wled_schedule", None, Some(name.to_string()));
    let s = need(inner, name)?;
    runner::remove(&inner.store, name)?;
    scheduler::wake(inner);
    ctx.describe(format!("removed schedule {name} ({} on {} at \"{}\")", s.action, s.target, s.cron));
    list(inner)
}

pub fn enable(inner: &Inner, ctx: &mut Ctx, name: &str, on: bool) -> EngineResult<Outcome> {
    ctx.resource("wled_schedule", None, Some(name.to_string()));
    let mut s = need(inner, name)?;
    ctx.change("enabled", Some(s.enabled.to_string()), Some(on.to_string()));
    s.enabled = on;
    runner::put(&inner.store, &s)?;
    scheduler::wake(inner);
    ctx.describe(format!("schedule {name} {}", if on { "enabled" } else { "disabled" }));
    list(inner)
}

pub fn ack(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("wled_schedule", None, Some(name.to_string()));
    let mut s = need(inner, name)?;
    ctx.describe(format!("acknowledged {} of schedule {name}", plural(s.missed.len(), "missed run", "missed runs")));
    s.missed.clear();
    runner::put(&inner.store, &s)?;
    list(inner)
}
