#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `homedeck --remote SERVER`: a real `homedeck daemon` on a "remote" data
//! dir behind the repository's real sshd (as the SSH login user), a server
//! registered in a separate "local" data dir, and the real CLI and console
//! on the local side reaching the remote daemon through a direct-streamlocal
//! tunnel — with our own engine, or relayed by a local daemon. Every process
//! started here is stopped by its pid.

mod daemon_common;
#[path = "common/sshd.rs"]
mod sshd;

use daemon_common::*;
use sshd::Sshd;
use std::process::Command;
use std::time::{Duration, Instant};

/// Two sites: `remote` runs a daemon behind `sshd`; `local` knows the
/// server as `cabin` (and `locked` behind an sshd forbidding streamlocal).
struct Sites {
    remote: Home,
    local: Home,
    sshd: Sshd,
    _strict: Sshd,
}

fn sites() -> Sites {
    let remote = Home::new();
    let local = Home::new();
    // The login's environment points the remote user's data dir at the
    // remote home, so the default socket is found there.
    let set_env = format!("SetEnv HOMEDECK_DATA_DIR={}", remote.data().display());
    let sshd = Sshd::start_with(&remote.dir.path().join("sshd"), sshd::free_port(), &set_env);
    let strict = Sshd::start_with(&remote.dir.path().join("sshd-strict"), sshd::free_port(), "AllowStreamLocalForwarding no");
    ok(&local, &["vault", "init"], None);
    for (name, d) in [("cabin", &sshd), ("locked", &strict)] {
        let port = d.port.to_string();
        let key = d.client_key.display().to_string();
        let args = ["server", "add", name, "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--key-file", &key];
        ok(&local, &args, None);
    }
    Sites { remote, local, sshd, _strict: strict }
}

/// `homedeck ARGS` in `home`, which must succeed; its stdout.
fn ok(home: &Home, args: &[&str], stdin: Option<&str>) -> String {
    let (good, out, err) = home.hd_in(args, stdin);
    assert!(good, "homedeck {args:?} failed: {err}");
    out
}

/// `homedeck ARGS` in `home`, which must fail; its stderr.
fn fails(home: &Home, args: &[&str]) -> String {
    let (good, out, err) = home.hd(args);
    assert!(!good, "homedeck {args:?} succeeded: {out}");
    err
}

fn audit(home: &Home) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&ok(home, &["audit", "search", "--json"], None)).unwrap();
    v["page"]["entries"].as_array().expect("audit entries").clone()
}

#[test]
fn cli_commands_go_to_the_remote_daemon_and_are_audited_there() {
    let s = sites();
    let d = s.remote.daemon();
    ok(&s.remote, &["vault", "init"], None);
    let mut follower = Follower::start(&s.local, &["--remote", "cabin", "events", "--follow", "--json"]);

    // A secret added through --remote lands in the remote data dir …
    ok(&s.local, &["--remote", "cabin", "secret", "add", "from-afar", "--kind", "api_key"], Some("far value"));
    // … the follower on the other site's events sees it happen …
    follower.wait_for("secret_add");
    assert!(ok(&s.remote, &["secret", "list"], None).contains("from-afar"));
    assert!(!ok(&s.local, &["secret", "list"], None).contains("from-afar"));
    // … is listed back through --remote, and the remote inventory is the
    // remote's: it does not know `cabin`.
    assert!(ok(&s.local, &["--remote", "cabin", "secret", "list"], None).contains("from-afar"));
    let servers = ok(&s.local, &["--remote", "cabin", "server", "list"], None);
    assert!(servers.contains("local") && !servers.contains("cabin"), "{servers}");
    let status: serde_json::Value =
        serde_json::from_str(&ok(&s.local, &["--remote", "cabin", "daemon", "status", "--json"], None)).unwrap();
    assert_eq!(status["pid"], d.pid(), "{status}");
    assert_eq!(status["data_dir"], s.remote.data().display().to_string(), "{status}");

    // The remote daemon took the actor from its socket's peer: the SSH login user.
    let remote_audit = audit(&s.remote);
    let add = remote_audit.iter().find(|e| e["action"] == "secret_add").expect("secret_add in the remote audit");
    assert_eq!(add["actor"]["user"], sshd::me().as_str(), "{add}");
    assert_eq!(add["actor"]["frontend"], "cli", "{add}");
    // Locally: the tunnel openings, and the host key pinned on first use.
    let local_audit = audit(&s.local);
    let attaches: Vec<_> = local_audit.iter().filter(|e| e["action"] == "remote_attach").collect();
    assert!(attaches.len() >= 4 && attaches.iter().all(|e| e["status"] == "success"), "{attaches:?}");
    assert!(local_audit.iter().any(|e| e["action"] == "server_host_key_pinned"), "first use was not pinned");
    // The follower hosts this data dir in-process, so the later commands
    // were relayed by it over its one pooled SSH connection.
    assert_eq!(s.sshd.logins(), 1, "{}", s.sshd.log_text());
}

/// `homedeck … events --follow` as a process; its stdout lines in a channel.
struct Follower {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Follower {
    fn start(home: &Home, args: &[&str]) -> Follower {
        use std::io::BufRead;
        let mut child = home.spawn(args);
        let (tx, lines) = std::sync::mpsc::channel();
        let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let tx2 = tx.clone();
        std::thread::spawn(move || std::io::BufReader::new(out).lines().map_while(Result::ok).for_each(|l| drop(tx.send(l))));
        std::thread::spawn(move || std::io::BufReader::new(err).lines().map_while(Result::ok).for_each(|l| drop(tx2.send(l))));
        let mut f = Follower { child, lines };
        f.wait_for("following engine events from cabin:");
        f
    }

