#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A canary secret value (and the passphrase) must never reach log files,
//! audit entries, error messages, or the sled files in clear. This drives the
//! real binary through every secret verb, including failing ones, with trace
//! logging on, then greps everything homedeck wrote.

mod common;

use common::cli_env::{CliEnv, contains, regular_files};
use std::process::Output;

const CANARY: &str = "CANARY-7f3a9c1e-do-not-leak";
const CANARY2: &str = "CANARY-rotated-b81d44e0";
const PASS: &str = "PASSPHRASE-canary-e1d2c3b4";

#[test]
fn canary_never_reaches_disk_logs_audit_or_errors() {
    let root = tempfile::tempdir().unwrap();
    let env = CliEnv::new(root.path());
    std::fs::write(root.path().join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(root.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |label: &str, args: &[&str], stdin: Option<&str>| {
        let o = env.cmd(args, stdin);
        outputs.push((label.to_string(), o.clone()));
        o
    };

    assert!(run("init", &["vault", "init"], None).status.success());
    let o = run("add", &["secret", "add", "ha-token", "--kind", "token"], Some(CANARY));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Failing paths that carry the value: duplicate name, bad type, bad name.
    assert!(!run("dup", &["secret", "add", "ha-token", "--kind", "token"], Some(CANARY)).status.success());
    assert!(!run("badname", &["secret", "add", "bad;name", "--kind", "token"], Some(CANARY)).status.success());
    assert!(!run("generic", &["run", "secret_add", "name=x", "kind=token", &format!("value={CANARY}")], None).status.success());
    let reveal = run("reveal", &["secret", "reveal", "ha-token"], None);
    assert_eq!(String::from_utf8_lossy(&reveal.stdout).trim(), CANARY, "reveal shows the value");
    assert!(run("rotate", &["secret", "rotate", "ha-token"], Some(CANARY2)).status.success());
    let show = run("show", &["secret", "show", "ha-token"], None);
    assert!(show.status.success(), "{}", String::from_utf8_lossy(&show.stderr));
    assert!(run("revoke", &["secret", "revoke", "ha-token", "--reason", "test", "--yes"], None).status.success());
    assert!(!run("reveal-revoked", &["secret", "reveal", "ha-token"], None).status.success());
    let audit = run("audit", &["--json", "audit", "search", "--limit", "1000"], None);
    assert!(audit.status.success());
    let audit_text = String::from_utf8_lossy(&audit.stdout);
    assert!(audit_text.contains("secret_rotate") && audit_text.contains("[redacted]"), "{audit_text}");
    let events = run("events", &["--json", "events"], None);
    assert!(String::from_utf8_lossy(&events.stdout).contains("revoked_secret_access"));

    for (label, o) in &outputs {
        for (what, bytes) in [("stderr", &o.stderr), ("stdout", &o.stdout)] {
            if label == "reveal" && what == "stdout" {
                continue; // the one place it is meant to appear
            }
            for needle in [CANARY, CANARY2, PASS] {
                assert!(!contains(bytes, needle), "{needle} leaked in {what} of `{label}`");
            }
        }
    }
    let files = regular_files(root.path());
    let logs: Vec<_> = files.iter().filter(|p| p.to_string_lossy().contains("state")).collect();
    assert!(!logs.is_empty(), "trace logging wrote nothing: {files:?}");
    let log_text: String = logs.iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect();
    assert!(log_text.contains("secret_add"), "logs should mention commands");
    // The grep must be able to see clear text in sled's files at all: the
    // secret's name is metadata, stored unencrypted.
    let db_text: Vec<u8> = files.iter().filter(|p| p.to_string_lossy().contains("/db")).flat_map(|p| std::fs::read(p).unwrap()).collect();
    assert!(contains(&db_text, "ha-token"), "sled files not readable as expected: {files:?}");
    for f in &files {
        if f.file_name().is_some_and(|n| n == "pass") {
            continue; // the test's own passphrase file
        }
        let bytes = std::fs::read(f).unwrap();
        for needle in [CANARY, CANARY2, PASS] {
            assert!(!contains(&bytes, needle), "{needle} found in clear in {}", f.display());
        }
    }
}
