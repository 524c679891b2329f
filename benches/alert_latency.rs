#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Time from an alert's condition becoming true (after its rule's
//! duration) to the webhook receiving the notice (issue 16, target ≤ 1 s),
//! against the real test sshd: an engine polls it every 500 ms with a
//! `server_down` rule (`for = 1s`) routed to a webhook on 127.0.0.1 (axum,
//! stamping each request as it arrives). Each round stops sshd, waits for
//! the "opened" webhook, starts sshd again and waits for the "resolved" one.
//!
//! Reported, medians over the rounds:
//! - due → webhook: arrival − (`first_seen` + `for`), the target's measure
//!   (the round that first saw the condition, plus the rule's duration);
//! - opened → webhook: arrival − `opened` (queue, worker, HTTP);
//! - resolved → webhook: arrival − `resolved`;
//! - sshd stopped → webhook, for the whole story (probe interval and the
//!   rule's duration included).
//!
//! Usage: cargo bench --bench alert_latency [-- ROUNDS]

#[path = "../tests/common/sshd.rs"]
mod sshd;

use chrono::{DateTime, Utc};
use homedeck::engine::internals::alerts::rules::{AlertKind, AlertsOptions, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::internals::servers::ServerOptions;
use homedeck::engine::views::alerts::Alert;
use homedeck::engine::{Actor, AlertsOutcome, Command, EngineHandle, EngineOptions, Frontend, Outcome, SecretValue};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Arrivals = Arc<Mutex<Vec<(DateTime<Utc>, Value)>>>;

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

async fn receiver(got: Arrivals) -> u16 {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let got = got.clone();
            async move {
                let at = Utc::now();
                got.lock().unwrap().push((at, serde_json::from_slice(&body).unwrap()));
                "{\"ok\":true}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

/// Wait for the webhook announcing `transition` of an alert not in `seen`:
/// (arrival, alert id).
async fn arrival(e: &EngineHandle, got: &Arrivals, transition: &str, after: usize) -> (DateTime<Utc>, u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let hit = got.lock().unwrap().iter().skip(after).find_map(|(at, b)| {
            let n = &b["notices"][0];
            // A condition back soon after it cleared reopens its alert:
            // that notice says "reopened", and times the same path.
            let t = n["transition"].as_str().unwrap_or_default();
            (t == transition || (transition == "opened" && t == "reopened")).then(|| (*at, n["alert_id"].as_str().unwrap().parse().unwrap()))
        });
        if let Some(h) = hit {
            return h;
        }
        if Instant::now() >= deadline {
            // Say why: what the rules opened and what the queue holds.
            let alerts = e.execute(Command::AlertList { filter: None, limit: None }, actor()).await;
            let queue = e.execute(Command::NotifyQueue {}, actor()).await;
            let servers = e.execute(Command::ServerList {}, actor()).await;
            panic!("no {transition} webhook within 60 s\nalerts: {alerts:?}\nqueue: {queue:?}\nservers: {servers:?}\nreceived: {:?}", got.lock().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

async fn alert(e: &EngineHandle, id: u64) -> Alert {
    let Outcome::Alerts(AlertsOutcome::AlertShown { alert, .. }) = e.execute(Command::AlertShow { id }, actor()).await.unwrap() else { panic!() };
    alert.alert
}

fn ms(d: chrono::Duration) -> f64 {
    d.num_microseconds().unwrap() as f64 / 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(9);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let got: Arrivals = Arc::default();
        let port = receiver(got.clone()).await;
        let tmp = tempfile::tempdir().unwrap();
        let mut d = sshd::Sshd::start(&tmp.path().join("sshd"));
        let mut o = EngineOptions::new(tmp.path().join("data"));
        o.servers = ServerOptions { poll_health: true, health_interval: Duration::from_millis(500), connect_timeout: Duration::from_secs(2), ..Default::default() };
        let rule = Rule {
            name: "nas-down".into(),
            kind: AlertKind::ServerDown,
            targets: Selector::parse("nas").unwrap(),
            threshold: None,
            for_secs: 1,
            severity: Severity::High,
            routes: vec!["hook".into()],
            min_severity: Severity::Info,
            enabled: true,
        };
        o.alerts = AlertsOptions { interval: Duration::from_secs(15), retention_days: 90, rules: vec![rule], ..AlertsOptions::default() };
        o.notify = toml::from_str(&format!("[[routes]]\nname = \"hook\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{port}/hook\"\n")).unwrap();
        let e = EngineHandle::open(o, &actor()).unwrap();
        e.start_scheduler();
        e.execute(Command::VaultInit { passphrase: SecretValue::new("bench bench bench") }, actor()).await.unwrap();
        e.execute(d.server_add("nas"), actor()).await.unwrap();
        e.execute(Command::ServerTest { name: "nas".into() }, actor()).await.unwrap();

        let (mut due, mut opened, mut resolved, mut whole) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let before = got.lock().unwrap().len();
            let stopped = Utc::now();
            d.stop_hard();
            let (at, id) = arrival(&e, &got, "opened", before).await;
            let a = alert(&e, id).await;
            due.push(ms(at - (a.first_seen + chrono::Duration::seconds(1))));
            opened.push(ms(at - a.opened));
            whole.push(ms(at - stopped));
            let before = got.lock().unwrap().len();
            d.restart(false);
            let (at, rid) = arrival(&e, &got, "resolved", before).await;
            assert_eq!(rid, id);
            resolved.push(ms(at - alert(&e, id).await.resolved.unwrap()));
        }
        let show = |v: &Vec<f64>| v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" ");
        println!("alert → webhook, {rounds} rounds (ms; medians, then each run):");
        println!("  due (first_seen + for) → webhook: median {:.1} ms   [{}]", median(due.clone()), show(&due));
        println!("  opened → webhook:                 median {:.1} ms   [{}]", median(opened.clone()), show(&opened));
        println!("  resolved → webhook:               median {:.1} ms   [{}]", median(resolved.clone()), show(&resolved));
        println!("  sshd stopped → webhook:           median {:.1} ms   [{}]", median(whole.clone()), show(&whole));
        d.stop();
    });
}
