#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A console in tmux attached to a real daemon, and a CLI beside it: the
//! console shows what it is attached to, sees the CLI's secret appear
//! without a key press, says so when the daemon goes away, keeps its
//! screen, and reattaches when a daemon is back. Then a console hosting
//! in-process serves a CLI command that would once have failed with "busy".

mod daemon_common;
use daemon_common::*;
use daemon_common::tmux::Tmux;
use std::time::Duration;

#[test]
fn console_attached_to_a_daemon_sees_a_cli_change_live_and_survives_a_restart() {
    let home = Home::new();
    let mut d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);

    let t = Tmux::start(home.dir.path(), "attached", (100, 30), true);
    t.wait_for("6:Secrets");
    t.wait_for(&format!("attached: daemon {}", d.pid()));
    t.keys(&["6"]);
    t.wait_for("Vault: unlocked");

    // The CLI adds a secret; the open Secrets pane shows it, no key pressed.
    let (ok, _, err) = home.hd_in(&["secret", "add", "from-the-cli", "--kind", "api_key"], Some("v"));
    assert!(ok, "{err}");
    t.wait_for("from-the-cli");

    // The console is listed by the daemon as a tui client.
    let s = home.status();
    assert!(s["clients"].as_array().unwrap().iter().any(|c| c["frontend"] == "tui"), "{s}");

    // The daemon goes away: the console says so and keeps its screen.
    d.signal("KILL");
    let _ = d.wait(Duration::from_secs(10));
    let s = t.wait_for("HOST LOST");
    assert!(s.contains("from-the-cli"), "the screen was cleared:\n{s}");

    // A daemon comes back (the kill left a stale socket): the console reattaches.
    let d2 = home.daemon();
    t.wait_for(&format!("attached: daemon {}", d2.pid()));
    let (ok, _, err) = home.hd_in(&["secret", "add", "after-restart", "--kind", "api_key"], Some("v"));
    assert!(ok, "{err}");
    // The restarted daemon's vault is locked, so the pane lists names only.
    t.wait_for("after-restart");
    t.keys(&["q"]);
}

#[test]
fn a_console_hosting_in_process_serves_a_cli_in_another_pane() {
    let home = Home::new();
    let t = Tmux::start(home.dir.path(), "hosting", (100, 30), true);
    t.wait_for("6:Secrets");
    let s = t.screen();
    assert!(!s.contains("attached:"), "an in-process console says nothing of a host:\n{s}");
    // Once "the data dir is in use by another homedeck"; now it attaches.
    let (ok, out, err) = home.hd(&["daemon", "status", "--json"]);
    assert!(ok, "{err}");
    assert!(out.contains("\"host\": \"console\""), "{out}");
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");
    t.keys(&["6"]);
    t.wait_for("Vault: unlocked");
    // A console cannot be stopped as if it were a daemon.
    let (ok, _, err) = home.hd(&["daemon", "stop"]);
    assert!(!ok && err.contains("console hosting in-process"), "{err}");
    t.keys(&["q"]);
}

/// Two consoles at 80×24 and a CLI on one daemon, each seeing the others'
/// changes live: a secret the CLI adds shows in both open Secrets panes,
/// a lock pressed in console 1 shows in console 2, and an unlock typed in
/// console 2 shows in console 1 and in the CLI — no key pressed in the
/// console that watches.
#[test]
fn two_consoles_and_a_cli_see_each_others_changes_live() {
    let home = Home::new();
    let d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    let one = Tmux::start(home.dir.path(), "one", (80, 24), false);
    let two = Tmux::start(home.dir.path(), "two", (80, 24), false);
    for t in [&one, &two] {
        t.wait_for(&format!("attached: daemon {}", d.pid()));
        t.keys(&["6"]);
        t.wait_for("Vault: unlocked");
    }
    let tuis = home.status()["clients"].as_array().unwrap().iter().filter(|c| c["frontend"] == "tui").count();
    assert_eq!(tuis, 2);

    let (ok, _, err) = home.hd_in(&["secret", "add", "from-the-cli", "--kind", "api_key"], Some("v"));
    assert!(ok, "{err}");
    one.wait_for("from-the-cli");
    two.wait_for("from-the-cli");

    one.keys(&["L"]);
    one.wait_for("Vault: locked");
    two.wait_for("Vault: locked");
    let (ok, out, err) = home.hd(&["vault", "status"]);
    assert!(ok && out.contains("locked") && !out.contains("unlocked"), "{out}{err}");

    two.keys(&["u"]);
    two.wait_for("assphrase");
    two.tmux(&["send-keys", "-l", PASS]);
    two.keys(&["Enter"]);
    two.wait_for("Vault: unlocked");
    one.wait_for("Vault: unlocked");
    let (ok, out, err) = home.hd(&["vault", "status"]);
    assert!(ok && out.contains("unlocked"), "{out}{err}");
    one.keys(&["q"]);
    two.keys(&["q"]);
}
