//! The engine's preview (issue 18) against real peers: a WLED brightness
//! change read from the device (current → new) whose undo puts it back, a
//! bulk exec's target list from `tag:`/`site:` selectors, a restore's file
//! list, a snapshot restore's unified diff, and a secret's rotation days.
//! Each checks that the preview changed nothing: the device, the files, the
//! store and the audit log are as they were.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup_common;
mod common;
mod lights_peer;

use backup_common::{create, source_add, with};
use common::{audit_all, cli, run};
use homedeck::engine::internals::servers::model::AuthMethod;
use homedeck::engine::{BackupOutcome, Command, EngineHandle, Outcome, Permission, Preview};
use lights_peer::{WledPeer, fixtures};
use std::fs;

async fn preview(e: &EngineHandle, c: Command) -> Preview {
    e.preview(c, cli()).await.unwrap()
}

fn bri(target: &str, value: u8) -> Command {
    Command::WledSet {
        target: target.into(),
        power: None,
        bri: Some(value),
        color: None,
        effect: None,
        palette: None,
        speed: None,
        intensity: None,
        segment: None,
        transition: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wled_brightness_preview_reads_the_device_and_its_undo_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/versions/0.15.3.json")).await;
    run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    let before = peer.state()["bri"].as_u64().unwrap();
    let target = if before == 30 { 31 } else { 30 };
    let entries = audit_all(&e).await.len();

    let p = preview(&e, bri("porch", target)).await;
    assert_eq!((p.command.as_str(), p.class), ("wled_set", Permission::Write));
    assert_eq!(p.targets, vec!["porch".to_string()]);
    let c = p.changes.iter().find(|c| c.field == "brightness").unwrap();
    assert_eq!((c.from.clone(), c.to.clone()), (Some(before.to_string()), Some(target.to_string())), "{:?}", p.lines());
    assert!(p.lines().iter().any(|l| l.contains(&format!("porch brightness: {before} → {target}"))), "{:?}", p.lines());
    // Nothing changed: the device and the audit log.
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);
    assert_eq!(audit_all(&e).await.len(), entries, "a preview is not audited");

    // Run it, then its undo: the device is back where it was.
    let Some(undo @ Command::WledSet { bri: Some(b), .. }) = p.inverse.clone() else { panic!("undo {:?}", p.inverse) };
    assert_eq!(u64::from(b), before);
    run(&e, bri("porch", target)).await.unwrap();
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), u64::from(target));
    // The undo has its own preview: new → old.
    let back = preview(&e, undo.clone()).await;
    let c = back.changes.iter().find(|c| c.field == "brightness").unwrap();
    assert_eq!((c.from.clone(), c.to.clone()), (Some(target.to_string()), Some(before.to_string())));
    run(&e, undo).await.unwrap();
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);

    // A bad effect name is refused by the preview as the command would be.
    let mut bad = bri("porch", 10);
    if let Command::WledSet { effect, .. } = &mut bad {
        *effect = Some("No Such Effect".into());
    }
    let err = e.preview(bad, cli()).await.unwrap_err().to_string();
    assert!(err.contains("No Such Effect"), "{err}");
}

