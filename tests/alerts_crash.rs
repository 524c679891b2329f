//! `kill -9` of the real daemon in the middle of alert rounds: an alert
//! change and the notices it queues are stored in one sled transaction, so
//! after any kill every alert the store holds has its notice on the way.
//!
//! Sixty `server_down` rules on the suite's test sshd make each round open
//! (then resolve) sixty alerts at once, with a notice each on a webhook
//! route to the Python receiver. The daemon is killed the instant the
//! first change is broadcast — mid-round, while the others are being
//! audited and sent. Restarted, every open (then resolved) alert in the
//! store reaches the receiver as `opened` (then `resolved`); a repeat is
//! only ever the same delivery again (at least once), never a second one.
//! Were an alert stored before its notice was queued, the kill would leave
//! alerts that are never announced and this would time out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;
mod notify_common;
#[path = "common/sshd.rs"]
mod sshd;

use daemon_common::{Daemon, Home};
use notify_common::Receiver;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RULES: usize = 60;

fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> Result<(), String>) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        match f() {
            Ok(()) => return,
            Err(state) => assert!(Instant::now() < deadline, "timed out waiting for {what}: {state}"),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn json(home: &Home, args: &[&str]) -> Value {
    let (ok, out, err) = home.hd(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// Every alert in the store: (id, open).
fn alerts(home: &Home) -> Vec<(u64, bool)> {
    let v = json(home, &["--json", "alert", "list", "--filter", "all", "--limit", "10000"]);
    v["alerts"].as_array().unwrap().iter().map(|a| (a["id"].as_u64().unwrap(), a["state"] == "open")).collect()
}

/// Per (alert id, transition): the distinct deliveries that carried it.
fn announced(rx: &Receiver) -> HashMap<(u64, String), HashSet<u64>> {
    let mut out: HashMap<(u64, String), HashSet<u64>> = HashMap::new();
    for r in rx.received() {
        let b: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        for n in b["notices"].as_array().unwrap() {
            let id = n["alert_id"].as_str().unwrap().parse().unwrap();
            out.entry((id, n["transition"].as_str().unwrap().to_string())).or_default().insert(b["id"].as_u64().unwrap());
        }
    }
    out
}

/// Start the daemon and unlock its vault (the health poller logs in with a
/// key kept there).
fn start(home: &Home) -> Daemon {
    let d = home.daemon();
    let (ok, _, err) = home.hd(&["vault", "unlock"]);
    assert!(ok, "{err}");
    d
}

/// Follow the daemon's events; kill it -9 as soon as an alert change with
/// `transition` is broadcast.
fn kill_on_first(home: &Home, d: &mut Daemon, transition: &str, trigger: impl FnOnce()) {
    let mut follower = home.spawn(&["events", "--follow", "--json"]);
    let stdout = follower.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    wait_for(10, "the follower to attach", || if home.status()["clients"].as_array().unwrap().is_empty() { Err("no client".into()) } else { Ok(()) });
    trigger();
    let needle = format!("\"transition\":\"{transition}\"");
    loop {
        let l = lines.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no {transition} alert was broadcast"));
        if l.contains("alert_changed") && l.contains(&needle) {
            break;
        }
    }
    d.child.as_mut().unwrap().kill().unwrap();
    let _ = d.wait(Duration::from_secs(10));
    let _ = follower.kill();
    let _ = follower.wait();
}

/// Every alert of the store in `state` and announced as `transition`, by
/// one delivery each (a repeat of that delivery is allowed: at least once).
fn all_announced(home: &Home, rx: &Receiver, open: bool, transition: &str) -> Result<(), String> {
    let all = alerts(home);
    if all.len() < RULES || all.iter().any(|(_, o)| *o != open) {
        return Err(format!("{} alerts, {} open", all.len(), all.iter().filter(|(_, o)| *o).count()));
    }
    let got = announced(rx);
    let missing: Vec<u64> = all.iter().map(|(id, _)| *id).filter(|id| !got.contains_key(&(*id, transition.to_string()))).collect();
    if !missing.is_empty() {
        return Err(format!("{} of {} alerts never announced as {transition}: {missing:?}", missing.len(), all.len()));
    }
    for ((id, t), deliveries) in &got {
        assert_eq!(deliveries.len(), 1, "alert {id} {t} was queued twice: deliveries {deliveries:?}");
    }
    Ok(())
}

#[test]
fn kill_9_mid_round_never_loses_an_alerts_notice() {
    let home = Home::new();
    let mut sshd = sshd::Sshd::start(&home.dir.path().join("sshd"));
    let rx = Receiver::start();
    let config = home.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let mut cfg = format!(
        "[servers]\nhealth_interval_secs = 5\nconnect_timeout_secs = 2\n\n[notify]\nbackoff_secs = 1\nbackoff_max_secs = 2\n\n[[notify.routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n\n[alerts]\ninterval_secs = 1\n",
        rx.url("/hook")
    );
    for i in 0..RULES {
        cfg.push_str(&format!("\n[[alerts.rules]]\nname = \"nas-down-{i:02}\"\nkind = \"server_down\"\ntargets = [\"nas\"]\nfor = \"0\"\nroutes = [\"hook\"]\n"));
    }
    std::fs::write(config.join("config.toml"), cfg).unwrap();

    let mut d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    let (port, key) = (sshd.port.to_string(), sshd.client_key.display().to_string());
    let (ok, _, err) = home.hd(&["server", "add", "nas", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--key-file", &key]);
    assert!(ok, "{err}");
    let (ok, _, err) = home.hd(&["server", "test", "nas"]);
    assert!(ok, "{err}");
    assert!(alerts(&home).is_empty(), "nothing is wrong yet");

    // sshd stops: sixty alerts open in one round; killed at the first.
    kill_on_first(&home, &mut d, "opened", || sshd.stop_hard());
    let mut d = start(&home);
    wait_for(60, "every open alert to be announced", || all_announced(&home, &rx, true, "opened"));

    // sshd is back: sixty resolve in one round; killed at the first.
    kill_on_first(&home, &mut d, "resolved", || sshd.restart(false));
    let _d = start(&home);
    wait_for(60, "every resolved alert to be announced", || all_announced(&home, &rx, false, "resolved"));
    assert_eq!(alerts(&home).len(), RULES, "an alert opened twice");
    sshd.stop();
}
