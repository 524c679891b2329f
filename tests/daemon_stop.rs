//! A graceful stop (SIGTERM, SIGINT, `homedeck daemon stop`) in the middle of
//! a large backup started by an attached CLI: the job is cancelled cleanly
//! (no partial archive, no catalog entry), its audit entry's status is
//! `cancelled` (a restore's too, saying it was rolled back), the CLI says so, the lock is free and a new daemon starts.
//! A remote command run (`server exec` on the test sshd) is cancelled the
//! same way: the remote process stops, the audit entry says cancelled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;
#[path = "common/sshd.rs"]
mod sshd;

use daemon_common::{Daemon, Home, exists};
use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

/// A source of `mib` MiB of incompressible data, so a backup takes a while.
fn big_source_of(home: &Home, mib: u64) {
    let src = home.dir.path().join("big");
    std::fs::create_dir_all(&src).unwrap();
    let mut f = std::fs::File::create(src.join("blob")).unwrap();
    std::io::copy(&mut std::fs::File::open("/dev/urandom").unwrap().take(mib << 20), &mut f).unwrap();
    let (ok, _, err) = home.hd(&["backup", "source", "add", "big", "--kind", "dir", "--path", src.to_str().unwrap()]);
    assert!(ok, "{err}");
}

fn big_source(home: &Home) {
    big_source_of(home, 300);
}

/// Start `backup create big` attached to the daemon and wait until its
/// partial archive holds more than 1 MiB.
fn backup_under_way(home: &Home) -> std::process::Child {
    let cli = home.spawn(&["backup", "create", "big"]);
    let partial = home.data().join("backups/.partial");
    let deadline = Instant::now() + Duration::from_secs(60);
    let writing = || {
        std::fs::read_dir(&partial)
            .map(|d| d.filter_map(|e| e.ok()).any(|e| e.metadata().map(|m| m.len() > (1 << 20)).unwrap_or(false)))
            .unwrap_or(false)
    };
    while !writing() {
        assert!(Instant::now() < deadline, "the backup never started writing");
        std::thread::sleep(Duration::from_millis(50));
    }
    cli
}

/// What a stop must leave behind, checked after the daemon `d` stopped for
/// `why` (a word of its stderr).
fn stopped_cleanly(home: &Home, mut d: Daemon, mut cli: std::process::Child, why: &str) {
    let (status, err) = d.wait(Duration::from_secs(20));
    assert!(status.success(), "{err}");
    assert!(err.contains(why) && err.contains("cancelling backup of big"), "{err}");
    assert!(!err.contains("still running"), "the job did not finish cancelling in time: {err}");

    let status = cli.wait().unwrap();
    let mut cli_err = String::new();
    cli.stderr.take().unwrap().read_to_string(&mut cli_err).unwrap();
    assert!(!status.success(), "the backup reported success: {cli_err}");
    assert!(cli_err.contains("cancelled"), "the attached CLI did not get the job's own error: {cli_err}");

    // Nothing half-written, nothing in the catalog; the lock is free (these
    // CLI commands open the data dir themselves).
    assert!(!exists(&home.socket()), "socket left behind");
    let partial = home.data().join("backups/.partial");
    let empty = std::fs::read_dir(&partial).map(|d| d.count() == 0).unwrap_or(true);
    assert!(empty, "partial archive left behind");
    let (ok, out, err) = home.hd(&["backup", "list", "--json"]);
    assert!(ok, "{err}");
    assert!(!out.contains("\"source\": \"big\""), "{out}");
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    let create = entries.iter().find(|e| e["action"] == "backup_create").cloned().expect("a backup_create entry");
    assert_eq!(create["status"], "cancelled", "{create}");
    assert!(create.to_string().contains("cancelled"), "{create}");
    assert!(!entries.iter().any(|e| e["action"] == "backup_create" && e["status"] == "success"), "{out}");

    // A new daemon starts on the same data dir.
    let d2 = home.daemon();
    assert_eq!(home.status()["pid"], d2.pid());
}

#[test]
fn sigterm_mid_backup_cancels_it_cleanly_and_frees_the_data_dir() {
    let home = Home::new();
    let d = home.daemon();
    big_source(&home);
    let cli = backup_under_way(&home);
    d.signal("TERM");
    stopped_cleanly(&home, d, cli, "SIGTERM");
}

#[test]
fn daemon_stop_mid_backup_cancels_it_cleanly_and_frees_the_data_dir() {
    let home = Home::new();
    let d = home.daemon();
    big_source(&home);
    let cli = backup_under_way(&home);
    let (ok, _, err) = home.hd(&["daemon", "stop"]);
    assert!(ok, "{err}");
    stopped_cleanly(&home, d, cli, "asked over the socket");
}

#[test]
fn sigint_mid_backup_cancels_it_cleanly_too() {
    let home = Home::new();
    let d = home.daemon();
    big_source(&home);
    let cli = backup_under_way(&home);
    d.signal("INT");
    stopped_cleanly(&home, d, cli, "SIGINT");
}

