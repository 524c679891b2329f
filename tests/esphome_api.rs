#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! homedeck's native API client against the ESPHome device peer: encrypted
//! and plaintext, wrong key, encryption mismatches, refused, timeout,
//! malformed frames, a log flood, a reboot mid-stream, pings both ways.

mod common;
mod esphome_common;

use homedeck::engine::{EsphomeEvent, EsphomeOutcome};
use common::{add, init, open, run};
use esphome_common::{KEY, OTHER_KEY, Peer, add_device};
use homedeck::engine::internals::esphome::LogLevel;
use homedeck::engine::{Command, EngineHandle, Event, Outcome};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

async fn info(e: &EngineHandle, name: &str) -> Result<Outcome, String> {
    run(e, Command::EsphomeInfo { name: name.into() }).await.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_and_plaintext_info_and_key_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "good-key", KEY).await;
    add(&e, "bad-key", OTHER_KEY).await;
    let enc = Peer::start(&["--name", "kitchen", "--key", KEY]);
    let plain = Peer::start(&["--name", "garage"]);

    add_device(&e, "kitchen", enc.api, Some("good-key")).await;
    match info(&e, "kitchen").await.unwrap() {
        Outcome::Esphome(EsphomeOutcome::EsphomeInfo { info, entities, .. }) => {
            assert!(info.encrypted);
            assert_eq!(info.name, "kitchen");
            assert_eq!(info.mac_address, "AC:BC:32:89:0E:A9");
            assert_eq!(entities.len(), 3);
        }
        o => panic!("{o:?}"),
    }
    add_device(&e, "garage", plain.api, None).await;
    match info(&e, "garage").await.unwrap() {
        Outcome::Esphome(EsphomeOutcome::EsphomeInfo { info, device, .. }) => {
            assert!(!info.encrypted);
            assert!(device.online && device.last_seen.is_some());
        }
        o => panic!("{o:?}"),
    }

    add_device(&e, "kitchen-wrong", enc.api, Some("bad-key")).await;
    let err = info(&e, "kitchen-wrong").await.unwrap_err();
    assert!(err.contains("Handshake MAC failure") && err.contains("wrong encryption key"), "{err}");
    assert!(enc.wait_for("handshake_failed", Duration::from_secs(2)));

    add_device(&e, "kitchen-plain", enc.api, None).await;
    let err = info(&e, "kitchen-plain").await.unwrap_err();
    assert!(err.contains("requires encryption"), "{err}");

    add_device(&e, "garage-enc", plain.api, Some("good-key")).await;
    let err = info(&e, "garage-enc").await.unwrap_err();
    assert!(err.contains("plaintext"), "{err}");

    // The failure is remembered on the device.
    match run(&e, Command::EsphomeList {}).await.unwrap() {
        Outcome::Esphome(EsphomeOutcome::EsphomeDevices { devices }) => {
            let d = devices.iter().find(|d| d.name == "kitchen-wrong").unwrap();
            assert!(!d.online && d.last_error.as_deref().unwrap().contains("Handshake MAC failure"));
        }
        o => panic!("{o:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_timeout_and_malformed_frames() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = homedeck::engine::EngineOptions::new(dir.path());
    opts.esphome.api_timeout_secs = 1;
    let e = common::open_with(opts);
    // Refused: a port nothing listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    add_device(&e, "nobody", free, None).await;
    let err = info(&e, "nobody").await.unwrap_err();
    assert!(err.contains("connection refused") && err.contains(&free.to_string()), "{err}");

    // Timeout: a socket that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            kept.push(s);
        }
    });
    add_device(&e, "silent", port, None).await;
    let err = info(&e, "silent").await.unwrap_err();
    assert!(err.contains("timed out"), "{err}");
    hold.abort();

    // Malformed: hostile frames (a 268 MB claim, a bad indicator, a too-long varint).
    for (name, bytes) in [
        ("huge", vec![0x00u8, 0xFF, 0xFF, 0xFF, 0x7F, 0x02]),
        ("indicator", vec![0x07u8, 0x01, 0x02]),
        ("varint", vec![0x00u8, 0x80, 0x80, 0x80, 0x80, 0x80]),
    ] {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(&bytes).await.unwrap();
            tokio::time::sleep(Duration::from_secs(2)).await;
        });
        add_device(&e, name, port, None).await;
        let err = info(&e, name).await.unwrap_err();
        assert!(err.contains("malformed"), "{name}: {err}");
        server.abort();
    }
}

