#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The CLI as a newcomer meets it (issue 15): a closed pipe ends a command
//! quietly, passphrase files others can read are refused with the fix,
//! `--host` takes host:port, ids are ids, counts are pluralised, and
//! `vault status` / `vault init` say what is true.

#[path = "common/cli_env.rs"]
mod cli_env;

use cli_env::{homedeck, text};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASS: &str = "correct horse battery staple";

fn run(root: &Path, args: &[&str]) -> Output {
    homedeck(root).args(args).output().unwrap()
}

fn secret_file(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, format!("{text}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A home with a vault and a few audit entries.
fn home() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    secret_file(&t.path().join("pass"), PASS, 0o600);
    let o = run(t.path(), &["vault", "init"]);
    assert!(o.status.success(), "{}", text(&o));
    t
}

/// Run with stdout a pipe whose reader is already gone: every write fails
/// with EPIPE, as under `| head -1` once head has exited.
fn closed_pipe(root: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = homedeck(root).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code().or(out.status.signal().map(|s| 128 + s)), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_command_exits_quietly_on_a_closed_pipe() {
    let t = home();
    for args in [
        &["completions", "bash"][..],
        &["commands"],
        &["--help"],
        &["server", "add", "--help"],
        &["audit", "search"],
        &["vault", "status"],
        &["secret", "list"],
        &["backup", "list"],
        &["--json", "audit", "search"],
    ] {
        let (code, stderr) = closed_pipe(t.path(), args);
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "homedeck {args:?} panicked on a closed pipe:\n{stderr}");
        assert!(matches!(code, Some(0 | 141)), "homedeck {args:?} on a closed pipe exited {code:?}: {stderr}");
    }
    // And through a real shell pipe, as the issue reported it.
    let o = Command::new("bash")
        .args(["-c", "set -o pipefail; \"$0\" completions bash | head -5 >/dev/null; echo \"status ${PIPESTATUS[0]}\""])
        .arg(env!("CARGO_BIN_EXE_homedeck"))
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains("status 0") || out.contains("status 141"), "{out}");
}

#[test]
fn secret_files_others_can_read_are_refused_with_the_fix() {
    let t = home();
    let pass = t.path().join("pass");
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run(t.path(), &["vault", "unlock"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("HOMEDECK_PASSPHRASE_FILE") && out.contains(&format!("chmod 600 {}", pass.display())), "{out}");
    assert!(!out.contains(PASS), "the passphrase leaked: {out}");

    // The backup password file too, named by its own variable.
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "a").unwrap();
    let o = run(t.path(), &["backup", "source", "add", "files", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "true"]);
    assert!(o.status.success(), "{}", text(&o));
    let pw = t.path().join("pw");
    secret_file(&pw, "backup password 1", 0o640);
    let o = homedeck(t.path()).args(["backup", "create", "files"]).env("HOMEDECK_BACKUP_PASSWORD_FILE", &pw).output().unwrap();
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("HOMEDECK_BACKUP_PASSWORD_FILE") && out.contains(&format!("chmod 600 {}", pw.display())), "{out}");
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = homedeck(t.path()).args(["backup", "create", "files"]).env("HOMEDECK_BACKUP_PASSWORD_FILE", &pw).output().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    // One file, a size in binary units: no `file(s)`, no raw byte count.
    assert!(out.contains(": 1 file, ") && !out.contains("file(s)") && !out.contains("bytes"), "{out}");
}

#[test]
fn without_a_terminal_the_backup_password_error_names_its_own_variable() {
    let t = home();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "a").unwrap();
    let o = run(t.path(), &["backup", "source", "add", "files", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "true"]);
    assert!(o.status.success(), "{}", text(&o));
    // setsid: no controlling terminal, so the prompt cannot open /dev/tty.
    let o = Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_homedeck"))
        .args(["backup", "create", "files"])
        .env("HOMEDECK_DATA_DIR", t.path().join("data"))
        .env("HOMEDECK_CONFIG_DIR", t.path().join("config"))
        .env("HOMEDECK_STATE_DIR", t.path().join("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", t.path().join("pass"))
        .env_remove("HOMEDECK_BACKUP_PASSWORD_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("HOMEDECK_BACKUP_PASSWORD_FILE"), "{out}");
    assert!(!out.contains("HOMEDECK_PASSPHRASE_FILE"), "names the vault's variable: {out}");
}

#[test]
fn host_port_ids_plurals_and_vault_words() {
    let t = home();
    let root = t.path();
    // host:port is split; a different --port beside it is refused.
    let o = run(root, &["server", "add", "x", "--host", "127.0.0.1:2222", "--agent"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(root, &["--json", "server", "show", "x"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["detail"]["view"]["server"];
    assert_eq!((s["host"].as_str(), s["port"].as_u64()), (Some("127.0.0.1"), Some(2222)), "{v}");
    let o = run(root, &["server", "add", "y", "--host", "127.0.0.1:2222", "--port", "22", "--agent"]);
    let out = text(&o);
    assert!(!o.status.success() && out.contains("--host 127.0.0.1:2222 names port 2222 but --port says 22"), "{out}");
    let o = run(root, &["server", "add", "z", "--host", "nas:ssh", "--agent"]);
    assert!(text(&o).contains("invalid port \"ssh\" in \"nas:ssh\": expected a TCP port from 1 to 65535"), "{}", text(&o));

    // Backups have ids.
    let o = run(root, &["backup", "restore", "999", "--yes"]);
    assert!(text(&o).contains("no backup with id 999"), "{}", text(&o));

    // vault status says something readable about a never-changed passphrase.
    let o = run(root, &["vault", "status"]);
    let out = text(&o);
    assert!(out.contains("never changed") && !out.contains("changed -"), "{out}");

    // vault init in-process does not claim the vault stays unlocked.
    let fresh = tempfile::tempdir().unwrap();
    secret_file(&fresh.path().join("pass"), PASS, 0o600);
    let o = run(fresh.path(), &["vault", "init"]);
    let out = text(&o);
    assert!(o.status.success() && !out.contains("unlocked") && out.contains("locked again"), "{out}");

    // A bad rotation says what was expected.
    let o = run(root, &["secret", "rotation", "x", "-5"]);
    assert!(text(&o).contains("0..=3650"), "{}", text(&o));
}

/// A restore that would change nothing says so and stops: no restore, no
/// pre-restore backup in the catalog (`backup create` takes one if wanted).
#[test]
fn a_restore_with_nothing_to_change_says_so_and_takes_no_backup() {
    let t = home();
    let src = t.path().join("conf");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("configuration.yaml"), "name: Home\n").unwrap();
    let o = run(t.path(), &["backup", "source", "add", "conf", "--kind", "dir", "--path", src.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(t.path(), &["backup", "create", "conf"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(t.path(), &["backup", "restore", "1", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nothing to restore") && text(&o).contains("1 file unchanged") && text(&o).contains("backup create conf"), "{}", text(&o));
    let o = run(t.path(), &["--json", "backup", "list"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "a pre-restore backup was taken: {list}");
    assert_eq!(entries[0]["reason"], "manual", "{list}");
}
