#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `server exec` from a CLI attached to a real daemon, on the repository's
//! real sshd: the remote output streams to the CLI while the command still
//! runs, and Ctrl-C of the CLI cancels the run in the daemon — the remote
//! process stops, the run is audited with status cancelled, and
//! the daemon serves on.

mod daemon_common;
#[path = "common/sshd.rs"]
mod sshd;

use daemon_common::*;
use std::io::{BufRead, BufReader, Read};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn an_attached_exec_streams_its_output_and_ctrl_c_cancels_it_in_the_daemon() {
    let home = Home::new();
    let sshd = sshd::Sshd::start(&home.dir.path().join("sshd"));
    let d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    let (port, key) = (sshd.port.to_string(), sshd.client_key.display().to_string());
    let (ok, _, err) = home.hd(&["server", "add", "box", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--key-file", &key]);
    assert!(ok, "{err}");
    let marker = format!("{}.75", 300 + std::process::id() % 500);
    let line = format!("echo streamed-early; exec sleep {marker}");
    let mut cli = home.spawn(&["server", "exec", "--shell", "box", "--", &line]);

    // The first line arrives while the remote command still runs.
    let stdout = cli.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let l = rx.recv_timeout(Duration::from_secs(30)).expect("no output streamed");
        if l.contains("streamed-early") {
            break;
        }
        assert!(Instant::now() < deadline);
    }
    let running = || Command::new("pgrep").args(["-f", &format!("^sleep {marker}")]).output().unwrap().status.success();
    while !running() {
        assert!(Instant::now() < deadline, "the remote sleep never ran");
        std::thread::sleep(Duration::from_millis(50));
    }

    Command::new("kill").args(["-s", "INT", &cli.id().to_string()]).status().unwrap();
    let status = cli.wait().unwrap();
    let mut err = String::new();
    cli.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(!status.success(), "a cancelled run exited 0: {err}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while running() {
        assert!(Instant::now() < deadline, "the remote command outlived the cancel");
        std::thread::sleep(Duration::from_millis(50));
    }

    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "server_exec_cancel" && e["status"] == "success"), "{out}");
    let exec = entries.iter().find(|e| e["action"] == "server_exec").cloned().expect("a server_exec entry");
    assert_eq!(exec["status"], "cancelled", "{exec}");
    assert!(exec.to_string().contains("cancelled"), "{exec}");
    assert_eq!(home.status()["pid"], d.pid());
}
