#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Crash consistency in the suite: the restore journal's two ways out of a
//! crash (undo before the restore was done, finish the cleanup after it),
//! and a CI-sized run of benches/crash.sh (3 kill -9s per local scenario;
//! the full runs and their figures are in docs/reliability.md).

mod common;
use common::cli_env::CliEnv;
use std::path::Path;

/// A journal record as the engine writes it (format byte, then JSON), for
/// restore #7 of `target`, in `phase`.
fn journal(data: &Path, target: &Path, phase: &str) {
    let parent = target.parent().unwrap();
    let j = serde_json::json!({
        "rid": 7, "source": "conf", "backup": 1, "pre_restore": null, "phase": phase, "started": "2026-12-05T10:00:00Z",
        "swap": {
            "target": target, "staging": parent.join(".conf.homedeck-staging-7"), "old": parent.join(".conf.homedeck-old-7"),
            "only": null, "had_target": true, "server": null
        }
    });
    let mut value = vec![1u8];
    value.extend(serde_json::to_vec(&j).unwrap());
    let db = sled::open(data.join("db")).unwrap();
    db.open_tree("backup_restore_journal").unwrap().insert(7u64.to_be_bytes(), value).unwrap();
    db.flush().unwrap();
}

/// The restored tree is in place and its old dir half deleted, as a kill
/// during the final cleanup leaves them.
fn after_swap(root: &Path) -> std::path::PathBuf {
    let t = root.join("t");
    std::fs::create_dir_all(t.join("conf")).unwrap();
    std::fs::write(t.join("conf/configuration.yaml"), "restored\n").unwrap();
    std::fs::create_dir_all(t.join(".conf.homedeck-old-7")).unwrap();
    std::fs::write(t.join(".conf.homedeck-old-7/what-was-left.yaml"), "half deleted\n").unwrap();
    std::fs::create_dir_all(t.join(".conf.homedeck-staging-7")).unwrap();
    t.join("conf")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn home() -> (tempfile::TempDir, CliEnv) {
    let t = tempfile::tempdir().unwrap();
    let env = CliEnv::new(t.path());
    assert!(env.cmd(&["backup", "list"], None).status.success());
    (t, env)
}

#[test]
fn a_crash_during_the_final_cleanup_finishes_it_and_keeps_the_restore() {
    let (t, env) = home();
    let target = after_swap(t.path());
    journal(&t.path().join("data"), &target, "cleaning_up");
    let o = env.cmd(&["backup", "list"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(target.join("configuration.yaml")).unwrap(), "restored\n", "the restore stays");
    assert_eq!(listing(&t.path().join("t")), ["conf"], "staging and old are gone");
    assert!(env.cmd(&["doctor"], None).status.success(), "no journal left");
}

#[test]
fn a_crash_before_the_restore_was_done_puts_the_old_tree_back() {
    let (t, env) = home();
    let target = after_swap(t.path());
    journal(&t.path().join("data"), &target, "post_restore");
    assert!(env.cmd(&["backup", "list"], None).status.success());
    assert_eq!(listing(&target), ["what-was-left.yaml"], "undone: the old tree is back");
    assert_eq!(listing(&t.path().join("t")), ["conf"]);
    let audit = env.cmd(&["--json", "audit", "search", "backup_restore_rollback"], None);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("rolled back to the previous content"));
}

#[test]
fn kill_9_at_random_moments_breaks_nothing_small_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new("bash")
        .arg(root.join("benches/crash.sh"))
        .args(["3", "create restore passwd rotate burst"])
        .env("HOMEDECK_BIN", env!("CARGO_BIN_EXE_homedeck"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    for s in ["create", "restore", "passwd", "rotate", "burst"] {
        assert!(out.contains(&format!("{s} kills=3 ")) && out.lines().any(|l| l.starts_with(s) && l.contains("violations=0")), "{out}");
    }
}
