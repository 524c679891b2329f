#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Backup sources on a server over SFTP, against a real OpenSSH sshd on
//! 127.0.0.1 (as the test's own user, so the "remote" tree is also
//! readable here for the assertions): create walks the remote dir without
//! following links, a restore previews against the server's `sha256sum`,
//! swaps with `mv` over SSH, keeps what the source leaves out, rolls back
//! when the health command (run on the server) fails, and a kill -9 of the
//! real binary mid-restore is rolled back by the next backup command.

mod backup_common;
mod common;

use homedeck::engine::BackupOutcome;
use backup_common::*;
use common::run;
use common::sshd::Sshd;
use homedeck::engine::{Command, EngineHandle, Outcome};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

async fn add_server(e: &EngineHandle, d: &Sshd) {
    run(e, d.server_add("nas")).await.unwrap();
    run(e, Command::ServerTest { name: "nas".into() }).await.unwrap();
}

fn remote_source(name: &str, kind: &str, path: &Path, f: impl FnOnce(&mut Command)) -> Command {
    with(source_add(name, kind, path), |c| {
        if let Command::BackupSourceAdd { path: p, encrypt, .. } = c {
            *p = Some(format!("nas:{}", path.display()));
            *encrypt = Some(false);
        }
        f(c)
    })
}

/// Every file and link under `dir` with its content (or link target).
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let ft = e.file_type().unwrap();
            if ft.is_symlink() {
                out.insert(rel, format!("-> {}", fs::read_link(e.path()).unwrap().display()));
            } else if ft.is_dir() {
                stack.push(e.path());
            } else {
                out.insert(rel, String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned());
            }
        }
    }
    out
}

fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent).unwrap().filter_map(|d| d.ok()).map(|d| d.file_name().to_string_lossy().into_owned()).filter(|n| n.contains("homedeck-")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_source_round_trip_preview_and_health_rollback() {
    let t = tempfile::tempdir().unwrap();
    let d = Sshd::start(&t.path().join("sshd"));
    let e = common::open(&t.path().join("data"));
    common::init(&e).await;
    add_server(&e, &d).await;
    let conf = t.path().join("srv/config");
    config_tree(&conf);
    std::os::unix::fs::symlink("packages/p.yaml", conf.join("host-link")).unwrap();
    // sha256sum escapes this name in its output; the preview still matches it.
    fs::write(conf.join("odd\\name\nline.yaml"), "o: 1\n").unwrap();
    // A missing directory on the server is refused at `source add`.
    let err = run(&e, remote_source("bad", "dir", &t.path().join("srv/nope"), |_| {})).await.unwrap_err().to_string();
    assert!(err.contains("srv/nope") && err.contains("nas"), "{err}");
    run(&e, remote_source("ha", "ha_config", &conf, |c| if let Command::BackupSourceAdd { exclude_db, .. } = c { *exclude_db = Some(true) })).await.unwrap();
    let original = tree(&conf);
    let b = create(&e, "ha", None).await;
    assert_eq!(b.files, 5, "configuration, automations, secrets, packages/p.yaml, the odd name; recorder db left out: {b:?}");

    // Change the tree on the server.
    fs::write(conf.join("configuration.yaml"), "homeassistant:\n  name: Changed\n").unwrap();
    fs::remove_file(conf.join("automations.yaml")).unwrap();
    fs::write(conf.join("packages/new.yaml"), "n: 1\n").unwrap();
    fs::write(conf.join("home-assistant_v2.db"), vec![9u8; 5000]).unwrap();
    let Outcome::Backup(BackupOutcome::BackupPreview { preview }) = run(&e, restore(b.id, None, false)).await.unwrap() else { panic!("preview") };
    assert_eq!(preview.added, vec!["automations.yaml"]);
    assert_eq!(preview.changed, vec!["configuration.yaml"]);
    assert_eq!(preview.removed, vec!["packages/new.yaml"]);
    assert_eq!(preview.unchanged, 4, "secrets, p.yaml, the odd name and the link: {preview:?}");
    assert!(preview.target.starts_with("nas:"), "{}", preview.target);

    let Outcome::Backup(BackupOutcome::BackupRestored { pre_restore, carried, .. }) = run(&e, restore(b.id, None, true)).await.unwrap() else { panic!("restored") };
    assert!(pre_restore.is_some());
    assert_eq!(carried, 1, "the recorder db is carried over");
    let mut want = original.clone();
    want.insert("home-assistant_v2.db".into(), String::from_utf8_lossy(&[9u8; 5000]).into_owned());
    assert_eq!(tree(&conf), want, "the remote tree is the backed-up one, the recorder db as it was just before");
    assert!(fs::symlink_metadata(conf.join("host-link")).unwrap().file_type().is_symlink(), "the link was stored as a link, not followed");
    assert!(leftovers(&t.path().join("srv")).is_empty(), "{:?}", leftovers(&t.path().join("srv")));

    // A failing health command (run on the server, in the target) rolls back.
    run(&e, remote_source("ha2", "dir", &conf, |c| if let Command::BackupSourceAdd { health, .. } = c { *health = Some("test -f must-exist".into()) })).await.unwrap();
    let b2 = create(&e, "ha2", None).await;
    fs::write(conf.join("configuration.yaml"), "edited again\n").unwrap();
    let before = tree(&conf);
    let err = run(&e, restore(b2.id, None, true)).await.unwrap_err().to_string();
    assert!(err.contains("must-exist") && err.contains("rolled back"), "{err}");
    assert_eq!(tree(&conf), before, "rolled back to what was there");
    assert!(leftovers(&t.path().join("srv")).is_empty(), "{:?}", leftovers(&t.path().join("srv")));
}

fn bin(data: &Path, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homedeck"));
    c.args(args)
        .env("HOMEDECK_DATA_DIR", data)
        .env("HOMEDECK_CONFIG_DIR", data.join("cfg"))
        .env("HOMEDECK_PASSPHRASE_FILE", data.join("../pass"))
        .stdin(std::process::Stdio::null());
    c
}

fn output(data: &Path, args: &[&str]) -> String {
    let o = bin(data, args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn kill_9_during_remote_restore_rolls_back_at_next_start() {
    let t = tempfile::tempdir().unwrap();
    let d = Sshd::start(&t.path().join("sshd"));
    let data = t.path().join("data");
    fs::write(t.path().join("pass"), format!("{}\n", common::PASS)).unwrap();
    std::fs::set_permissions(t.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let conf = t.path().join("srv/conf");
    config_tree(&conf);
    {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async {
            let e = common::open(&data);
            common::init(&e).await;
            add_server(&e, &d).await;
            run(&e, remote_source("conf", "dir", &conf, |c| if let Command::BackupSourceAdd { health, .. } = c { *health = Some("sleep 60".into()) })).await.unwrap();
            create(&e, "conf", None).await;
        });
    }
    fs::write(conf.join("configuration.yaml"), "edited: after the backup\n").unwrap();
    fs::write(conf.join("extra.yaml"), "e: 1\n").unwrap();
    let child = Child(bin(&data, &["backup", "restore", "1", "--yes"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap());
    // The swap is done once the backed-up content is in place; the health
    // check (sleep 60, on the server) is running.
    wait_for(90, "the remote swap", || fs::read_to_string(conf.join("configuration.yaml")).is_ok_and(|s| s.contains("name: Home")));
    drop(child); // SIGKILL mid-restore
    output(&data, &["backup", "list"]);
    let audit = output(&data, &["audit", "search", "rolled back"]);
    assert!(audit.contains("backup_restore_rollback"), "{audit}");
    assert_eq!(fs::read_to_string(conf.join("configuration.yaml")).unwrap(), "edited: after the backup\n");
    assert!(conf.join("extra.yaml").exists());
    assert!(leftovers(&t.path().join("srv")).is_empty(), "{:?}", leftovers(&t.path().join("srv")));
}
