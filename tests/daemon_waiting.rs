#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A scheduled backup of a vault-keyed source, due while the daemon's vault
//! is locked and no credential is configured, waits for unlock — and says so
//! in `daemon status`, in the audit log (`schedule_waiting` by
//! `daemon@scheduler`) and in the NEXT RUN column of the Backups pane of a
//! console in tmux at 80×24. An unlock from the CLI lets it run. With a
//! systemd credential (`$CREDENTIALS_DIRECTORY`) it runs unattended.

mod daemon_common;
use daemon_common::tmux::Tmux;
use daemon_common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A home with a vault, a source sealed with a vault key, and a schedule
/// for it due every second.
fn vault_keyed_schedule() -> Home {
    let home = Home::new();
    let src = home.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("flows.json"), "[]").unwrap();
    assert!(home.hd(&["vault", "init"]).0);
    assert!(home.hd_in(&["secret", "add", "backup-key", "--kind", "api_key"], Some("a long random archive key")).0);
    let (ok, _, err) = home.hd(&["backup", "source", "add", "flows", "--kind", "dir", "--path", src.to_str().unwrap(), "--key-secret", "backup-key", "--encrypt", "true"]);
    assert!(ok, "{err}");
    // Every second: it is due as soon as the daemon runs.
    let (ok, _, err) = home.hd(&["backup", "schedule", "add", "often", "flows", "* * * * * *", "--tz", "UTC"]);
    assert!(ok, "{err}");
    home
}

/// `homedeck daemon` without HOMEDECK_PASSPHRASE_FILE; `credentials`: a
/// systemd-style `$CREDENTIALS_DIRECTORY` to give it.
fn daemon_with(home: &Home, credentials: Option<&std::path::Path>) -> Daemon {
    let r = home.dir.path();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homedeck"));
    cmd.arg("daemon")
        .env("HOMEDECK_DATA_DIR", r.join("data"))
        .env("HOMEDECK_CONFIG_DIR", r.join("config"))
        .env("HOMEDECK_STATE_DIR", r.join("state"))
        .env_remove("HOMEDECK_PASSPHRASE_FILE")
        .env_remove("CREDENTIALS_DIRECTORY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(dir) = credentials {
        cmd.env("CREDENTIALS_DIRECTORY", dir);
    }
    let d = Daemon { child: Some(cmd.spawn().unwrap()) };
    home.wait_serving(Duration::from_secs(20));
    d
}

#[test]
fn a_run_waiting_for_unlock_shows_in_status_audit_and_the_backups_pane() {
    let home = vault_keyed_schedule();
    // A daemon with no credential: its vault stays locked.
    let _d = daemon_with(&home, None);

    // daemon status: the job waits.
    let deadline = Instant::now() + Duration::from_secs(30);
    let job = loop {
        let s = home.status();
        let job = s["schedules"].as_array().unwrap().iter().find(|j| j["name"] == "often").cloned().unwrap();
        if job.to_string().contains("waiting") {
            break job;
        }
        assert!(Instant::now() < deadline, "never waiting for unlock: {s}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(job.to_string().contains("waiting_for_unlock") || job.to_string().contains("waiting for unlock"), "{job}");
    let (ok, out, _) = home.hd(&["daemon", "status"]);
    assert!(ok && out.contains("waiting for unlock"), "{out}");

    // The audit log: waiting, by the scheduler, never a success.
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    let waiting = entries.iter().find(|e| e["action"] == "schedule_waiting").cloned().expect("a schedule_waiting entry");
    assert_eq!((waiting["actor"]["user"].as_str(), waiting["actor"]["frontend"].as_str()), (Some("daemon"), Some("scheduler")), "{waiting}");
    assert_eq!(waiting["status"], "failure", "{waiting}");
    assert!(waiting.to_string().contains("waiting for unlock"), "{waiting}");
    assert!(!entries.iter().any(|e| e["action"] == "backup_create" && e["status"] == "success"), "{out}");

    // The Backups pane of an attached console, at 80×24: the source's NEXT
    // RUN says so (not only the status bar).
    let t = Tmux::start(home.dir.path(), "waiting", (80, 24), false);
    t.wait_for("attached: daemon");
    t.keys(&["5"]);
    let row = |s: &str| s.lines().any(|l| l.contains("flows") && l.contains(" dir ") && l.contains("waiting for unlock"));
    t.wait_until("the flows row saying waiting for unlock", row);

    // An unlock from the CLI lets it run; the row shows a time again.
    let (ok, _, err) = home.hd(&["vault", "unlock"]);
    assert!(ok, "{err}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ok, out, _) = home.hd(&["backup", "list", "--json"]);
        if ok && out.contains("\"flows\"") {
            break;
        }
        assert!(Instant::now() < deadline, "the waiting run did not go after unlock: {out}");
        std::thread::sleep(Duration::from_millis(200));
    }
    t.wait_until("the flows row without waiting", |s| s.lines().any(|l| l.contains("flows") && l.contains(" dir ") && !l.contains("waiting")));
    t.keys(&["q"]);
}

/// systemd's `LoadCredential=homedeck-passphrase:…` puts the passphrase in
/// `$CREDENTIALS_DIRECTORY/homedeck-passphrase`: the daemon's scheduler
/// unlocks with it and the vault-keyed run goes with nobody attached.
#[test]
fn a_systemd_credential_lets_the_daemon_run_a_vault_keyed_schedule() {
    let home = vault_keyed_schedule();
    let creds = home.dir.path().join("credentials");
    std::fs::create_dir_all(&creds).unwrap();
    std::fs::write(creds.join("homedeck-passphrase"), format!("{PASS}\n")).unwrap();
    // A passphrase file others can read is refused (issue 15): systemd
    // makes its credentials 0400 too.
    std::fs::set_permissions(creds.join("homedeck-passphrase"), std::os::unix::fs::PermissionsExt::from_mode(0o400)).unwrap();
    let _d = daemon_with(&home, Some(&creds));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ok, out, _) = home.hd(&["backup", "list", "--json"]);
        if ok && out.contains("\"flows\"") {
            break;
        }
        assert!(Instant::now() < deadline, "no scheduled backup with the credential: {out}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    let by_scheduler = |action: &str| {
        entries.iter().any(|e| e["action"] == action && e["status"] == "success" && e["actor"]["user"] == "daemon" && e["actor"]["frontend"] == "scheduler")
    };
    assert!(by_scheduler("vault_unlock") && by_scheduler("backup_create"), "{out}");
    assert!(!entries.iter().any(|e| e["action"] == "schedule_waiting"), "{out}");
    assert!(!out.contains(PASS));
}
