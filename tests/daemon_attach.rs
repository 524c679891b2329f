#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `homedeck daemon` as a real process, and real CLI commands attaching to
//! it: several at once, their audit actor, `daemon status --json`, `daemon
//! stop`, SIGTERM, a stale socket, and a second daemon refused.

mod daemon_common;
use daemon_common::*;
use std::time::Duration;

fn me() -> String {
    whoami::fallible::username().unwrap()
}

#[test]
fn two_clis_at_once_share_the_daemon_and_are_audited_as_cli() {
    let home = Home::new();
    let _d = home.daemon();
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");

    // Two adds at the same moment: neither is "busy", both land.
    let adds: Vec<_> = ["alpha", "beta"]
        .into_iter()
        .map(|name| {
            let env = daemon_common::cli_env::CliEnv::new(home.dir.path());
            std::thread::spawn(move || env.cmd(&["secret", "add", name, "--kind", "api_key"], Some(&format!("value-of-{name}"))))
        })
        .collect();
    for a in adds {
        let o = a.join().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // A third CLI, listing, sees what the others wrote.
    let (ok, out, err) = home.hd(&["secret", "list"]);
    assert!(ok, "{err}");
    assert!(out.contains("alpha") && out.contains("beta"), "{out}");

    // The daemon built the actor from the peer credentials: USER@cli.
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().expect("audit entries");
    let adds: Vec<_> = entries.iter().filter(|e| e["action"] == "secret_add").collect();
    assert_eq!(adds.len(), 2, "{out}");
    for e in adds {
        assert_eq!(e["actor"]["user"], me().as_str(), "{e}");
        assert_eq!(e["actor"]["frontend"], "cli", "{e}");
    }
    // Same exit codes as in-process: a refusal is 1.
    let (ok, _, err) = home.hd(&["secret", "show", "nope"]);
    assert!(!ok && err.contains("no secret named \"nope\""), "{err}");
}

#[test]
fn status_lists_clients_and_stop_removes_the_socket() {
    let home = Home::new();
    let mut d = home.daemon();
    let s = home.status();
    assert_eq!(s["running"], true);
    assert_eq!(s["host"], "daemon");
    assert_eq!(s["pid"], d.pid());
    assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(s["protocol"], 1);
    assert!(s["clients"].as_array().unwrap().is_empty(), "{s}");
    // Only the daemon's own housekeeping (audit retention, rotation check).
    let own = |s: &serde_json::Value| s["schedules"].as_array().unwrap().iter().filter(|j| j["kind"] != "daemon").cloned().collect::<Vec<_>>();
    assert!(own(&s).is_empty(), "{s}");
    // The daemon runs the scheduler: a schedule shows with its next run.
    let src = home.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    assert!(home.hd(&["backup", "source", "add", "etc", "--kind", "dir", "--path", src.to_str().unwrap()]).0);
    let (ok, _, err) = home.hd(&["backup", "schedule", "add", "nightly", "etc", "0 3 * * *", "--tz", "UTC"]);
    assert!(ok, "{err}");
    let s = home.status();
    let jobs = own(&s);
    assert_eq!(jobs.len(), 1, "{s}");
    assert_eq!(jobs[0]["name"], "nightly");
    assert!(jobs[0]["next_run"].is_string(), "{s}");

    // An attached follower is listed (the asking CLI itself is not).
    let mut follower = home.spawn(&["events", "--follow", "--json"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = home.status();
        let clients = s["clients"].as_array().unwrap();
        if let Some(c) = clients.first() {
            assert_eq!(c["frontend"], "cli");
            assert_eq!(c["user"], me().as_str());
            assert_eq!(c["pid"], follower.id());
            break;
        }
        assert!(std::time::Instant::now() < deadline, "follower never listed: {s}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (ok, out, _) = home.hd(&["daemon", "status"]);
    assert!(ok && out.contains("homedeck daemon hosts") && out.contains("1 attached") && out.contains("nightly"), "{out}");

    let (ok, _, err) = home.hd(&["daemon", "stop"]);
    assert!(ok, "{err}");
    assert!(!exists(&home.socket()), "socket left behind");
    let (status, err) = d.wait(Duration::from_secs(10));
    assert!(status.success(), "{err}");
    assert!(err.contains("stopping (asked over the socket)"), "{err}");
    let _ = follower.kill();
    let _ = follower.wait();

    let s = home.status();
    assert_eq!(s["running"], false, "{s}");
    let (ok, _, err) = home.hd(&["daemon", "stop"]);
    assert!(!ok && err.contains("nothing to stop"), "{err}");
}

#[test]
fn sigterm_stops_gracefully_and_frees_the_data_dir() {
    let home = Home::new();
    let mut d = home.daemon();
    d.signal("TERM");
    let (status, err) = d.wait(Duration::from_secs(10));
    assert!(status.success(), "{err}");
    assert!(err.contains("SIGTERM"), "{err}");
    assert!(!exists(&home.socket()));
    // The lock is free: a CLI command opens the data dir itself again.
    let (ok, out, err) = home.hd(&["vault", "status"]);
    assert!(ok, "{err}");
    assert!(out.contains("not initialised") || out.contains("initialized"), "{out}");
    assert!(!exists(&home.socket()), "an in-process CLI left its socket");
}

#[test]
fn a_stale_socket_is_replaced_and_a_second_daemon_refused() {
    let home = Home::new();
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(home.data()).unwrap();
    // A socket file nobody listens on, as a crashed daemon leaves it.
    drop(std::os::unix::net::UnixListener::bind(home.socket()).unwrap());
    assert!(exists(&home.socket()));
    let d = home.daemon();
    assert_eq!(home.status()["pid"], d.pid());

    let mut second = home.spawn(&["daemon"]);
    let status = second.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("a homedeck daemon already runs") && err.contains(&format!("pid {}", d.pid())), "{err}");
    // The first one is untouched.
    assert_eq!(home.status()["pid"], d.pid());
}

#[test]
fn readonly_cli_refuses_writes_even_when_the_daemon_allows_them() {
    let home = Home::new();
    let _d = home.daemon();
    let (ok, _, err) = home.hd(&["--readonly", "vault", "init"]);
    assert!(!ok && err.contains("read-only"), "{err}");
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");
}

#[test]
fn a_data_dir_too_long_for_a_socket_path_uses_the_runtime_dir() {
    let mut home = Home::new();
    let long = home.dir.path().join("d".repeat(60)).join("e".repeat(60));
    let runtime = home.dir.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    home.env.extra.push(("HOMEDECK_DATA_DIR".into(), long.display().to_string()));
    home.env.extra.push(("XDG_RUNTIME_DIR".into(), runtime.display().to_string()));
    let d = home.daemon();
    let s = home.status();
    assert_eq!(s["pid"], d.pid());
    let socket = s["socket"].as_str().unwrap();
    assert!(socket.starts_with(runtime.join("homedeck").to_str().unwrap()) && socket.ends_with(".sock"), "{s}");
    assert!(!exists(&long.join("homedeck.sock")));
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");
    let (ok, out, _) = home.hd(&["daemon", "status"]);
    assert!(ok && out.contains(socket), "{out}");
}

#[test]
fn ctrl_c_on_an_attached_backup_cancels_the_job_in_the_daemon() {
    let home = Home::new();
    let d = home.daemon();
    let src = home.dir.path().join("big");
    std::fs::create_dir_all(&src).unwrap();
    // Incompressible, so writing takes a while.
    let mut f = std::fs::File::create(src.join("blob")).unwrap();
    std::io::copy(&mut std::io::Read::take(std::fs::File::open("/dev/urandom").unwrap(), 300 << 20), &mut f).unwrap();
    let (ok, _, err) = home.hd(&["backup", "source", "add", "big", "--kind", "dir", "--path", src.to_str().unwrap()]);
    assert!(ok, "{err}");

    let mut cli = home.spawn(&["backup", "create", "big"]);
    let partial = home.data().join("backups/.partial");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let writing = || {
        std::fs::read_dir(&partial)
            .map(|d| d.filter_map(|e| e.ok()).any(|e| e.metadata().map(|m| m.len() > (1 << 20)).unwrap_or(false)))
            .unwrap_or(false)
    };
    while !writing() {
        assert!(std::time::Instant::now() < deadline, "the backup never started writing");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::process::Command::new("kill").args(["-s", "INT", &cli.id().to_string()]).status().unwrap();
    let status = cli.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut cli.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success(), "the backup finished anyway: {err}");
    assert!(err.contains("cancelling backup"), "{err}");

    // The daemon cancelled it cleanly: no job, no partial file, no catalog entry.
    let (ok, out, _) = home.hd(&["backup", "list", "--json"]);
    assert!(ok);
    assert!(!out.contains("\"source\": \"big\""), "{out}");
    let empty = std::fs::read_dir(&partial).map(|d| d.count() == 0).unwrap_or(true);
    assert!(empty, "partial archive left behind");
    let (ok, out, _) = home.hd(&["audit", "search", "--json"]);
    assert!(ok && out.contains("backup_cancel"), "{out}");
    assert_eq!(home.status()["pid"], d.pid());
}

#[test]
fn kill_9_of_the_daemon_mid_backup_fails_the_cli_clearly_and_a_restart_cleans_up() {
    let home = Home::new();
    let mut d = home.daemon();
    let src = home.dir.path().join("big");
    std::fs::create_dir_all(&src).unwrap();
    let mut f = std::fs::File::create(src.join("blob")).unwrap();
    std::io::copy(&mut std::io::Read::take(std::fs::File::open("/dev/urandom").unwrap(), 300 << 20), &mut f).unwrap();
    assert!(home.hd(&["backup", "source", "add", "big", "--kind", "dir", "--path", src.to_str().unwrap()]).0);
    assert!(home.hd(&["vault", "init"]).0);
    assert!(home.hd_in(&["secret", "add", "kept", "--kind", "api_key"], Some("acknowledged")).0);

    let mut cli = home.spawn(&["backup", "create", "big"]);
    let partial = home.data().join("backups/.partial");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let writing = || {
        std::fs::read_dir(&partial)
            .map(|d| d.filter_map(|e| e.ok()).any(|e| e.metadata().map(|m| m.len() > (1 << 20)).unwrap_or(false)))
            .unwrap_or(false)
    };
    while !writing() {
        assert!(std::time::Instant::now() < deadline, "the backup never started writing");
        std::thread::sleep(Duration::from_millis(50));
    }
    d.signal("KILL");
    let _ = d.wait(Duration::from_secs(10));

    // The attached CLI says what happened and fails; it does not pretend.
    let status = cli.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut cli.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success(), "{err}");
    assert!(err.contains("went away") && err.contains("may or may not have finished"), "{err}");

    // A new daemon replaces the stale socket, removes the partial archive,
    // and has lost nothing acknowledged.
    assert!(exists(&home.socket()), "kill -9 leaves the socket behind");
    let d2 = home.daemon();
    assert_eq!(home.status()["pid"], d2.pid());
    let empty = std::fs::read_dir(&partial).map(|d| d.count() == 0).unwrap_or(true);
    assert!(empty, "partial archive left behind");
    let (ok, out, _) = home.hd(&["backup", "list", "--json"]);
    assert!(ok && !out.contains("\"source\": \"big\""), "{out}");
    let (ok, out, err) = home.hd(&["secret", "reveal", "kept"]);
    assert!(ok && out.contains("acknowledged"), "{out}{err}");
}
