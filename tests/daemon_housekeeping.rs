#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The daemon's housekeeping as scheduler jobs, with the real binary: audit
//! retention and the secret-rotation check are listed by `daemon status`,
//! run on their cron as `daemon@scheduler` (audit cleanup with the
//! configured retention), and exist only in a daemon — an in-process
//! engine lists none.

mod daemon_common;
use daemon_common::*;
use std::time::{Duration, Instant};

#[test]
fn audit_retention_and_rotation_check_run_in_the_daemon_only() {
    let home = Home::new();
    // In-process (no daemon): no housekeeping jobs.
    let (ok, out, err) = home.hd(&["schedule", "list", "--json"]);
    assert!(ok, "{err}");
    assert!(!out.contains("audit-retention"), "{out}");

    let cfg = home.dir.path().join("config/config.toml");
    std::fs::write(&cfg, "[audit]\nretention_days = 3\n[daemon]\naudit_cleanup = \"* * * * *\"\nrotation_check = \"* * * * *\"\n").unwrap();
    let _d = home.daemon();
    let s = home.status();
    let jobs = s["schedules"].as_array().unwrap();
    let names: Vec<_> = jobs.iter().filter(|j| j["kind"] == "daemon").map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["audit-retention", "secret-rotation"], "{s}");

    // Within a minute and a bit both have run, and the cleanup is audited
    // as the scheduler with the configured retention.
    let deadline = Instant::now() + Duration::from_secs(75);
    let s = loop {
        let s = home.status();
        let done = s["schedules"].as_array().unwrap().iter().filter(|j| j["kind"] == "daemon" && j["last_run"].is_object()).count();
        if done == 2 {
            break s;
        }
        assert!(Instant::now() < deadline, "housekeeping did not run: {s}");
        std::thread::sleep(Duration::from_millis(500));
    };
    for j in s["schedules"].as_array().unwrap().iter().filter(|j| j["kind"] == "daemon") {
        assert!(j["last_run"]["result"].to_string().contains("ok"), "{j}");
    }
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cleanup = v["page"]["entries"].as_array().unwrap().iter().find(|e| e["action"] == "audit_cleanup").cloned().expect("an audit_cleanup entry");
    assert_eq!(cleanup["actor"]["user"], "daemon", "{cleanup}");
    assert_eq!(cleanup["actor"]["frontend"], "scheduler", "{cleanup}");
    assert!(cleanup.to_string().contains("older than 3 day"), "{cleanup}");
}
