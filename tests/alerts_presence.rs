#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Device presence against real peers: with nobody streaming logs or
//! listing lights, the engine's presence poller notices a device that drops
//! off and the `*_offline` rule opens its alert; the device back resolves
//! it. ESPHome: the test device (tests/peers/esphome.sh), one plaintext and
//! one encrypted (probed without its key), the encrypted one killed by pid
//! and started again on its port. WLED and FPP: the in-test peers, stopped
//! and served again on their address.

mod common;
mod esphome_common;
mod lights_peer;

use common::run;
use homedeck::engine::internals::alerts::rules::{AlertKind, AlertsOptions, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::views::alerts::{Alert, AlertFilter};
use homedeck::engine::{AlertsOutcome, Command, EngineHandle, EngineOptions, EsphomeOutcome, Outcome};
use std::time::{Duration, Instant};

/// Generous: a loaded 2-core machine runs these beside a build.
const WAIT: u64 = 90;

fn options(data: &std::path::Path, name: &str, kind: AlertKind, for_secs: u64) -> EngineOptions {
    let mut opts = EngineOptions::new(data);
    // The rules (and the presence poller) run where health is polled; no
    // server is added.
    opts.servers.poll_health = true;
    opts.alerts = AlertsOptions {
        interval: Duration::from_secs(1),
        retention_days: 90,
        rules: vec![Rule {
            name: name.into(),
            kind,
            targets: Selector::all(),
            threshold: None,
            for_secs,
            severity: Severity::High,
            routes: Vec::new(),
            min_severity: Severity::Info,
            enabled: true,
        }],
        presence_interval: Duration::from_secs(1),
    };
    opts
}

async fn alerts(e: &EngineHandle) -> Vec<Alert> {
    let Outcome::Alerts(AlertsOutcome::AlertList { alerts, .. }) = run(e, Command::AlertList { filter: Some(AlertFilter::All), limit: None }).await.unwrap() else { panic!() };
    alerts.into_iter().map(|r| r.alert).collect()
}

async fn devices(e: &EngineHandle) -> Vec<homedeck::engine::internals::esphome::Device> {
    let Outcome::Esphome(EsphomeOutcome::EsphomeDevices { devices }) = run(e, Command::EsphomeList {}).await.unwrap() else { panic!() };
    devices
}

/// Poll until `f` gives something, failing after [`WAIT`] seconds with `show`.
async fn wait_for<T, S: std::fmt::Debug>(what: &str, mut f: impl AsyncFnMut() -> (Option<T>, S)) -> T {
    let deadline = Instant::now() + Duration::from_secs(WAIT);
    loop {
        let (got, seen) = f().await;
        if let Some(v) = got {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; last seen: {seen:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every audit entry's action (to compare before and after).
async fn actions(e: &EngineHandle) -> Vec<String> {
    common::audit_all(e).await.into_iter().map(|a| a.action).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esphome_device_killed_opens_esphome_offline_with_no_log_stream_and_back_resolves_it() {
    use esphome_common::{KEY, Peer};
    let tmp = tempfile::tempdir().unwrap();
    let porch = Peer::start(&["--name", "porch"]);
    let garage = Peer::start(&["--name", "garage", "--key", KEY]);
    let port = garage.api;
    let e = common::open_with(options(&tmp.path().join("data"), "esp-off", AlertKind::EsphomeOffline, 3));
    common::init(&e).await;
    common::add(&e, "garage-key", KEY).await;
    esphome_common::add_device(&e, "porch", porch.api, None).await;
    esphome_common::add_device(&e, "garage", port, Some("garage-key")).await;

    // Both up: the poller finds them (a device added by hand starts offline
    // until something reaches it) and keeps finding them.
    let first = wait_for("both devices online", async || {
        let d = devices(&e).await;
        let up = d.iter().filter(|d| d.online && d.last_seen.is_some()).count() == 2;
        (up.then(|| d.iter().map(|d| (d.name.clone(), d.last_seen.unwrap())).collect::<Vec<_>>()), d)
    })
    .await;
    wait_for("a later probe of each", async || {
        let d = devices(&e).await;
        let later = first.iter().all(|(n, t)| d.iter().any(|d| &d.name == n && d.online && d.last_seen.is_some_and(|s| s > *t)));
        (later.then_some(()), d)
    })
    .await;
    // The rule's 3 s have passed since the devices were found, and since
    // they were added with presence probing every second.
    let open: Vec<Alert> = alerts(&e).await.into_iter().filter(|a| a.is_open()).collect();
    // A device added by hand is offline until first reached: an alert may
    // have opened for that moment only on a very slow machine; it must be
    // resolved by now.
    assert!(open.is_empty(), "no open alert while both answer: {open:?}");
    let audit_before = actions(&e).await;

    // Killed by pid: nobody streams its logs, nobody lists it.
    let pid = garage.pid();
    let killed = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let opened = wait_for("esphome_offline to open for garage", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.target == "garage" && a.is_open()).cloned(), all)
    })
    .await;
    assert_eq!((opened.rule.as_str(), opened.kind), ("esp-off", AlertKind::EsphomeOffline));
    assert!(opened.summary.contains("garage"), "{opened:?}");
    let why = opened.evidence.get("last_error").cloned().unwrap_or_default();
    assert!(why.contains("garage") && why.contains(&format!("127.0.0.1:{port}")), "the error names the device and address: {:?}", opened.evidence);
    assert!(alerts(&e).await.iter().all(|a| a.target != "porch" || !a.is_open()), "the plaintext device stayed up");
    drop(garage);

    // Started again on its port: the alert resolves by itself.
    let _garage = Peer::start(&["--name", "garage", "--key", KEY, "--api-port", &port.to_string()]);
    let resolved = wait_for("esphome_offline to resolve", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.id == opened.id && !a.is_open()).cloned(), all)
    })
    .await;
    assert!(resolved.resolved.is_some());
    let d = devices(&e).await;
    assert!(d.iter().all(|d| d.online && d.last_error.is_none()), "{d:?}");
    // The probes were reads: the only new audit entries are the alert's.
    // The engine audits a change just after committing it, so the
    // `alert_resolved` entry may trail the alert list by a moment.
    let new_entries = async || {
        let mut new = actions(&e).await;
        for a in &audit_before {
            if let Some(i) = new.iter().position(|n| n == a) {
                new.swap_remove(i);
            }
        }
        new.sort();
        new
    };
    wait_for("alert_resolved in the audit log", async || {
        let new = new_entries().await;
        (new.iter().any(|a| a == "alert_resolved").then_some(()), new)
    })
    .await;
    assert_eq!(new_entries().await, ["alert_opened", "alert_resolved"], "the probes were not audited");
    drop(porch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wled_device_gone_opens_wled_offline_with_nobody_listing_it_and_back_resolves_it() {
    use lights_peer::{WledPeer, fixtures};
    use std::sync::atomic::Ordering;
    let tmp = tempfile::tempdir().unwrap();
    let dump = fixtures().join("wled/rgb.json");
    let peer = WledPeer::start(&dump).await;
    let addr = peer.address();
    let e = common::open_with(options(&tmp.path().join("data"), "wled-off", AlertKind::WledOffline, 2));
    let mut events = e.subscribe();
    run(&e, Command::WledAdd { address: addr.clone(), name: Some("eaves".into()), site: None }).await.unwrap();

    // Up: probed again and again (`GET /json/info`), and no alert.
    let asked = peer.shared.requests.load(Ordering::Relaxed);
    wait_for("two presence probes", async || {
        let n = peer.shared.requests.load(Ordering::Relaxed);
        ((n >= asked + 2).then_some(()), n)
    })
    .await;
    assert!(alerts(&e).await.is_empty(), "nothing is wrong yet");

    // Gone: its address refuses connections.
    drop(peer);
    let opened = wait_for("wled_offline to open", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.target == "eaves" && a.is_open()).cloned(), all)
    })
    .await;
    assert_eq!((opened.rule.as_str(), opened.kind), ("wled-off", AlertKind::WledOffline));
    let why = opened.evidence.get("last_error").cloned().unwrap_or_default();
    assert!(why.contains("eaves") && why.contains(&addr), "the error names the device and address: {:?}", opened.evidence);
    // The poller said so on the event stream (what panes and `lights watch` hear).
    let mut heard = false;
    loop {
        match events.try_recv() {
            Ok(ev) => {
                let text = serde_json::to_string(&ev).unwrap();
                heard |= text.contains("\"lights_link\"") && text.contains("\"eaves\"") && text.contains("\"online\":false");
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => break,
        }
    }
    assert!(heard, "a lights_link event for eaves going offline");

    // Back on the same address: resolved by itself.
    let _peer = WledPeer::start_on(&addr, &dump).await;
    let resolved = wait_for("wled_offline to resolve", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.id == opened.id && !a.is_open()).cloned(), all)
    })
    .await;
    assert!(resolved.resolved.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_fpp_host_gone_opens_fpp_offline_and_back_resolves_it() {
    use lights_peer::fpp::FppPeer;
    let tmp = tempfile::tempdir().unwrap();
    let peer = FppPeer::start().await;
    let addr = peer.addr.to_string();
    let e = common::open_with(options(&tmp.path().join("data"), "fpp-off", AlertKind::FppOffline, 2));
    run(&e, Command::FppAdd { address: addr.clone(), name: Some("show".into()), site: None }).await.unwrap();
    assert!(alerts(&e).await.is_empty(), "nothing is wrong yet");

    drop(peer);
    let opened = wait_for("fpp_offline to open", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.target == "show" && a.is_open()).cloned(), all)
    })
    .await;
    assert_eq!((opened.rule.as_str(), opened.kind), ("fpp-off", AlertKind::FppOffline));
    let why = opened.evidence.get("last_error").cloned().unwrap_or_default();
    assert!(why.contains("show") && why.contains(&addr), "the error names the host and address: {:?}", opened.evidence);

    let _peer = FppPeer::start_on(&addr).await;
    let resolved = wait_for("fpp_offline to resolve", async || {
        let all = alerts(&e).await;
        (all.iter().find(|a| a.id == opened.id && !a.is_open()).cloned(), all)
    })
    .await;
    assert!(resolved.resolved.is_some());
}