/// Collect log lines of `device` until `want` arrived or `within` passed.
async fn collect(rx: &mut tokio::sync::broadcast::Receiver<Event>, device: &str, want: usize, within: Duration) -> Vec<String> {
    let mut lines = Vec::new();
    let _ = tokio::time::timeout(within, async {
        while lines.len() < want {
            match rx.recv().await {
                Ok(Event::Esphome(EsphomeEvent::EsphomeLogs { device: d, lines: l })) if d == device => lines.extend(l.into_iter().map(|l| l.text)),
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => panic!("lagged by {n} events"),
                Err(_) => return,
            }
        }
    })
    .await;
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_flood_arrives_complete_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "k", KEY).await;
    let peer = Peer::start(&["--name", "flood", "--key", KEY, "--flood", "30000", "--log-ms", "1000"]);
    add_device(&e, "flood", peer.api, Some("k")).await;
    let mut rx = e.subscribe();
    run(&e, Command::EsphomeLogsStart { devices: "flood".into(), level: Some(LogLevel::VeryVerbose) }).await.unwrap();
    let lines = collect(&mut rx, "flood", 30_000, Duration::from_secs(60)).await;
    assert!(lines.len() >= 30_000, "got {} lines", lines.len());
    for (i, l) in lines.iter().take(30_000).enumerate() {
        assert!(l.ends_with(&format!("#{i}\x1b[0m")), "line {i} out of order: {l:?}");
    }
    run(&e, Command::EsphomeLogsStop { devices: None }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reboot_mid_stream_reconnects_and_pings_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    let peer = Peer::start(&["--name", "porch", "--log-ms", "50", "--ping-ms", "150", "--reboot-ms", "400"]);
    add_device(&e, "porch", peer.api, None).await;
    let mut rx = e.subscribe();
    run(&e, Command::EsphomeLogsStart { devices: "porch".into(), level: Some(LogLevel::Debug) }).await.unwrap();
    let before = collect(&mut rx, "porch", 5, Duration::from_secs(10)).await;
    assert!(before.len() >= 5);
    assert!(before.iter().all(|l| !l.contains("[V]")), "level filter: {before:?}");
    peer.reboot();
    // The link drops, then comes back by itself and lines flow again.
    let mut dropped = false;
    let mut back = false;
    let mut after = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), async {
        while !(back && after.len() >= 3) {
            match rx.recv().await {
                Ok(Event::Esphome(EsphomeEvent::EsphomeLink { online: false, detail, .. })) => {
                    assert!(detail.contains("closed") || detail.contains("refused"), "{detail}");
                    dropped = true;
                }
                Ok(Event::Esphome(EsphomeEvent::EsphomeLink { online: true, .. })) if dropped => back = true,
                Ok(Event::Esphome(EsphomeEvent::EsphomeLogs { lines, .. })) if back => after.extend(lines),
                _ => {}
            }
        }
    })
    .await;
    assert!(dropped && back, "dropped={dropped} back={back}");
    assert!(after.iter().any(|l| l.text.contains("(boot 2)")), "{after:?}");
    // The device pinged us every 150 ms; we answered, so it never gave up
    // (it gives up after 3 unanswered): wait for 4 answers, at most 15 s.
    let answered = || peer.events().iter().filter(|l| l.contains("\"event\": \"ping_answered\"")).count();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while answered() < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered() >= 4, "{:?}", peer.events());
    assert!(!peer.saw("ping_timeout"), "{:?}", peer.events());
    run(&e, Command::EsphomeLogsStop { devices: Some("porch".into()) }).await.unwrap();
    assert!(peer.wait_for("disconnect", Duration::from_secs(3)), "a stop says goodbye: {:?}", peer.events());
}
