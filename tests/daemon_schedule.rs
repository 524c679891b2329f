#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Schedules run with nobody attached: a real daemon, a backup schedule due
//! every minute, no console and no `backup watch` — the catalog gets an
//! entry and the audit log says the scheduler made it (`daemon@scheduler`).

mod daemon_common;
use daemon_common::*;
use std::time::{Duration, Instant};

#[test]
fn a_scheduled_backup_runs_with_nobody_attached() {
    let home = Home::new();
    let src = home.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("flows.json"), "[]").unwrap();
    assert!(home.hd(&["backup", "source", "add", "flows", "--kind", "dir", "--path", src.to_str().unwrap()]).0);
    let (ok, _, err) = home.hd(&["backup", "schedule", "add", "every-minute", "flows", "* * * * *", "--tz", "UTC"]);
    assert!(ok, "{err}");

    let _d = home.daemon();
    // Nothing attaches while we wait; only the catalog is looked at.
    let deadline = Instant::now() + Duration::from_secs(150);
    let entries = loop {
        std::thread::sleep(Duration::from_secs(2));
        let (ok, out, err) = home.hd(&["backup", "list", "--json"]);
        assert!(ok, "{err}");
        if out.contains("\"flows\"") {
            break out;
        }
        assert!(Instant::now() < deadline, "no scheduled backup within 150 s: {out}");
    };
    assert!(entries.contains("flows"), "{entries}");
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by_scheduler = v["page"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "backup_create" && e["actor"]["user"] == "daemon" && e["actor"]["frontend"] == "scheduler");
    assert!(by_scheduler, "no backup_create by daemon@scheduler: {out}");
    let s = home.status();
    let job = &s["schedules"][0];
    assert_eq!(job["name"], "every-minute", "{s}");
    assert!(job["last_run"].is_object(), "{s}");
}