fn server(name: &str, tags: &str, site: &str) -> Command {
    Command::ServerAdd {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(22),
        user: Some("ops".into()),
        auth: Some(AuthMethod::Agent),
        secret: None,
        key: None,
        key_passphrase: None,
        password: None,
        tags: Some(tags.into()),
        site: Some(site.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_exec_preview_lists_the_servers_its_selectors_match_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    run(&e, server("web1", "web", "home")).await.unwrap();
    run(&e, server("web2", "web,edge", "cabin")).await.unwrap();
    run(&e, server("db1", "db", "cabin")).await.unwrap();
    let entries = audit_all(&e).await.len();
    let exec = |targets: &str| Command::ServerExec { targets: targets.into(), line: "uptime".into(), shell: None, confirmed: None, timeout_secs: None };

    let p = preview(&e, exec("tag:web")).await;
    assert_eq!(p.targets, vec!["web1".to_string(), "web2".to_string()]);
    assert_eq!(p.unavailable.as_deref(), Some("a remote command's effect cannot be known before it runs"));
    let p = preview(&e, exec("site:cabin,web1")).await;
    let mut t = p.targets.clone();
    t.sort();
    assert_eq!(t, vec!["db1", "web1", "web2"]);
    assert!(p.lines().iter().any(|l| l.starts_with("  targets (3): ")), "{:?}", p.lines());
    // A selector that matches nothing is refused, naming it.
    let err = e.preview(exec("tag:nope"), cli()).await.unwrap_err().to_string();
    assert!(err.contains("tag:nope"), "{err}");
    // No run was started or audited.
    assert_eq!(audit_all(&e).await.len(), entries);

    // An edit shows old → new and undoes to the old values.
    let edit = Command::ServerEdit {
        name: "web1".into(), host: Some("10.0.0.9".into()), port: None, user: None, auth: None, secret: None,
        key: None, key_passphrase: None, password: None, tags: Some("web,new".into()), site: None,
    };
    let p = preview(&e, edit).await;
    let host = p.changes.iter().find(|c| c.field == "host").unwrap();
    assert_eq!((host.from.as_deref(), host.to.as_deref()), (Some("127.0.0.1"), Some("10.0.0.9")));
    let Some(Command::ServerEdit { host: Some(h), tags: Some(tg), .. }) = p.inverse else { panic!() };
    assert_eq!((h.as_str(), tg.as_str()), ("127.0.0.1", "web"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_preview_names_every_file_and_touches_none() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let src = dir.path().join("cfg");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("keep.yaml"), "a: 1\n").unwrap();
    fs::write(src.join("edit.yaml"), "b: 1\n").unwrap();
    fs::write(src.join("gone.yaml"), "c: 1\n").unwrap();
    run(&e, with(source_add("cfg", "dir", &src), |c| if let Command::BackupSourceAdd { encrypt, .. } = c { *encrypt = Some(false) })).await.unwrap();
    let b = create(&e, "cfg", None).await;
    fs::write(src.join("edit.yaml"), "b: 2\n").unwrap();
    fs::remove_file(src.join("gone.yaml")).unwrap();
    fs::write(src.join("new.yaml"), "d: 1\n").unwrap();
    let entries = audit_all(&e).await.len();

    let restore = Command::BackupRestore { id: Some(b.id), file: None, target: None, only: None, password: None, confirmed: None };
    let p = preview(&e, restore.clone()).await;
    assert_eq!(p.class, Permission::Dangerous);
    let changed = |f: &str| p.changes.iter().find(|c| c.target == f).map(|c| (c.from.clone(), c.to.clone()));
    assert_eq!(changed("gone.yaml"), Some((None, Some("added".into()))), "{:?}", p.changes);
    assert_eq!(changed("edit.yaml"), Some((Some("present".into()), Some("replaced".into()))), "{:?}", p.changes);
    assert_eq!(changed("new.yaml"), Some((Some("present".into()), None)), "{:?}", p.changes);
    assert!(changed("keep.yaml").is_none());
    // The same lists as the restore's own preview.
    let Outcome::Backup(BackupOutcome::BackupPreview { preview: own }) =
        run(&e, backup_common::restore(b.id, None, false)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((own.added, own.changed, own.removed), (vec!["gone.yaml".to_string()], vec!["edit.yaml".to_string()], vec!["new.yaml".to_string()]));
    // Nothing was restored; the engine's preview left no audit entry (the
    // restore's own preview, run above, left its `backup_restore_preview`).
    assert_eq!(fs::read_to_string(src.join("edit.yaml")).unwrap(), "b: 2\n");
    assert!(!src.join("gone.yaml").exists());
    let after = audit_all(&e).await;
    assert_eq!(after.len(), entries + 1);
    assert_eq!(after[0].action, "backup_restore_preview");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_edit_preview_is_a_unified_diff_and_the_file_stays() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let file = dir.path().join("configuration.yaml");
    fs::write(&file, "homeassistant:\n  name: Home\nhttp:\n  server_port: 8123\n").unwrap();
    let f = file.to_string_lossy().into_owned();
    let Outcome::Backup(BackupOutcome::BackupSnapshots { snapshots }) = run(&e, Command::BackupSnapshotWatch { file: f.clone() }).await.unwrap() else { panic!() };
    let first = snapshots[0].id;
    let edited = "homeassistant:\n  name: Cabin\nhttp:\n  server_port: 8123\n";
    fs::write(&file, edited).unwrap();
    let entries = audit_all(&e).await.len();

    let p = preview(&e, Command::BackupSnapshotRestore { id: first }).await;
    let diff = p.diff.clone().unwrap();
    assert!(diff.contains(&format!("--- a/{f}")) && diff.contains("-  name: Cabin") && diff.contains("+  name: Home") && diff.contains("@@"), "{diff}");
    assert!(p.lines().iter().any(|l| l == "    +  name: Home"), "{:?}", p.lines());
    assert_eq!(fs::read_to_string(&file).unwrap(), edited);
    assert_eq!(audit_all(&e).await.len(), entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_days_preview_from_to_with_undo_and_never_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    common::init(&e).await;
    common::add(&e, "api", "canary-preview-4471").await;
    run(&e, Command::SecretSetRotation { name: "api".into(), days: 90 }).await.unwrap();
    let p = preview(&e, Command::SecretSetRotation { name: "api".into(), days: 30 }).await;
    let c = &p.changes[0];
    assert_eq!((c.field.as_str(), c.from.as_deref(), c.to.as_deref()), ("rotation_days", Some("90"), Some("30")));
    assert!(matches!(p.inverse, Some(Command::SecretSetRotation { days: 90, .. })));
    // A rotation shows the version, never the value, even with the vault open.
    let p = preview(&e, Command::SecretRotate { name: "api".into(), value: homedeck::engine::SecretValue::new("canary-new-9") }).await;
    let json = serde_json::to_string(&p).unwrap();
    assert!(!json.contains("canary") && json.contains("[redacted]"), "{json}");
    // Reads say so.
    let p = preview(&e, Command::SecretList {}).await;
    assert!(p.is_read() && p.summary.contains("reads only, changes nothing"));
}
