#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Alerts against a real peer: the suite's test sshd stopped → a
//! `server_down` alert opens after its rule's duration (not before), is
//! acknowledged with a note, and resolves by itself when sshd is back; a
//! scheduled backup of a directory that went missing → `backup_failed`.

mod backup_common;
mod common;

use common::run;
use common::sshd::Sshd;
use homedeck::engine::internals::alerts::rules::{AlertKind, AlertsOptions, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::internals::servers::ServerOptions;
use homedeck::engine::views::alerts::{Alert, AlertFilter};
use homedeck::engine::{AlertsOutcome, Command, EngineHandle, EngineOptions, Outcome};
use std::time::{Duration, Instant};

async fn alerts(e: &EngineHandle, filter: AlertFilter) -> Vec<Alert> {
    let Outcome::Alerts(AlertsOutcome::AlertList { alerts, .. }) = run(e, Command::AlertList { filter: Some(filter), limit: None }).await.unwrap() else { panic!() };
    alerts.into_iter().map(|r| r.alert).collect()
}

/// Poll until `f` gives something, failing after `secs`.
async fn wait_for<T>(e: &EngineHandle, secs: u64, what: &str, f: impl Fn(Vec<Alert>) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f(alerts(e, AlertFilter::All).await) {
            return v;
        }
        if Instant::now() >= deadline {
            let servers = run(e, Command::ServerList {}).await.map(|o| { let s = serde_json::to_string(&o).unwrap_or_default(); s[s.find("\"nas\"").unwrap_or(0)..].chars().take(900).collect::<String>() });
            panic!("timed out waiting for {what}: {:?}; servers: {servers:?}", alerts(e, AlertFilter::All).await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sshd_stopped_opens_server_down_after_its_duration_and_started_resolves_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Sshd::start(&tmp.path().join("sshd"));
    let mut opts = EngineOptions::new(tmp.path().join("data"));
    opts.servers = ServerOptions { poll_health: true, health_interval: Duration::from_millis(500), connect_timeout: Duration::from_secs(2), ..Default::default() };
    opts.alerts = AlertsOptions {
        interval: Duration::from_secs(1),
        retention_days: 90,
        rules: vec![Rule {
            name: "nas-down".into(),
            kind: AlertKind::ServerDown,
            targets: Selector::parse("nas").unwrap(),
            threshold: None,
            for_secs: 2,
            severity: Severity::High,
            routes: vec!["ops".into()],
            min_severity: Severity::Info,
            enabled: true,
        }],
        ..AlertsOptions::default()
    };
    let e = common::open_with(opts);
    common::init(&e).await;
    common::add_test_server(&e, "nas", &d).await;
    assert!(alerts(&e, AlertFilter::All).await.is_empty(), "nothing is wrong yet");

    d.stop_hard();
    let stopped = Instant::now();
    let opened = wait_for(&e, 30, "server_down to open", |all| all.into_iter().find(|a| a.target == "nas" && a.is_open())).await;
    assert!(stopped.elapsed() >= Duration::from_secs(2), "opened before its 2 s duration");
    assert_eq!((opened.rule.as_str(), opened.kind), ("nas-down", AlertKind::ServerDown));
    assert!((opened.opened - opened.first_seen).num_milliseconds() >= 2000, "{opened:?}");
    assert_eq!(opened.evidence.get("state").map(String::as_str), Some("down"), "{:?}", opened.evidence);
    // De-duplicated while open: one alert, counted.
    wait_for(&e, 15, "the open alert to be counted", |all| all.into_iter().find(|a| a.id == opened.id && a.count >= 2)).await;
    assert_eq!(alerts(&e, AlertFilter::Active).await.len(), 1);

    let Outcome::Alerts(AlertsOutcome::AlertAcked { alert }) = run(&e, Command::AlertAck { id: opened.id, note: "power cycling it".into() }).await.unwrap() else { panic!() };
    assert_eq!(alert.ack.as_ref().unwrap().note, "power cycling it");
    assert!(alerts(&e, AlertFilter::Open).await.is_empty() && alerts(&e, AlertFilter::Acknowledged).await.len() == 1);

    d.restart(false);
    let resolved = wait_for(&e, 30, "server_down to resolve", |all| all.into_iter().find(|a| a.id == opened.id && !a.is_open())).await;
    assert!(resolved.resolved.is_some() && resolved.ack.is_some());
    // The engine audits a change just after committing it, so the audit
    // entry may trail the alert list by a moment: wait for it, bounded.
    let deadline = Instant::now() + Duration::from_secs(15);
    for action in ["alert_opened", "alert_ack", "alert_resolved"] {
        loop {
            let audit = common::audit_all(&e).await;
            if audit.iter().any(|a| a.action == action) {
                break;
            }
            assert!(Instant::now() < deadline, "no {action} in the audit log: {:?}", audit.iter().map(|a| &a.action).collect::<Vec<_>>());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    d.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_backup_of_a_missing_directory_opens_backup_failed() {
    use backup_common::{source_add, with};
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = EngineOptions::new(tmp.path().join("data"));
    // The rules run where health is polled (no server is added).
    opts.servers.poll_health = true;
    opts.alerts = AlertsOptions {
        interval: Duration::from_secs(1),
        retention_days: 90,
        rules: vec![Rule {
            name: "backup-failed".into(),
            kind: AlertKind::BackupFailed,
            targets: Selector::all(),
            threshold: None,
            for_secs: 0,
            severity: Severity::High,
            routes: Vec::new(),
            min_severity: Severity::Info,
            enabled: true,
        }],
        ..AlertsOptions::default()
    };
    let e = common::open_with(opts);
    e.start_scheduler();
    common::init(&e).await;
    let src = tmp.path().join("files");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "kept").unwrap();
    let add = with(source_add("files", "dir", &src), |c| {
        if let Command::BackupSourceAdd { encrypt, .. } = c {
            *encrypt = Some(false);
        }
    });
    run(&e, add).await.unwrap();
    std::fs::remove_dir_all(&src).unwrap();
    let every_second = Command::BackupScheduleAdd {
        name: "often".into(),
        source: "files".into(),
        cron: "* * * * * *".into(),
        tz: Some("UTC".into()),
        keep_last: None,
        keep_hourly: None,
        keep_daily: None,
        keep_weekly: None,
        keep_monthly: None,
    };
    run(&e, every_second).await.unwrap();
    let opened = wait_for(&e, 30, "backup_failed to open", |all| all.into_iter().find(|a| a.kind == AlertKind::BackupFailed && a.is_open())).await;
    assert_eq!((opened.rule.as_str(), opened.target.as_str()), ("backup-failed", "often"));
    assert_eq!(opened.evidence.get("source").map(String::as_str), Some("files"), "{:?}", opened.evidence);
    assert!(opened.evidence.get("last_result").is_some_and(|r| r.starts_with("failed")), "{:?}", opened.evidence);
    run(&e, Command::BackupScheduleRemove { name: "often".into() }).await.unwrap();
}
