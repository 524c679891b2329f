#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `homedeck events --follow` while another homedeck holds the data dir: the
//! follower attaches to the holder's socket and prints every engine event as
//! it happens (security events in their own format; `--json` one object per
//! line; `--kind` filters by the event's `type`).

mod common;
use common::*;
use homedeck::daemon::protocol::HostKind;
use homedeck::daemon::server::Server;
use homedeck::engine::Command;
use std::io::{BufRead, BufReader};
use std::process::{Command as Proc, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn follower_prints_events_raised_by_the_holder() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let e = open(&data);
    init(&e).await;
    add(&e, "old", "value").await;
    run(&e, Command::SecretRevoke { name: "old".into(), reason: "retired".into() }).await.unwrap();
    let _server = Server::start(e.clone(), HostKind::Console).await.unwrap();

    let mut child = Proc::new(env!("CARGO_BIN_EXE_homedeck"))
        .args(["events", "--follow"])
        .env("HOMEDECK_DATA_DIR", &data)
        .env("HOMEDECK_CONFIG_DIR", root.path().join("config"))
        .env("HOMEDECK_STATE_DIR", root.path().join("state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let stderr = child.stderr.take().unwrap();
    let (etx, erx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = etx.send(line);
        }
    });

    // Wait for the follower to say it is subscribed (at most 30 s), then raise an event here.
    let mut said = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !said.iter().any(|l: &String| l.contains("following engine events")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match erx.recv_timeout(left) {
            Ok(l) => said.push(l),
            Err(_) => panic!("the follower never said it was following: {said:?}"),
        }
    }
    let err = run(&e, Command::SecretReveal { name: "old".into() }).await.unwrap_err();
    assert!(err.to_string().contains("revoked"));
    let mut seen = Vec::new();
    let mut line = None;
    while line.is_none() || !seen.iter().any(|l: &String| l.contains(" audit ")) {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.contains("#1") => line = Some(l),
            Ok(l) => seen.push(l),
            Err(_) => break,
        }
    }
    let line = line.ok_or("timed out");
    child.kill().unwrap();
    child.wait().unwrap();
    said.extend(erx.try_iter());
    let stderr = said.join("\n");
    let line = line.unwrap_or_else(|_| panic!("no event printed; follower said: {stderr}"));
    assert!(line.contains("#1") && line.contains("revoked secret \"old\""), "{line}");
    assert!(stderr.contains("following engine events"), "{stderr}");
    // Every engine event now, not only security ones: the failed reveal's audit entry too.
    assert!(seen.iter().any(|l| l.contains(" audit ")), "{seen:?}");
}