#[test]
fn sigterm_mid_server_exec_stops_the_remote_command_and_audits_it_cancelled() {
    let home = Home::new();
    let sshd = sshd::Sshd::start(&home.dir.path().join("sshd"));
    let d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    let (port, key) = (sshd.port.to_string(), sshd.client_key.display().to_string());
    let (ok, _, err) = home.hd(&["server", "add", "box", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--key-file", &key]);
    assert!(ok, "{err}");
    let marker = format!("{}.25", 300 + std::process::id() % 500);
    let mut cli = home.spawn(&["server", "exec", "--yes", "box", "--", "sleep", &marker]);
    let running = || Command::new("pgrep").args(["-f", &format!("^sleep {marker}")]).output().unwrap().status.success();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !running() {
        assert!(Instant::now() < deadline, "the remote command never started: {}", sshd.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    d.signal("TERM");
    let mut d = d;
    let (status, err) = d.wait(Duration::from_secs(20));
    assert!(status.success(), "{err}");
    assert!(err.contains("cancelling server command run"), "{err}");
    let _ = cli.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while running() {
        assert!(Instant::now() < deadline, "the remote command outlived the stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exec = v["page"]["entries"].as_array().unwrap().iter().find(|e| e["action"] == "server_exec").cloned().expect("a server_exec entry");
    assert_eq!(exec["status"], "cancelled", "{exec}");
    assert!(exec.to_string().contains("cancelled"), "{exec}");
}

/// SIGTERM while a restore runs its health check (`sleep 60`): the restore
/// is cancelled and rolled back by the stop — the files are as before the
/// restore — its audit entry is `cancelled` (not a failure), and the
/// catalog keeps the backup.
#[test]
fn sigterm_mid_restore_rolls_it_back() {
    let home = Home::new();
    let d = home.daemon();
    let src = home.dir.path().join("conf");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("configuration.yaml"), "name: Home\n").unwrap();
    let add = ["backup", "source", "add", "conf", "--kind", "dir", "--path", src.to_str().unwrap(), "--health", "sleep 60"];
    let (ok, _, err) = home.hd(&add);
    assert!(ok, "{err}");
    let (ok, _, err) = home.hd(&["backup", "create", "conf"]);
    assert!(ok, "{err}");
    std::fs::write(src.join("configuration.yaml"), "edited: after the backup\n").unwrap();

    let mut cli = home.spawn(&["backup", "restore", "1", "--yes"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(src.join("configuration.yaml")).is_ok_and(|s| s.contains("name: Home")) {
        assert!(Instant::now() < deadline, "the restore never swapped");
        std::thread::sleep(Duration::from_millis(50));
    }
    d.signal("TERM");
    let mut d = d;
    let (status, err) = d.wait(Duration::from_secs(30));
    assert!(status.success(), "{err}");
    assert!(err.contains("cancelling restore of conf"), "{err}");
    assert!(!err.contains("still running"), "the restore did not finish cancelling in time: {err}");
    let status = cli.wait().unwrap();
    let mut cli_err = String::new();
    cli.stderr.take().unwrap().read_to_string(&mut cli_err).unwrap();
    assert!(!status.success(), "the restore claimed success: {cli_err}");
    assert!(cli_err.contains("cancelled") && cli_err.contains("rolled back"), "{cli_err}");

    // Rolled back by the stop itself, before the lock went.
    assert_eq!(std::fs::read_to_string(src.join("configuration.yaml")).unwrap(), "edited: after the backup\n");
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    let restore = entries.iter().find(|e| e["action"] == "backup_restore" && !e["description"].as_str().unwrap_or("").contains("preview")).cloned().expect("the restore's entry");
    assert_eq!(restore["status"], "cancelled", "{restore}");
    assert!(restore.to_string().contains("rolled back"), "{restore}");
    let _d2 = home.daemon();
    let (ok, out, _) = home.hd(&["backup", "list", "--json"]);
    assert!(ok && out.contains("\"conf\""), "{out}");
}

/// SIGTERM while an attached CLI verifies a large archive: the verify is
/// cancelled, and the catalog keeps the archive's last real verdict (a
/// cancel is no verdict on the archive).
#[test]
fn sigterm_mid_verify_leaves_the_catalog_as_it_was() {
    let home = Home::new();
    let d = home.daemon();
    big_source_of(&home, 100);
    let (ok, _, err) = home.hd(&["backup", "create", "big"]);
    assert!(ok, "{err}");
    let catalog = || {
        let (ok, out, err) = home.hd(&["backup", "list", "--json"]);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let e = v["entries"].as_array().or(v["catalog"].as_array()).or(v.as_array()).cloned().unwrap_or_default();
        let big = e.into_iter().find(|e| e["source"] == "big").unwrap_or_else(|| panic!("no entry for big: {out}"));
        (big["verified_at"].clone(), big["verify_error"].clone())
    };
    let before = catalog();
    assert!(before.0.is_string() && before.1.is_null(), "{before:?}");

    let mut cli = home.spawn(&["backup", "verify", "1"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, out, _) = home.hd(&["backup", "jobs", "--json"]);
        if out.contains("\"verify\"") {
            break;
        }
        assert!(Instant::now() < deadline, "the verify never showed as a job: {out}");
        std::thread::sleep(Duration::from_millis(20));
    }
    d.signal("TERM");
    let mut d = d;
    let (status, err) = d.wait(Duration::from_secs(20));
    assert!(status.success(), "{err}");
    assert!(err.contains("cancelling verify of big"), "{err}");
    let status = cli.wait().unwrap();
    let mut cli_err = String::new();
    cli.stderr.take().unwrap().read_to_string(&mut cli_err).unwrap();
    assert!(!status.success() && cli_err.contains("cancelled"), "{cli_err}");
    assert_eq!(catalog(), before, "a cancelled verify changed the catalog");
}
