//! Light schedules end to end: a due schedule runs through the normal
//! command path (audited as `daemon@scheduler`), runs that fell while homedeck was
//! not running are reported after a restart and never silently dropped, and
//! bad input is refused with the bad value named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use homedeck::engine::{LightsEvent, LightsOutcome};
use chrono::{Duration as CDuration, Utc};
use homedeck::engine::{Command, EngineHandle, Event, Outcome};
use lights_peer::{WledPeer, fixtures};
use serde_json::{Value, json};
use std::time::Duration;

fn schedule(name: &str, cron: &str, target: &str, action: &str) -> Command {
    Command::WledScheduleAdd { name: name.into(), cron: cron.into(), target: target.into(), action: action.into(), tz: Some("UTC".into()) }
}

async fn views(e: &EngineHandle) -> Vec<homedeck::engine::internals::lights::views::ScheduleView> {
    match common::run(e, Command::WledScheduleList {}).await.unwrap() {
        Outcome::Lights(LightsOutcome::WledSchedules { schedules }) => schedules,
        o => panic!("{o:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_schedule_runs_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/versions/0.15.4.json")).await;
    peer.shared.change(&json!({"on": false}));
    common::run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    let v = common::run(&e, schedule("blink", "*/2 * * * * *", "porch", "on")).await.unwrap();
    let Outcome::Lights(LightsOutcome::WledSchedules { schedules }) = v else { panic!() };
    assert!(schedules[0].next_run.is_some());
    let mut rx = e.subscribe();
    common::run(&e, Command::LightsWatch {}).await.unwrap();
    let ran = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(Event::Lights(LightsEvent::LightsScheduleRan { schedule, ok, message })) = rx.recv().await {
                return (schedule, ok, message);
            }
        }
    })
    .await
    .expect("the schedule did not run");
    assert_eq!(ran.0, "blink");
    assert!(ran.1, "{}", ran.2);
    assert_eq!(peer.state()["on"], json!(true));
    let audit = common::audit_all(&e).await;
    let run = audit.iter().find(|a| a.action == "wled_set").unwrap();
    // Scheduled runs act as the scheduler (was `homedeck@engine` before the one scheduler).
    assert_eq!(run.actor.to_string(), "daemon@scheduler");
    let v = views(&e).await;
    assert!(v[0].schedule.last_run.is_some());
    assert!(v[0].schedule.last_result.as_deref().unwrap().starts_with("ok"));
    common::run(&e, Command::WledScheduleEnable { name: "blink".into(), enabled: homedeck::engine::internals::lights::args::Flag(false) })
        .await
        .unwrap();
    assert!(views(&e).await[0].next_run.is_none());
}

/// Rewrite one versioned JSON value in a tree of a closed data dir.
fn edit_record(dir: &std::path::Path, tree: &str, key: &str, f: impl FnOnce(&mut Value)) {
    let db = sled::open(dir.join("db")).unwrap();
    let t = db.open_tree(tree).unwrap();
    let raw = t.get(key).unwrap().unwrap();
    let mut v: Value = serde_json::from_slice(&raw[1..]).unwrap();
    f(&mut v);
    let mut out = vec![raw[0]];
    out.extend(serde_json::to_vec(&v).unwrap());
    t.insert(key, out).unwrap();
    db.flush().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_runs_are_reported_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let peer = WledPeer::start(&fixtures().join("wled/rgb.json")).await;
    {
        let e = common::open(dir.path());
        common::run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
        common::run(&e, schedule("minutely", "* * * * *", "porch", "off")).await.unwrap();
        common::run(&e, schedule("yearly", "0 0 1 1 *", "porch", "on")).await.unwrap();
    }
    // homedeck was not running for the last ten minutes (and the schedule is older).
    let ten_ago = Utc::now() - CDuration::minutes(10) - CDuration::seconds(30);
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        db.open_tree("lights_meta").unwrap().insert("scheduler_checked_at", ten_ago.to_rfc3339().as_bytes()).unwrap();
        db.flush().unwrap();
    }
    edit_record(dir.path(), "wled_schedules", "minutely", |v| v["created"] = json!((Utc::now() - CDuration::hours(1)).to_rfc3339()));

    let checked_from = Utc::now();
    let e = common::open(dir.path());
    let mut rx = e.subscribe();
    common::run(&e, Command::LightsWatch {}).await.unwrap();
    let (name, count) = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(Event::Lights(LightsEvent::LightsScheduleMissed { schedule, count, .. })) = rx.recv().await {
                return (schedule, count);
            }
        }
    })
    .await
    .expect("missed runs were not reported");
    let checked_by = Utc::now();
    assert_eq!(name, "minutely");
    // Every minute boundary after `ten_ago` up to the moment of the check,
    // which lies between `checked_from` and `checked_by` (it may cross one).
    let marks = |to: chrono::DateTime<Utc>| (to.timestamp().div_euclid(60) - ten_ago.timestamp().div_euclid(60)) as u64;
    assert!((marks(checked_from)..=marks(checked_by)).contains(&count), "{count} missed, expected {}..={}", marks(checked_from), marks(checked_by));
    assert!(count >= 10, "{count}");
    // Missed runs are not run late.
    assert_eq!(peer.state()["on"], json!(true));
    let v = views(&e).await;
    let m = v.iter().find(|s| s.schedule.name == "minutely").unwrap();
    assert_eq!(m.schedule.missed.len() as u64, count);
    assert!(v.iter().find(|s| s.schedule.name == "yearly").unwrap().schedule.missed.is_empty());
    let audit = common::audit_all(&e).await;
    let entry = audit.iter().find(|a| a.action == "wled_schedule_missed").expect("audit entry");
    assert!(entry.description.contains("minutely") && entry.description.contains("not running"), "{}", entry.description);
    common::run(&e, Command::WledScheduleAck { name: "minutely".into() }).await.unwrap();
    let v = views(&e).await;
    assert!(v.iter().all(|s| s.schedule.missed.is_empty()));
    assert!(v.iter().find(|s| s.schedule.name == "minutely").unwrap().schedule.missed_total >= 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_schedules_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/rgb.json")).await;
    common::run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    for (cmd, want) in [
        (schedule("a", "61 * * * *", "porch", "on"), "61 * * * *"),
        (schedule("a", "every day", "porch", "on"), "every day"),
        (schedule("a", "0 18 * * *", "garage", "on"), "garage"),
        (schedule("a", "0 18 * * *", "porch", "dim"), "dim"),
        (schedule("bad name", "0 18 * * *", "porch", "on"), "bad name"),
        (
            Command::WledScheduleAdd { name: "a".into(), cron: "0 18 * * *".into(), target: "porch".into(), action: "on".into(), tz: Some("Mars/Base".into()) },
            "Mars/Base",
        ),
    ] {
        let err = common::run(&e, cmd).await.unwrap_err().to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
    common::run(&e, schedule("a", "0 18 * * *", "porch", "preset:1")).await.unwrap();
    let err = common::run(&e, schedule("a", "0 19 * * *", "porch", "on")).await.unwrap_err();
    assert!(err.to_string().contains("already exists"));
    assert!(views(&e).await.len() == 1);
}
