#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A console in tmux attached to a real daemon, and a CLI beside it: the
//! console shows what it is attached to, sees the CLI's secret appear
//! without a key press, says so when the daemon goes away, keeps its
//! screen, and reattaches when a daemon is back. Then a console hosting
//! in-process serves a CLI command that would once have failed with "busy".

mod daemon_common;
use daemon_common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own running the console; killed by pid at the end.
struct Tmux {
    socket: String,
    pid: Option<u32>,
}

impl Tmux {
    fn start(root: &Path, name: &str) -> Tmux {
        let socket = format!("homedeck-daemon-{name}-{}", std::process::id());
        let env = |k: &str, v: &Path| format!("{k}={}", v.display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30"])
            .args(["env", "TERM=xterm-256color"])
            .arg(env("HOMEDECK_DATA_DIR", &root.join("data")))
            .arg(env("HOMEDECK_CONFIG_DIR", &root.join("config")))
            .arg(env("HOMEDECK_STATE_DIR", &root.join("state")))
            .arg(env("HOMEDECK_PASSPHRASE_FILE", &root.join("pass")))
            .arg(env!("CARGO_BIN_EXE_homedeck"))
            .status()
            .expect("tmux must be installed (tests/run.sh installs it)");
        assert!(status.success());
        let mut t = Tmux { socket, pid: None };
        t.pid = t.tmux(&["display-message", "-p", "#{pid}"]).trim().parse().ok();
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what:?}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

#[test]
fn console_attached_to_a_daemon_sees_a_cli_change_live_and_survives_a_restart() {
    let home = Home::new();
    let mut d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);

    let t = Tmux::start(home.dir.path(), "attached");
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
    let t = Tmux::start(home.dir.path(), "hosting");
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
