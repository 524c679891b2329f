//! `kill -9` of the real daemon with 100 notifications queued and their
//! receiver down; restarted with the receiver up, every one of them is
//! delivered, each exactly once. The receiver is the Python one of
//! `tests/peers/notify_receiver.py`; the CLI attaches to the daemon.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;
mod notify_common;

use daemon_common::Home;
use notify_common::Receiver;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn queue(home: &Home) -> Value {
    let (ok, out, err) = home.hd(&["--json", "notify", "queue"]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn kill_9_with_100_queued_delivers_each_exactly_once_after_restart() {
    // A port nobody listens on yet: the receiver is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let home = Home::new();
    let config = home.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[notify]\nmax_attempts = 100\nbackoff_secs = 1\nbackoff_max_secs = 2\ntimeout_secs = 2\n\n[[notify.routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{port}/crash\"\n"
        ),
    )
    .unwrap();
    let mut d = home.daemon();

    // 100 notices, four writers at a time; each acknowledged by the daemon.
    std::thread::scope(|s| {
        for w in 0..4 {
            let home = &home;
            s.spawn(move || {
                for i in (w..100).step_by(4) {
                    let (ok, out, err) = home.hd(&["notify", "send", &format!("n{i:03}"), "--route", "hook"]);
                    assert!(ok && out.contains("queued #"), "n{i:03}: {out}{err}");
                }
            });
        }
    });
    // All 100 are queued and the worker has been failing on them.
    wait_for(60, "100 queued deliveries with failed attempts", || {
        let q = queue(&home);
        let queued = q["queued"].as_array().unwrap();
        queued.len() == 100 && queued.iter().filter(|d| d["attempts"].as_u64().unwrap_or(0) >= 1).count() >= 50
    });
    let q = queue(&home);
    assert!(q["queued"][0]["last_error"].as_str().unwrap().contains("connection refused"), "{q}");

    d.signal("KILL");
    let _ = d.wait(Duration::from_secs(10));

    let rx = Receiver::start_on(port);
    let _d2 = home.daemon();
    wait_for(60, "100 deliveries", || rx.received().len() >= 100);
    // Anything sent twice would arrive in the next retry rounds: wait them out.
    std::thread::sleep(Duration::from_secs(4));
    let got = rx.received();
    let mut titles: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for r in &got {
        let b: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        *titles.entry(b["title"].as_str().unwrap().to_string()).or_default() += 1;
        *ids.entry(r["headers"]["x-homedeck-delivery"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(got.len(), 100, "{} requests acknowledged; repeated: {:?}", got.len(), titles.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>());
    assert_eq!(titles.len(), 100);
    assert_eq!(ids.len(), 100);
    for i in 0..100 {
        assert_eq!(titles.get(&format!("n{i:03}")), Some(&1), "n{i:03}");
    }
    let q = queue(&home);
    assert!(q["queued"].as_array().unwrap().is_empty() && q["dead"].as_array().unwrap().is_empty(), "{q}");
}
