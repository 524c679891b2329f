#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The daemon's housekeeping with the real binary, beyond what
//! `daemon_ops.rs` checks (that audit retention and the rotation check are
//! scheduled and run): a secret due for rotation is named in the audit log
//! by `daemon@scheduler`, and the daemon's own log file is rotated by size
//! while it runs.

mod daemon_common;
use daemon_common::*;
use homedeck::engine::internals::store::Store;
use homedeck::engine::internals::vault::{SECRETS, record::SecretRecord};
use homedeck::engine::{Actor, Frontend};
use std::time::{Duration, Instant};

/// Make every secret in `data` 40 days old, as if added then: the one way
/// to have a rotation due without waiting a month. Only the creation time
/// changes (the sealed value does not depend on it).
fn age_secrets(data: &std::path::Path) {
    let store = Store::open(data, &Actor { user: "test".into(), frontend: Frontend::Cli }).unwrap();
    let tree = store.tree(SECRETS).unwrap();
    let keys: Vec<_> = tree.iter().keys().map(Result::unwrap).collect();
    assert!(!keys.is_empty());
    for k in keys {
        let mut rec: SecretRecord = store.get(&tree, &k).unwrap().unwrap();
        rec.meta.created -= chrono::Duration::days(40);
        store.put(&tree, &k, &rec).unwrap();
    }
    store.flush().unwrap();
}

#[test]
fn a_secret_due_for_rotation_is_audited_by_the_scheduler() {
    let home = Home::new();
    assert!(home.hd(&["vault", "init"]).0);
    assert!(home.hd_in(&["secret", "add", "old-token", "--kind", "api_key"], Some("v1")).0);
    assert!(home.hd_in(&["secret", "add", "fresh-token", "--kind", "api_key"], Some("v2")).0);
    let (ok, _, err) = home.hd(&["secret", "rotation", "old-token", "30"]);
    assert!(ok, "{err}");
    age_secrets(&home.data());
    let cfg = home.dir.path().join("config/config.toml");
    std::fs::write(&cfg, "[daemon]\nrotation_check = \"* * * * * *\"\n").unwrap();

    let _d = home.daemon();
    let deadline = Instant::now() + Duration::from_secs(30);
    let entry = loop {
        let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        if let Some(e) = v["page"]["entries"].as_array().unwrap().iter().find(|e| e["action"] == "secret_rotation_due") {
            break e.clone();
        }
        assert!(Instant::now() < deadline, "no secret_rotation_due entry: {out}");
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!((entry["actor"]["user"].as_str(), entry["actor"]["frontend"].as_str()), (Some("daemon"), Some("scheduler")), "{entry}");
    let text = entry.to_string();
    assert!(text.contains("old-token") && !text.contains("fresh-token"), "{entry}");
    assert!(!text.contains("v1"), "a secret value reached the audit log: {entry}");
}

#[test]
fn the_daemon_rotates_its_log_file_by_size_while_it_runs() {
    let mut home = Home::new();
    let state = home.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let log = state.join("homedeck.log");
    // Just under the 10 MiB limit: the daemon's own lines push it over.
    let filler = vec![b'#'; (10 << 20) - 4096];
    std::fs::write(&log, &filler).unwrap();
    home.env.extra.push(("HOMEDECK_LOG".into(), "trace".into()));
    let _d = Daemon { child: Some(home.spawn(&["daemon"])) };
    // Every CLI logs elsewhere, so only the daemon writes (and rotates) this file.
    home.env.extra.push(("HOMEDECK_STATE_DIR".into(), home.dir.path().join("cli-state").display().to_string()));
    home.wait_serving(Duration::from_secs(20));
    let rotated = state.join("homedeck.log.1");
    let deadline = Instant::now() + Duration::from_secs(90);
    while !rotated.exists() {
        assert!(Instant::now() < deadline, "the daemon never rotated its log ({} bytes)", std::fs::metadata(&log).unwrap().len());
        for _ in 0..5 {
            assert!(home.hd(&["audit", "search", "--json"]).0);
        }
    }
    assert!(std::fs::read(&rotated).unwrap().starts_with(&filler[..1024]), "the old content is in .1");
    let live = std::fs::metadata(&log).unwrap().len();
    assert!(live < 1 << 20, "the live log starts again small: {live} bytes");
    // The daemon keeps logging into the new file.
    let before = live;
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&log).unwrap().len() <= before {
        assert!(Instant::now() < deadline, "nothing written to the new log");
        assert!(home.hd(&["vault", "status"]).0);
        std::thread::sleep(Duration::from_millis(100));
    }
}
