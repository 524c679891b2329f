#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Secrets at rest: the real binary creates its data, config and log dirs
//! 0700 and its files (sled's, the lock, the log) 0600, and refuses to
//! start on a data dir that its group or other users may use, or that
//! another user owns — naming the fix — unless `--insecure-permissions`.
//! `homedeck doctor --repair` puts loosened modes back.

mod common;
use common::cli_env::{CliEnv, regular_files};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A home whose data dir exists with a vault and a secret in it.
fn used_home() -> (tempfile::TempDir, CliEnv) {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("pass"), "permissions test passphrase\n").unwrap();
    set_mode(&t.path().join("pass"), 0o600);
    let env = CliEnv::new(t.path());
    let o = env.cmd(&["vault", "init"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = env.cmd(&["secret", "add", "router", "--kind", "password"], Some("hunter2-value\n"));
    assert!(o.status.success(), "{}", text(&o));
    (t, env)
}

#[test]
fn dirs_are_created_0700_and_files_0600() {
    let (t, env) = used_home();
    for d in ["data", "config", "state", "data/db"] {
        assert_eq!(mode(&t.path().join(d)), 0o700, "{d}");
    }
    // Enough writes for sled to have made more than its first files.
    for i in 0..20 {
        assert!(env.cmd(&["secret", "rotation", "router", &i.to_string()], None).status.success());
    }
    let mut seen = Vec::new();
    for dir in ["data", "state"] {
        for f in regular_files(&t.path().join(dir)) {
            assert_eq!(mode(&f), 0o600, "{} is {:o}", f.display(), mode(&f));
            seen.push(f.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    for want in ["homedeck.lock", "conf", "db", "homedeck.log"] {
        assert!(seen.iter().any(|s| s == want), "{want} not among {seen:?}");
    }
}

#[test]
fn a_data_dir_open_to_the_group_is_refused_with_the_fix() {
    let (t, env) = used_home();
    let data = t.path().join("data");
    set_mode(&data, 0o750);
    let o = env.cmd(&["secret", "list"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("the data dir {} is open to its group (mode 0750)", data.display())), "{err}");
    assert!(err.contains(&format!("chmod 700 {}", data.display())) && err.contains("--insecure-permissions"), "{err}");
    assert!(o.stdout.is_empty(), "nothing is listed: {}", text(&o));
    assert_eq!(mode(&data), 0o750, "the refusal changes nothing");
}

#[test]
fn a_data_dir_open_to_everyone_is_refused_before_anything_is_created() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    std::fs::create_dir(&data).unwrap();
    set_mode(&data, 0o705);
    let o = CliEnv::new(t.path()).cmd(&["secret", "list"], None);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is open to every user (mode 0705)") && err.contains(&format!("chmod 700 {}", data.display())), "{err}");
    assert!(std::fs::read_dir(&data).unwrap().next().is_none(), "no store was created in a refused data dir");
}

#[test]
fn a_data_dir_owned_by_another_user_is_refused() {
    let (t, env) = used_home();
    let data = t.path().join("data");
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let other = if me == 0 { 65534 } else { 0 };
    if std::os::unix::fs::chown(&data, Some(other), None).is_err() {
        eprintln!("skipped: giving a directory to another user needs root");
        return;
    }
    let o = env.cmd(&["secret", "list"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("is owned by uid {other}, not by this user (uid {me})")), "{err}");
    assert!(err.contains(&format!("chown -R {me} {}", data.display())) && err.contains("--insecure-permissions"), "{err}");
    std::os::unix::fs::chown(&data, Some(me), None).unwrap();
    assert!(env.cmd(&["secret", "list"], None).status.success(), "its owner again, it starts");
}

#[test]
fn insecure_permissions_starts_anyway_and_leaves_the_mode_alone() {
    let (t, env) = used_home();
    let data = t.path().join("data");
    set_mode(&data, 0o755);
    let o = env.cmd(&["--insecure-permissions", "secret", "list"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("router"));
    assert_eq!(mode(&data), 0o755, "the user chose this mode; homedeck does not change it");
    // The doctor still says so, and names the fix.
    let o = env.cmd(&["--insecure-permissions", "doctor"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("PROBLEM [permissions]") && out.contains(&format!("chmod 700 {}", data.display())), "{out}");
}

#[test]
fn doctor_repair_puts_loosened_modes_back() {
    let (t, env) = used_home();
    let data = t.path().join("data");
    let (db, lock, log) = (data.join("db/db"), data.join("homedeck.lock"), t.path().join("state/homedeck.log"));
    for f in [&db, &lock, &log] {
        set_mode(f, 0o644);
    }
    set_mode(&t.path().join("config"), 0o755);
    let o = env.cmd(&["doctor"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // The store re-tightens its own files when it opens; the config dir and
    // the log are the doctor's to report.
    assert!(out.contains(&format!("the config dir {} is open to its group and every user (mode 0755)", t.path().join("config").display())), "{out}");
    assert!(out.contains(&format!("{} is open to its group and every user (mode 0644)", log.display())), "{out}");
    assert!(out.contains(&format!("chmod 600 {}", log.display())), "{out}");
    assert_eq!((mode(&db), mode(&lock)), (0o600, 0o600), "opening the store tightened sled's files and the lock");
    let o = env.cmd(&["doctor", "--repair"], None);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("done: set {} to 0600", log.display())) && out.contains("none left"), "{out}");
    assert_eq!((mode(&log), mode(&t.path().join("config"))), (0o600, 0o700));
    assert!(env.cmd(&["doctor"], None).status.success(), "clean after the repair");
}
