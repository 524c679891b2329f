#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Server login secrets never leak: a canary password (and a key) go through
//! add, test, exec with a {{secret:…}} reference, a failing login and
//! health, with trace logging on; then every file homedeck wrote, its
//! output and the audit log are searched. Also: login through a real
//! ssh-agent, the one auth that needs no vault at all.

mod common;

use common::sshd::{self, Sshd};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const CANARY: &str = "CANARY-sshpw-5e1f0c77";
const PASS: &str = "PASSPHRASE-servers-0a9b8c7d";

struct Env {
    root: tempfile::TempDir,
    extra: Vec<(String, String)>,
}

impl Env {
    fn cmd(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let r = self.root.path();
        let mut c = Command::new(env!("CARGO_BIN_EXE_homedeck"));
        c.args(args)
            .env("HOMEDECK_DATA_DIR", r.join("data"))
            .env("HOMEDECK_CONFIG_DIR", r.join("config"))
            .env("HOMEDECK_STATE_DIR", r.join("state"))
            .env("HOMEDECK_PASSPHRASE_FILE", r.join("pass"))
            .env("HOMEDECK_NEW_PASSPHRASE_FILE", r.join("pass"))
            .env("HOMEDECK_LOG", "trace")
            .envs(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if e.file_type().unwrap().is_file() {
            out.push(p);
        }
    }
}

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_canary_login_password_never_leaks() {
    assert!(sshd::is_root(), "password login needs a test user: run the tests as root (CI does)");
    sshd::ensure_user("hdcanary", CANARY, "/bin/sh");
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let env = Env { root: tempfile::tempdir().unwrap(), extra: vec![] };
    std::fs::write(env.root.path().join("pass"), format!("{PASS}\n")).unwrap();
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
    run(&["server", "health", "cn"], None);
    // A wrong password on a second server, and a failing exec.
    run(&["server", "add", "cn2", "--host", "127.0.0.1", "--port", &port, "--user", "hdcanary", "--password"], Some("wrong-one"));
    run(&["server", "test", "cn2"], None);
    run(&["server", "exec", "cn,cn2", "--", "false"], None);
    let audit = run(&["--json", "audit", "search", "--limit", "1000"], None);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("server_exec"));

    for (what, o) in &outs {
        assert!(!has(&o.stdout, CANARY) && !has(&o.stderr, CANARY), "canary in output of `{what}`");
    }
    let mut all = Vec::new();
    files(env.root.path(), &mut all);
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
    let env = Env { root: tempfile::tempdir().unwrap(), extra: vec![("SSH_AUTH_SOCK".into(), sock.display().to_string())] };
    let port = d.port.to_string();
    // No vault at all: the agent holds the key.
    let o = env.cmd(&["server", "add", "viaagent", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--agent"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = env.cmd(&["server", "exec", "viaagent", "--", "echo", "agent ok"], None);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && text.contains("agent ok"), "{text}{}", String::from_utf8_lossy(&o.stderr));
    // Without an agent the error says so.
    let env2 = Env { root: env.root, extra: vec![("SSH_AUTH_SOCK".into(), "/nonexistent.sock".into())] };
    let o = env2.cmd(&["server", "test", "viaagent"], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("ssh-agent"), "{err}");
    let _ = agent.kill();
    let _ = agent.wait();
}
