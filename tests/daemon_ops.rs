#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The daemon's operations with the real binary.
//!
//! Config reload: a good config.toml is applied when it changes on disk and
//! on SIGHUP (seen in `daemon status --json` and in the retention the host
//! tells its clients); a bad one is refused with its line, the old settings
//! stay, attached clients get the notice and the daemon keeps serving.
//!
//! Housekeeping as scheduler jobs: audit retention and the secret-rotation
//! check are listed by `daemon status`, run on their cron as
//! `daemon@scheduler` (audit cleanup with the configured retention), and
//! exist only in a daemon — an in-process engine lists none.

mod daemon_common;
use daemon_common::*;
use std::io::Read;
use std::time::{Duration, Instant};

/// Until the status's last reload satisfies `ok`; that status.
fn wait_reload(home: &Home, what: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = home.status();
        if ok(&s["reload"]) {
            return s;
        }
        assert!(Instant::now() < deadline, "no reload {what}: {s}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn good_config_applies_bad_config_is_refused_with_its_line() {
    let home = Home::new();
    let _d = home.daemon();
    let cfg = home.dir.path().join("config/config.toml");
    assert!(cfg.exists(), "the daemon writes the defaults at start");
    let s = home.status();
    assert_eq!(s["reload"], serde_json::Value::Null, "{s}");
    assert_eq!(s["audit_retention_days"], 365);

    // A client attached throughout sees the notices.
    let mut follower = home.spawn(&["events", "--follow", "--json"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while home.status()["clients"].as_array().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the follower did not attach");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Saved by an editor: applied without a signal.
    std::fs::write(&cfg, "[general]\nreadonly = true\ntheme = \"light\"\n[audit]\nretention_days = 30\n[vault]\nidle_lock_secs = 60\n").unwrap();
    let s = wait_reload(&home, "after the file changed", |r| r["ok"] == true && r["trigger"] == "config.toml changed");
    let r = &s["reload"];
    assert_eq!(r["applied"], serde_json::json!(["audit.retention_days", "vault.idle_lock_secs"]), "{s}");
    assert_eq!(r["needs_restart"], serde_json::json!(["general.readonly"]), "{s}");
    assert_eq!(r["for_consoles"], serde_json::json!(["general.theme"]), "{s}");
    assert_eq!(s["audit_retention_days"], 30, "the host runs with the new retention: {s}");
    // The daemon does not switch to read-only under its clients (a CLI
    // started now reads the file itself and refuses its own writes).
    assert_eq!(s["readonly"], false, "read-only waits for a restart: {s}");

    // A typo: refused with the line, the settings in force stay.
    std::fs::write(&cfg, "[audit]\nretention_days = 7\n[vault]\nidle_lock_secs = = 5\n").unwrap();
    let s = wait_reload(&home, "refused", |r| r["ok"] == false);
    let msg = s["reload"]["message"].as_str().unwrap();
    assert!(msg.contains("line 4") && msg.contains("previous settings stay"), "{msg}");
    assert_eq!(s["audit_retention_days"], 30, "{s}");

    // SIGHUP with a value out of range: refused, named.
    std::fs::write(&cfg, "[audit]\nretention_days = 0\n").unwrap();
    wait_reload(&home, "of the zero retention", |r| r["ok"] == false && r["message"].as_str().unwrap().contains("retention_days = 0"));
    _d.signal("HUP");
    let s = wait_reload(&home, "on SIGHUP", |r| r["trigger"] == "SIGHUP");
    assert_eq!(s["reload"]["ok"], false, "{s}");
    assert_eq!(s["audit_retention_days"], 30, "{s}");

    // Fixed and signalled: applied.
    std::fs::write(&cfg, "[audit]\nretention_days = 90\n").unwrap();
    _d.signal("HUP");
    let s = wait_reload(&home, "of the fixed file", |r| r["ok"] == true);
    assert_eq!(s["audit_retention_days"], 90, "{s}");

    // The daemon kept serving all along, and its clients heard about it.
    let (ok, out, err) = home.hd(&["secret", "list", "--json"]);
    assert!(ok, "{err} {out}");
    let _ = follower.kill();
    let mut events = String::new();
    follower.stdout.take().unwrap().read_to_string(&mut events).unwrap();
    let _ = follower.wait();
    assert!(events.contains("config reload refused") && events.contains("line 4"), "{events}");
    assert!(events.contains("applied audit.retention_days"), "{events}");
}

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
