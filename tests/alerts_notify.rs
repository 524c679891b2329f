#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Alerts reach their routes, against real peers: the suite's test sshd
//! stopped trips three `server_down` rules on it. The one with a route
//! sends one "opened" webhook (`homedeck.notification/1`) to the Python
//! receiver on 127.0.0.1; the silenced one and the one below its minimum
//! severity send nothing; acknowledging the alert and the rounds that keep
//! counting it send nothing more; sshd started again resolves all three and
//! the receiver gets exactly one "resolved". A notice queued while the
//! receiver fails is delivered once after the engine restarts.

mod common;
mod notify_common;

use common::run;
use common::sshd::Sshd;
use homedeck::engine::internals::alerts::rules::{AlertKind, AlertsOptions, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::internals::servers::ServerOptions;
use homedeck::engine::views::alerts::{Alert, AlertFilter};
use homedeck::engine::{AlertsOutcome, Command, EngineHandle, EngineOptions, Outcome};
use notify_common::Receiver;
use serde_json::Value;
use std::time::{Duration, Instant};

fn rule(name: &str, min_severity: Severity) -> Rule {
    Rule {
        name: name.into(),
        kind: AlertKind::ServerDown,
        targets: Selector::parse("nas").unwrap(),
        threshold: None,
        for_secs: 1,
        severity: Severity::High,
        routes: vec!["hook".into()],
        min_severity,
        enabled: true,
    }
}

async fn alerts(e: &EngineHandle) -> Vec<Alert> {
    let Outcome::Alerts(AlertsOutcome::AlertList { alerts, .. }) = run(e, Command::AlertList { filter: Some(AlertFilter::All), limit: None }).await.unwrap() else { panic!() };
    alerts.into_iter().map(|r| r.alert).collect()
}

async fn wait_alerts(e: &EngineHandle, what: &str, f: impl Fn(&[Alert]) -> bool) -> Vec<Alert> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = alerts(e).await;
        if f(&all) {
            return all;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {all:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The webhook bodies received so far.
fn bodies(rx: &Receiver, n: usize, within: Duration) -> Vec<Value> {
    tokio::task::block_in_place(|| rx.wait_received(n, within)).iter().map(|r| serde_json::from_str(r["body"].as_str().unwrap()).unwrap()).collect()
}

fn options(data: &std::path::Path, rx: &Receiver, rules: Vec<Rule>) -> EngineOptions {
    let mut opts = EngineOptions::new(data);
    opts.servers = ServerOptions { poll_health: true, health_interval: Duration::from_millis(500), connect_timeout: Duration::from_secs(2), ..Default::default() };
    opts.alerts = AlertsOptions { interval: Duration::from_secs(1), retention_days: 90, rules, ..AlertsOptions::default() };
    opts.notify = toml::from_str(&format!("backoff_secs = 1\nbackoff_max_secs = 1\n[[routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\n", rx.url("/hook"))).unwrap();
    opts.notify.validate().unwrap();
    opts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tripped_rule_notifies_opened_then_resolved_once_and_silence_ack_and_min_severity_send_nothing() {
    let rx = Receiver::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Sshd::start(&tmp.path().join("sshd"));
    let rules = vec![rule("nas-down", Severity::Info), rule("nas-quiet", Severity::Info), rule("nas-minor", Severity::Critical)];
    let e = common::open_with(options(&tmp.path().join("data"), &rx, rules));
    e.start_scheduler();
    common::init(&e).await;
    common::add_test_server(&e, "nas", &d).await;
    run(&e, Command::AlertSilence { rule: Some("nas-quiet".into()), target: None, duration: "1h".into(), note: Some("maintenance".into()) }).await.unwrap();

    d.stop_hard();
    let all = wait_alerts(&e, "three alerts to open", |all| all.iter().filter(|a| a.is_open()).count() == 3).await;
    let down = all.iter().find(|a| a.rule == "nas-down").unwrap().clone();

    // One "opened", with the documented body.
    let got = bodies(&rx, 1, Duration::from_secs(10));
    assert_eq!(got.len(), 1, "{got:?}");
    let b = &got[0];
    assert_eq!((b["schema"].as_str(), b["route"].as_str(), b["severity"].as_str()), (Some("homedeck.notification/1"), Some("hook"), Some("high")), "{b}");
    let n = &b["notices"][0];
    assert_eq!((n["transition"].as_str(), n["alert_id"].as_str()), (Some("opened"), Some(down.id.to_string().as_str())), "{b}");
    assert!(b["title"].as_str().unwrap().contains("nas-down") && b["text"].as_str().unwrap().contains("state: down"), "{b}");

    // Acknowledged, and counted by later rounds: nothing more is sent.
    run(&e, Command::AlertAck { id: down.id, note: "power cycling it".into() }).await.unwrap();
    wait_alerts(&e, "the open alert to be counted again", |all| all.iter().any(|a| a.id == down.id && a.count >= down.count + 2)).await;
    let got = bodies(&rx, 2, Duration::from_secs(2));
    assert_eq!(got.len(), 1, "acknowledging or counting sent something: {got:?}");

    // sshd back: all three resolve, one "resolved" arrives.
    d.restart(false);
    wait_alerts(&e, "all three to resolve", |all| all.iter().all(|a| !a.is_open())).await;
    let got = bodies(&rx, 2, Duration::from_secs(10));
    assert_eq!(got.len(), 2, "{got:?}");
    let n = &got[1]["notices"][0];
    assert_eq!((n["transition"].as_str(), n["alert_id"].as_str()), (Some("resolved"), Some(down.id.to_string().as_str())), "{}", got[1]);
    assert_eq!(bodies(&rx, 3, Duration::from_secs(2)).len(), 2, "the silenced or minor rule sent something");
    d.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_queued_while_the_receiver_fails_is_delivered_once_after_a_restart() {
    let rx = Receiver::start();
    rx.mode("fail");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut d = Sshd::start(&tmp.path().join("sshd"));
    let e = common::open_with(options(&data, &rx, vec![rule("nas-down", Severity::Info)]));
    e.start_scheduler();
    common::init(&e).await;
    common::add_test_server(&e, "nas", &d).await;
    d.stop_hard();
    let opened = wait_alerts(&e, "the alert to open", |all| all.iter().any(|a| a.is_open())).await[0].id;
    let deadline = Instant::now() + Duration::from_secs(15);
    while tokio::task::block_in_place(|| rx.attempts()).is_empty() {
        assert!(Instant::now() < deadline, "no delivery attempt");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(e);

    // Restarted with the receiver answering: the queued notice goes out once,
    // and the alert still open is not announced again.
    rx.mode("ok");
    let opts = options(&data, &rx, vec![rule("nas-down", Severity::Info)]);
    let e = {
        let mut tries = 0;
        loop {
            match EngineHandle::open(opts.clone(), &common::cli()) {
                Ok(e) => break e,
                Err(err) if tries < 50 => {
                    tries += 1;
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("reopen: {err}"),
            }
        }
    };
    e.start_scheduler();
    let got = bodies(&rx, 1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["notices"][0]["alert_id"].as_str(), Some(opened.to_string().as_str()), "{}", got[0]);
    assert_eq!(got[0]["notices"][0]["transition"].as_str(), Some("opened"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(bodies(&rx, 2, Duration::from_millis(10)).len(), 1, "sent twice after the restart");
    assert!(alerts(&e).await.iter().any(|a| a.id == opened && a.is_open()));
    d.stop();
}

/// A route with `batch_secs`: alerts opened within its window go out as
/// one webhook listing each of them (two in the same round, a third a
/// round later), and their resolutions, in one round, as one more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_opened_within_a_routes_window_arrive_as_one_message() {
    let rx = Receiver::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Sshd::start(&tmp.path().join("sshd"));
    let slow = Rule { for_secs: 2, ..rule("nas-down-c", Severity::Info) };
    let mut opts = options(&tmp.path().join("data"), &rx, vec![rule("nas-down-a", Severity::Info), rule("nas-down-b", Severity::Info), slow]);
    opts.notify = toml::from_str(&format!("[[routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"{}\"\nbatch_secs = 5\n", rx.url("/batch"))).unwrap();
    opts.notify.validate().unwrap();
    let e = common::open_with(opts);
    e.start_scheduler();
    common::init(&e).await;
    common::add_test_server(&e, "nas", &d).await;

    d.stop_hard();
    let all = wait_alerts(&e, "three alerts to open", |all| all.iter().filter(|a| a.is_open()).count() == 3).await;
    let got = bodies(&rx, 1, Duration::from_secs(15));
    assert_eq!(got.len(), 1, "{got:?}");
    let b = &got[0];
    let notices = b["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 3, "one message for the window: {b}");
    assert_eq!(b["title"].as_str(), Some("3 homedeck notifications"), "{b}");
    let mut ids: Vec<String> = notices.iter().map(|n| n["alert_id"].as_str().unwrap().to_string()).collect();
    let mut want: Vec<String> = all.iter().map(|a| a.id.to_string()).collect();
    ids.sort();
    want.sort();
    assert_eq!(ids, want, "{b}");
    assert!(notices.iter().all(|n| n["transition"] == "opened"), "{b}");
    for rule in ["nas-down-a", "nas-down-b", "nas-down-c"] {
        assert!(b["text"].as_str().unwrap().contains(rule), "{rule} not listed in {b}");
    }

    d.restart(false);
    wait_alerts(&e, "all three to resolve", |all| all.iter().all(|a| !a.is_open())).await;
    let got = bodies(&rx, 2, Duration::from_secs(15));
    assert_eq!(got.len(), 2, "{got:?}");
    let resolved = got[1]["notices"].as_array().unwrap();
    assert_eq!(resolved.len(), 3, "{}", got[1]);
    assert!(resolved.iter().all(|n| n["transition"] == "resolved"), "{}", got[1]);
    d.stop();
}