    fn wait_for(&mut self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(l) if l.contains(what) => return,
                Ok(l) => seen.push(l),
                Err(_) => {}
            }
        }
        panic!("the follower never printed {what:?}: {seen:#?}");
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_local_daemon_relays_the_tunnel() {
    let s = sites();
    let _remote_daemon = s.remote.daemon();
    ok(&s.remote, &["vault", "init"], None);
    // This site runs its own daemon too (vault locked): the CLI is attached
    // to it, unlocks it from the passphrase file, and it opens the tunnel.
    let local_daemon = s.local.daemon();
    ok(&s.local, &["--remote", "cabin", "secret", "add", "relayed", "--kind", "api_key"], Some("v"));
    assert!(ok(&s.remote, &["secret", "list"], None).contains("relayed"));
    let status: serde_json::Value =
        serde_json::from_str(&ok(&s.local, &["--remote", "cabin", "daemon", "status", "--json"], None)).unwrap();
    assert_ne!(status["pid"], local_daemon.pid(), "{status}");
    // The local daemon audited the opening, acting for this user's CLI.
    let attach = audit(&s.local).into_iter().find(|e| e["action"] == "remote_attach").expect("remote_attach");
    assert_eq!(attach["status"], "success", "{attach}");
    assert_eq!(attach["actor"]["user"], sshd::me().as_str(), "{attach}");
}

#[test]
fn unknown_server_stopped_daemon_wrong_path_and_forbidden_forwarding_are_named() {
    let s = sites();
    let err = fails(&s.local, &["--remote", "nowhere", "secret", "list"]);
    assert!(err.contains("no server named \"nowhere\""), "{err}");

    // No daemon on the remote side yet: the default socket is named.
    let socket = s.remote.socket().display().to_string();
    let err = fails(&s.local, &["--remote", "cabin", "secret", "list"]);
    assert!(err.contains("cabin") && err.contains(&format!("no homedeck daemon there: no socket at {socket}")), "{err}");

    let mut d = s.remote.daemon();
    let err = fails(&s.local, &["--remote", "cabin", "--remote-socket", "/nonexistent/homedeck.sock", "secret", "list"]);
    assert!(err.contains("no socket at /nonexistent/homedeck.sock"), "{err}");

    // OpenSSH answers a forbidden forward like a dead socket: both are named.
    let err = fails(&s.local, &["--remote", "locked", "--remote-socket", &socket, "secret", "list"]);
    assert!(err.contains("server locked") && err.contains(&socket) && err.contains("AllowStreamLocalForwarding"), "{err}");

    // Stopped through --remote, then gone: the next attach says so.
    ok(&s.local, &["--remote", "cabin", "daemon", "stop"], None);
    let _ = d.wait(Duration::from_secs(20));
    let err = fails(&s.local, &["--remote", "cabin", "secret", "list"]);
    assert!(err.contains(&format!("no socket at {socket}")), "{err}");
    let failed = audit(&s.local).into_iter().filter(|e| e["action"] == "remote_attach" && e["status"] == "failure").count();
    assert!(failed >= 4, "{failed} failed remote_attach entries");
}

/// A tmux server of our own running the console with `--remote`.
struct Tmux {
    socket: String,
    pid: Option<u32>,
}

impl Tmux {
    fn start(home: &Home, args: &[&str]) -> Tmux {
        let socket = format!("homedeck-remote-{}", std::process::id());
        let root = home.dir.path();
        let env = |k: &str, v: &str| format!("{k}={}", root.join(v).display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "110", "-y", "30"])
            .args(["env", "TERM=xterm-256color"])
            .args([env("HOMEDECK_DATA_DIR", "data"), env("HOMEDECK_CONFIG_DIR", "config"), env("HOMEDECK_STATE_DIR", "state")])
            .arg(env("HOMEDECK_PASSPHRASE_FILE", "pass"))
            .arg(env!("CARGO_BIN_EXE_homedeck"))
            .args(args)
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

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.tmux(&["capture-pane", "-p"]);
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
fn a_console_over_remote_shows_the_site_and_reattaches_through_ssh() {
    let s = sites();
    let mut d = s.remote.daemon();
    ok(&s.remote, &["vault", "init"], None);
    ok(&s.remote, &["secret", "add", "cabin-only", "--kind", "api_key"], Some("v"));

    let t = Tmux::start(&s.local, &["--remote", "cabin"]);
    t.wait_for(&format!("site: cabin (daemon {})", d.pid()));
    t.tmux(&["send-keys", "6"]);
    t.wait_for("cabin-only");

    // The remote daemon dies: HOST LOST, the screen kept; a new one is
    // reached again through SSH.
    d.signal("KILL");
    let _ = d.wait(Duration::from_secs(10));
    let screen = t.wait_for("HOST LOST");
    assert!(screen.contains("site: cabin") && screen.contains("cabin-only"), "{screen}");
    let d2 = s.remote.daemon();
    t.wait_for(&format!("site: cabin (daemon {})", d2.pid()));
    t.tmux(&["send-keys", "q"]);
}
