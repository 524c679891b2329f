//! `homedeck overview`: the "is everything all right, and what happened
//! since you last looked" answer, through the real binary: an empty install
//! says what to do first; failures (a wrong passphrase, a backup of a
//! directory that is gone) become notable events; backups show their last
//! run and next schedule; `--mark-seen` moves the mark (audited) so the next
//! overview starts after it; a bad `--since` names the bad value.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cli_env::CliEnv;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn private_file(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn ok(env: &CliEnv, args: &[&str]) -> String {
    let o = env.cmd(args, None);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{args:?} failed: {text}{}", String::from_utf8_lossy(&o.stderr));
    text
}

fn overview(env: &CliEnv, extra: &[&str]) -> Value {
    let mut args = vec!["--json", "overview"];
    args.extend_from_slice(extra);
    let v: Value = serde_json::from_str(&ok(env, &args)).unwrap();
    assert_eq!(v["outcome"], "overview", "{v}");
    v["overview"].clone()
}

#[test]
fn overview_tells_what_happened_since_the_last_look() {
    let t = tempfile::tempdir().unwrap();
    let mut env = CliEnv::new(t.path());
    private_file(&t.path().join("pass"), &format!("{}\n", common::PASS));

    // A fresh install: nothing to report, and the human text says what to do first.
    let o = overview(&env, &[]);
    assert_eq!(o["since_from"], "default (24 hours)", "{o}");
    assert_eq!(o["notable_total"], 0, "{o}");
    assert_eq!(o["servers"]["up"], 0, "{o}");
    let text = ok(&env, &["overview"]);
    // Only the built-in `local` server, and nothing polls health in a one-shot CLI.
    assert!(text.contains("servers      0 up, 0 degraded, 0 down, 1 not polled (the console and `homedeck daemon` poll health)"), "{text}");
    assert!(text.contains("everything looks all right"), "{text}");

    // A wrong passphrase is a notable event.
    ok(&env, &["vault", "init"]);
    private_file(&t.path().join("wrong"), "not-the-passphrase\n");
    env.extra.push(("HOMEDECK_PASSPHRASE_FILE".into(), t.path().join("wrong").display().to_string()));
    assert!(!env.cmd(&["vault", "unlock"], None).status.success());
    env.extra.clear();

    // One source backed up and scheduled, one whose directory is gone.
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "one").unwrap();
    ok(&env, &["backup", "source", "add", "files", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "false"]);
    ok(&env, &["backup", "create", "files"]);
    ok(&env, &["backup", "schedule", "add", "nightly", "files", "0 3 * * *", "--tz", "UTC"]);
    let gone = t.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    ok(&env, &["backup", "source", "add", "old", "--kind", "dir", "--path", gone.to_str().unwrap(), "--encrypt", "false"]);
    std::fs::remove_dir(&gone).unwrap();
    assert!(!env.cmd(&["backup", "create", "old"], None).status.success());

    let o = overview(&env, &[]);
    let actions: Vec<(&str, &str)> =
        o["notable"].as_array().unwrap().iter().map(|n| (n["action"].as_str().unwrap(), n["status"].as_str().unwrap())).collect();
    assert_eq!(actions, [("backup_create", "failure"), ("vault_unlock", "failure")], "{o}");
    assert_eq!(o["notable_total"], 2, "{o}");
    assert!(o["notable"][0]["text"].as_str().unwrap().contains("gone"), "the failure says why: {o}");
    let backups = o["backups"].as_array().unwrap();
    assert_eq!(backups.len(), 2, "{o}");
    let files = backups.iter().find(|b| b["source"] == "files").unwrap();
    assert!(files["last_backup"].is_string() && files["last_id"] == 1, "{files}");
    assert!(files["next_run"].as_str().unwrap().contains("T03:00:00"), "next run at 03:00 UTC: {files}");
    let old = backups.iter().find(|b| b["source"] == "old").unwrap();
    assert!(old["last_backup"].is_null() && old["next_run"].is_null(), "{old}");
    let text = ok(&env, &["overview"]);
    assert!(text.contains("backup       old: never backed up, no schedule"), "{text}");
    assert!(text.contains("2 notable events"), "{text}");

    // Marking it seen is audited, and the next overview starts from the mark.
    let text = ok(&env, &["overview", "--mark-seen"]);
    assert!(text.contains("overview seen by"), "{text}");
    let o = overview(&env, &[]);
    assert_eq!((o["since_from"].as_str(), o["notable_total"].as_u64()), (Some("last look"), Some(0)), "{o}");
    let audit: Value = serde_json::from_str(&ok(&env, &["--json", "audit", "search", "overview_seen"])).unwrap();
    let entries = audit["page"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["status"], "success", "{audit}");

    // Asked for a window, the failures are there again.
    let o = overview(&env, &["--since", "1h"]);
    assert_eq!((o["since_from"].as_str(), o["notable_total"].as_u64()), (Some("asked"), Some(2)), "{o}");

    // A bad time names itself and what would do.
    let bad = env.cmd(&["overview", "--since", "lastweekish"], None);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(err.contains("lastweekish") && err.contains("an age like"), "{err}");
}
