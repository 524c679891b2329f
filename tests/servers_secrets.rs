#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Server login secrets never leak: a canary password (and a key) go through
//! add, test, exec with a {{secret:…}} reference, a failing login and
//! health, with trace logging on; then every file homedeck wrote, its
//! output and the audit log are searched. Also: login through a real
//! ssh-agent, the one auth that needs no vault at all.

mod common;

use common::cli_env::{CliEnv, contains as has, regular_files};
use common::sshd::{self, Sshd};
use std::process::{Command, Stdio};

const CANARY: &str = "CANARY-sshpw-5e1f0c77";
const PASS: &str = "PASSPHRASE-servers-0a9b8c7d";

#[test]
fn a_canary_login_password_never_leaks() {
    assert!(sshd::is_root(), "password login needs a test user: run the tests as root (CI does)");
    sshd::ensure_user("hdcanary", CANARY, "/bin/sh");
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let root = tempfile::tempdir().unwrap();
    let env = CliEnv::new(root.path());
    std::fs::write(root.path().join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(root.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let port = d.port.to_string();
    let mut outs = Vec::new();
    let mut run = |args: &[&str], stdin: Option<&str>| {
        let o = env.cmd(args, stdin);
        outs.push((args.join(" "), o.clone()));
        o
    };
    assert!(run(&["vault", "init"], None).status.success());
    let o = run(&["server", "add", "cn", "--host", "127.0.0.1", "--port", &port, "--user", "hdcanary", "--password"], Some(CANARY));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(run(&["server", "test", "cn"], None).status.success());
    // The secret is used by reference and echoed back by the remote: the
    // output shows it redacted.
    let o = run(&["server", "exec", "cn", "--", "echo", "pw={{secret:server/cn/password}}"], None);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && text.contains("pw=[redacted]"), "{text}");
    let text = |o: &std::process::Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let o = run(&["server", "health", "cn"], None);
    assert!(o.status.success() && text(&o).contains("cn"), "health of cn did not run: {}", text(&o));
    // A wrong password on a second server, and a failing exec: each step
    // must really have happened for the leak check below to mean anything.
    let o = run(&["server", "add", "cn2", "--host", "127.0.0.1", "--port", &port, "--user", "hdcanary", "--password"], Some("wrong-one"));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["server", "test", "cn2"], None);
    assert!(!o.status.success() && text(&o).contains("cn2"), "the wrong password was not refused: {}", text(&o));
    assert!(text(&o).to_lowercase().contains("auth") || text(&o).contains("password"), "not an authentication failure: {}", text(&o));
    let o = run(&["server", "exec", "cn,cn2", "--", "false"], None);
    assert!(!o.status.success(), "a failing exec reported success: {}", text(&o));
    assert!(text(&o).contains("cn2") && text(&o).contains("cn"), "{}", text(&o));
    let audit = run(&["--json", "audit", "search", "--limit", "1000"], None);
    let audit: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let entries = audit["page"]["entries"].as_array().cloned().unwrap_or_default();
    let failed = |action: &str| {
        entries.iter().any(|e| e["action"] == action && e["status"] == "failure" && e["error"].as_str().is_some_and(|m| m.contains("authentication failed for hdcanary@cn2")))
    };
    assert!(failed("server_test") && failed("server_exec"), "the failed login and exec are audited as failures: {audit}");

    for (what, o) in &outs {
        assert!(!has(&o.stdout, CANARY) && !has(&o.stderr, CANARY), "canary in output of `{what}`");
    }
    let all = regular_files(root.path());
    assert!(all.iter().any(|p| p.to_string_lossy().contains("homedeck.log")), "{all:?}");
    for p in all {
        // A file gone since the listing (a sled temp file) holds nothing.
        let Ok(bytes) = std::fs::read(&p) else { continue };
        assert!(!has(&bytes, CANARY), "canary in {}", p.display());
    }
}

#[test]
fn login_through_a_real_ssh_agent() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let sock = tmp.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent").args(["-D", "-a"]).arg(&sock).stdout(Stdio::null()).spawn().unwrap();
    for _ in 0..200 {
        if sock.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let added = Command::new("ssh-add").arg(&d.client_key).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let root = tempfile::tempdir().unwrap();
    let mut env = CliEnv::new(root.path());
    env.extra.push(("SSH_AUTH_SOCK".into(), sock.display().to_string()));
    let port = d.port.to_string();
    // No vault at all: the agent holds the key.
    let o = env.cmd(&["server", "add", "viaagent", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--agent"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = env.cmd(&["server", "exec", "viaagent", "--", "echo", "agent ok"], None);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && text.contains("agent ok"), "{text}{}", String::from_utf8_lossy(&o.stderr));
    // Without an agent the error says so.
    env.extra = vec![("SSH_AUTH_SOCK".into(), "/nonexistent.sock".into())];
    let o = env.cmd(&["server", "test", "viaagent"], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("ssh-agent"), "{err}");
    let _ = agent.kill();
    let _ = agent.wait();
}
