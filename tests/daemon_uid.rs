#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Another OS user against a real daemon, run with `setpriv` as a user this
//! test creates (`useradd -M hdother`; needs root, skipped otherwise).
//!
//! Two walls: the socket is 0600, so the other user cannot even connect;
//! and when the mode is relaxed from outside (the test chmods the socket to
//! 0666, as a careless admin might), the daemon's peer-uid check refuses a
//! raw client (Python, as that user) with a message and an audit entry, and
//! serves nothing. The homedeck CLI as that user refuses on its own side
//! first: it will not talk to a socket served by another uid.

mod daemon_common;
use daemon_common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const OTHER: &str = "hdother";

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn ensure_user() -> u32 {
    if !Command::new("id").arg(OTHER).output().unwrap().status.success() {
        let ok = Command::new("useradd").args(["-M", "-s", "/usr/sbin/nologin", OTHER]).status().unwrap().success();
        assert!(ok, "useradd {OTHER} failed");
    }
    let out = Command::new("id").args(["-u", OTHER]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// `homedeck secret list` as the other user, on our data dir, with config
/// and logs in a directory that user may write.
fn as_other(data: &Path, scratch: &Path) -> (bool, String) {
    let out = Command::new("setpriv")
        .args(["--reuid", OTHER, "--regid", OTHER, "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_homedeck"))
        // Past the start-up refusal of a data dir owned by someone else, to
        // reach the walls this test is about.
        .args(["--insecure-permissions", "secret", "list"])
        .env("HOMEDECK_DATA_DIR", data)
        .env("HOMEDECK_CONFIG_DIR", scratch.join("config"))
        .env("HOMEDECK_STATE_DIR", scratch.join("state"))
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A minimal client in Python, run as the other user: hello, then print the
/// one frame that comes back (or EOF).
fn raw_hello_as_other(socket: &Path) -> String {
    const CLIENT: &str = r#"
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
body = json.dumps({"frame": "hello", "protocol": 1, "frontend": "cli", "events": False}).encode()
try:
    s.sendall(struct.pack(">I", len(body)) + body)
except (BrokenPipeError, ConnectionResetError):
    pass  # refused before the hello was read; the error frame is already queued for us
def exact(n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            sys.exit("EOF")
        buf += chunk
    return buf
print(exact(struct.unpack(">I", exact(4))[0]).decode())
"#;
    let out = Command::new("setpriv")
        // The system interpreter: a per-user one (pyenv under /root) is not
        // reachable as the other user. The test peers need python3 anyway.
        .args(["--reuid", OTHER, "--regid", OTHER, "--clear-groups", "--", "/usr/bin/python3", "-c", CLIENT])
        .arg(socket)
        .output()
        .unwrap();
    assert!(out.status.success(), "raw client: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn another_uid_is_refused_audited_and_never_served() {
    if !is_root() {
        eprintln!("skipped: creating a second user and switching to it needs root");
        return;
    }
    let uid = ensure_user();
    let home = Home::new();
    let _d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    // Let the other user traverse to the socket (search permission only, no
    // listing); what stands between it and the engine is then the socket's
    // own mode, and behind that the uid check.
    for dir in [home.dir.path(), &home.data()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    let scratch = tempfile::tempdir().unwrap();
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o777)).unwrap();

    // Wall one: the socket is 0600.
    let mode = std::fs::metadata(home.socket()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (ok, err) = as_other(&home.data(), scratch.path());
    assert!(!ok, "the other user was served");
    assert!(err.contains("ermission denied"), "{err}");

    // Wall two: with the mode relaxed, the daemon's peer-uid check refuses
    // a raw client (the homedeck CLI would not even try: it checks who
    // serves the socket before it sends anything).
    std::fs::set_permissions(home.socket(), std::fs::Permissions::from_mode(0o666)).unwrap();
    let (ok, err) = as_other(&home.data(), scratch.path());
    assert!(!ok && err.contains("is served by uid 0, not by this user"), "{err}");
    let answer = raw_hello_as_other(&home.socket());
    let frame: serde_json::Value = serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(frame["frame"], "error", "{frame}");
    let message = frame["message"].as_str().unwrap();
    assert!(message.contains(&format!("refused: uid {uid}")) && message.contains("only the same OS user may attach"), "{message}");

    // … and it is in the audit log, as a failed daemon_connect by that uid
    // (the data dir private again, or homedeck refuses to start).
    std::fs::set_permissions(home.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let (ok, out, err) = home.hd(&["audit", "search", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["page"]["entries"].as_array().unwrap();
    let refused = entries.iter().find(|e| e["action"] == "daemon_connect").unwrap_or_else(|| panic!("no audit entry: {out}"));
    assert_eq!(refused["actor"]["user"], format!("uid {uid}"));
    assert_eq!(refused["actor"]["frontend"], "daemon");
    assert_eq!(refused["status"], "failure");
    assert_eq!(refused["category"], "security");
    // Nothing the other user asked for ran: no secret_list entry by anyone else.
    assert!(entries.iter().all(|e| e["actor"]["user"] != OTHER), "{out}");
}
