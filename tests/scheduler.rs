#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The one scheduler end to end, with a backup of a vault-keyed source (its
//! archive key is a vault secret) scheduled every second:
//! - with the vault locked and no credential, the run is recorded, audited
//!   and broadcast as *waiting for unlock* — never as a success, never
//!   skipped — later due runs fold into it, and it runs as soon as someone
//!   unlocks;
//! - with an unattended credential file, the scheduler unlocks the vault
//!   itself (audited, the passphrase nowhere) and the backup runs; a wrong
//!   credential leaves the run waiting;
//! - `scheduler_status` / `homedeck schedule list --json` show it all.

mod backup_common;
mod common;

use backup_common::*;
use common::{PASS, run};
use homedeck::engine::views::audit::{AuditEntry, Status};
use homedeck::engine::views::scheduler::{JobState, JobView, RunResult};
use homedeck::engine::{BackupEvent, BackupOutcome, Command, EngineHandle, EngineOptions, Event, Outcome, SchedulerEvent, SchedulerOutcome, SecretValue};
use std::path::Path;
use std::time::Duration;

/// A vault, a key secret, and an `ha_config` source encrypted with it.
async fn vault_keyed_source(e: &EngineHandle, dir: &Path) {
    common::init(e).await;
    common::add(e, "backup-key", "a long random archive key").await;
    let src = dir.join("ha");
    config_tree(&src);
    let add = with(source_add("ha", "ha_config", &src), |c| {
        if let Command::BackupSourceAdd { key_secret, .. } = c {
            *key_secret = Some("backup-key".into());
        }
    });
    run(e, add).await.unwrap();
}

fn every_second(name: &str) -> Command {
    Command::BackupScheduleAdd {
        name: name.into(),
        source: "ha".into(),
        cron: "* * * * * *".into(),
        tz: Some("UTC".into()),
        keep_last: None,
        keep_hourly: None,
        keep_daily: None,
        keep_weekly: None,
        keep_monthly: None,
    }
}

async fn jobs(e: &EngineHandle) -> Vec<JobView> {
    match run(e, Command::SchedulerStatus {}).await.unwrap() {
        Outcome::Scheduler(SchedulerOutcome::SchedulerStatus { jobs }) => jobs,
        o => panic!("{o:?}"),
    }
}

async fn catalog_len(e: &EngineHandle) -> usize {
    match run(e, Command::BackupList { source: None }).await.unwrap() {
        Outcome::Backup(BackupOutcome::BackupCatalog { entries }) => entries.len(),
        o => panic!("{o:?}"),
    }
}

fn by(audit: &[AuditEntry], action: &str, status: Status) -> Vec<AuditEntry> {
    audit.iter().filter(|a| a.action == action && a.status == status).cloned().collect()
}

/// The next event `pick` accepts, or panic after `secs`.
async fn next<T>(rx: &mut tokio::sync::broadcast::Receiver<Event>, secs: u64, what: &str, mut pick: impl FnMut(Event) -> Option<T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            if let Ok(ev) = rx.recv().await
                && let Some(t) = pick(ev)
            {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {what} within {secs} s"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_needs_the_locked_vault_waits_and_runs_after_unlock() {
    let t = tempfile::tempdir().unwrap();
    let e = common::open(&t.path().join("data"));
    vault_keyed_source(&e, t.path()).await;
    run(&e, Command::VaultLock {}).await.unwrap();
    run(&e, every_second("often")).await.unwrap();
    let mut rx = e.subscribe();
    run(&e, Command::BackupWatch {}).await.unwrap();

    let message = next(&mut rx, 10, "ScheduleWaiting", |ev| match ev {
        Event::Scheduler(SchedulerEvent::ScheduleWaiting { kind, schedule, message }) if kind == "backup" && schedule == "often" => Some(message),
        Event::Backup(BackupEvent::BackupScheduleRan { ok: true, message, .. }) => panic!("ran with the vault locked: {message}"),
        _ => None,
    })
    .await;
    assert!(message.contains("vault is locked") && message.contains("no unattended credential"), "{message}");
    // Later due runs fold into the waiting one: nothing runs, nothing is audited again.
    // (Polled with a deadline: the next due second may come late on a loaded machine.)
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let job = loop {
        let job = jobs(&e).await.into_iter().find(|j| j.name == "often").unwrap();
        let JobState::WaitingForUnlock { folded, .. } = job.state else { panic!("{:?}", job.state) };
        if folded >= 1 || std::time::Instant::now() > deadline {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!((job.kind.as_str(), job.command.as_str()), ("backup", "backup_create"));
    let JobState::WaitingForUnlock { folded, .. } = job.state else { panic!("{:?}", job.state) };
    assert!(folded >= 1, "due runs while waiting are folded in: {folded}");
    assert!(matches!(job.last_run.as_ref().unwrap().result, RunResult::WaitingForUnlock { .. }));
    assert_eq!(catalog_len(&e).await, 0);
    let audit = common::audit_all(&e).await;
    let waiting = by(&audit, "schedule_waiting", Status::Failure);
    assert_eq!(waiting.len(), 1, "one waiting entry per wait, not one per due run");
    assert_eq!(waiting[0].actor.to_string(), "daemon@scheduler");
    assert!(waiting[0].error.as_deref().unwrap().starts_with("waiting for unlock"), "{:?}", waiting[0].error);
    assert!(by(&audit, "backup_create", Status::Success).is_empty(), "a waiting run is never audited as a success");
    let refused = by(&audit, "backup_create", Status::Failure);
    assert!(!refused.is_empty() && refused.iter().all(|a| a.actor.to_string() == "daemon@scheduler"));
    let schedules = match run(&e, Command::BackupScheduleList {}).await.unwrap() {
        Outcome::Backup(BackupOutcome::BackupSchedules { schedules }) => schedules,
        o => panic!("{o:?}"),
    };
    assert!(schedules[0].schedule.last_result.as_deref().unwrap().starts_with("waiting for unlock"));

    // Someone unlocks (here a CLI): the waiting run goes at once.
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
    let message = next(&mut rx, 20, "BackupScheduleRan", |ev| match ev {
        Event::Backup(BackupEvent::BackupScheduleRan { schedule, ok, message }) if schedule == "often" => Some((ok, message)),
        _ => None,
    })
    .await;
    assert!(message.0, "{}", message.1);
    assert!(message.1.contains("encrypted") && message.1.contains("waiting for unlock"), "{}", message.1);
    run(&e, Command::BackupScheduleRemove { name: "often".into() }).await.unwrap();
    assert!(catalog_len(&e).await >= 1);
    let audit = common::audit_all(&e).await;
    let made = by(&audit, "backup_create", Status::Success);
    assert!(!made.is_empty() && made.iter().all(|a| a.actor.to_string() == "daemon@scheduler"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unattended_credential_unlocks_for_a_scheduled_run() {
    let t = tempfile::tempdir().unwrap();
    let cred = t.path().join("homedeck-passphrase");
    std::fs::write(&cred, "not the passphrase\n").unwrap();
    std::fs::set_permissions(&cred, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let mut opts = EngineOptions::new(t.path().join("data"));
    opts.passphrase_file = Some(cred.clone());
    let e = common::open_with(opts);
    vault_keyed_source(&e, t.path()).await;
    run(&e, Command::VaultLock {}).await.unwrap();
    run(&e, every_second("often")).await.unwrap();
    let mut rx = e.subscribe();
    run(&e, Command::BackupWatch {}).await.unwrap();

    // A wrong credential: the run waits, and says why without the content.
    let message = next(&mut rx, 15, "ScheduleWaiting", |ev| match ev {
        Event::Scheduler(SchedulerEvent::ScheduleWaiting { message, .. }) => Some(message),
        _ => None,
    })
    .await;
    assert!(message.contains("did not unlock") && message.contains(&cred.display().to_string()), "{message}");
    assert!(!message.contains("not the passphrase"));

    // The right one, at the next start of the scheduler (a restart).
    run(&e, Command::BackupScheduleRemove { name: "often".into() }).await.unwrap();
    drop(rx);
    drop(e);
    std::fs::write(&cred, format!("{PASS}\n")).unwrap();
    let mut opts = EngineOptions::new(t.path().join("data"));
    opts.passphrase_file = Some(cred.clone());
    let e = {
        let mut tries = 0;
        loop {
            match EngineHandle::open(opts.clone(), &common::cli()) {
                Ok(e) => break e,
                Err(err) if tries < 50 => {
                    tries += 1;
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("reopen: {err}"),
            }
        }
    };
    run(&e, every_second("again")).await.unwrap();
    let mut rx = e.subscribe();
    run(&e, Command::BackupWatch {}).await.unwrap();
    let (ok, message) = next(&mut rx, 20, "BackupScheduleRan", |ev| match ev {
        Event::Backup(BackupEvent::BackupScheduleRan { schedule, ok, message }) if schedule == "again" => Some((ok, message)),
        _ => None,
    })
    .await;
    assert!(ok, "{message}");
    run(&e, Command::BackupScheduleRemove { name: "again".into() }).await.unwrap();
    let audit = common::audit_all(&e).await;
    let unlocks: Vec<_> = audit.iter().filter(|a| a.action == "vault_unlock" && a.actor.to_string() == "daemon@scheduler").collect();
    assert!(unlocks.iter().any(|a| a.status == Status::Success), "the scheduler unlocked, audited");
    assert!(unlocks.iter().any(|a| a.status == Status::Failure), "the wrong credential was audited too");
    let all = serde_json::to_string(&audit).unwrap();
    assert!(!all.contains(PASS) && !all.contains("not the passphrase"), "a passphrase reached the audit log");
}

/// The real binary: `backup watch` runs the schedule with the vault locked,
/// unlocking it from HOMEDECK_PASSPHRASE_FILE, and `schedule list --json`
/// shows the run.
#[test]
fn the_binary_runs_a_vault_keyed_schedule_and_lists_it() {
    let t = tempfile::tempdir().unwrap();
    let env = common::cli_env::CliEnv::new(t.path());
    std::fs::write(t.path().join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(t.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let ok = |args: &[&str], stdin: Option<&str>| {
        let out = env.cmd(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let src = t.path().join("ha");
    config_tree(&src);
    ok(&["vault", "init"], None);
    ok(&["secret", "add", "backup-key", "--kind", "api_key"], Some("a long random archive key"));
    ok(&["backup", "source", "add", "ha", "--kind", "ha_config", "--path", src.to_str().unwrap(), "--key-secret", "backup-key"], None);
    ok(&["backup", "schedule", "add", "often", "ha", "* * * * * *", "--tz", "UTC"], None);
    let listed = ok(&["schedule", "list"], None);
    assert!(listed.contains("backup") && listed.contains("often") && listed.contains("idle"), "{listed}");

    let mut watch = std::process::Command::new(env!("CARGO_BIN_EXE_homedeck"));
    watch
        .args(["backup", "watch", "--json"])
        .env("HOMEDECK_DATA_DIR", t.path().join("data"))
        .env("HOMEDECK_CONFIG_DIR", t.path().join("config"))
        .env("HOMEDECK_STATE_DIR", t.path().join("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", t.path().join("pass"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = Child(watch.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let line = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).find(|l| l.contains("backup_schedule_ran"))
    });
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while !line.is_finished() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(child); // SIGKILL: the next command needs the data dir
    let ran = line.join().unwrap().expect("no scheduled run printed");
    assert!(ran.contains("\"ok\":true"), "{ran}");

    let v: serde_json::Value = serde_json::from_str(&ok(&["schedule", "list", "--json"], None)).unwrap();
    assert_eq!(v["outcome"], "scheduler_status");
    let job = &v["jobs"][0];
    assert_eq!((job["kind"].as_str(), job["name"].as_str()), (Some("backup"), Some("often")));
    assert!(job["next_run"].is_string());
    // The process was killed: the run it may have been in is reported as interrupted, else ok.
    let result = job["last_run"]["result"]["result"].as_str().unwrap().to_string();
    assert!(result == "ok" || result == "interrupted", "{job}");
    let audit = ok(&["audit", "search", "--json", "--limit", "500"], None);
    assert!(audit.contains("daemon@scheduler") || audit.contains("\"frontend\": \"scheduler\""), "{audit}");
    assert!(!audit.contains(PASS));
}

/// Rewrite one versioned JSON value in a tree of a closed data dir.
/// The store, once the engine that had it open has let go: a run the
/// scheduler started may still hold it for a moment after the handle drops
/// (waits on the lock with a deadline instead of a fixed sleep).
fn open_db(data: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match sled::open(data.join("db")) {
            Ok(db) => return db,
            Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the store stayed locked for 60 s after the engine was dropped: {e}"),
        }
    }
}

fn edit_record(db: &sled::Db, tree: &str, key: &str, f: impl FnOnce(&mut serde_json::Value)) {
    let t = db.open_tree(tree).unwrap();
    let raw = t.get(key).unwrap().unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&raw[1..]).unwrap();
    f(&mut v);
    let mut out = vec![raw[0]];
    out.extend(serde_json::to_vec(&v).unwrap());
    t.insert(key, out).unwrap();
}

/// The old per-domain mark (`backup_meta` / `scheduler_checked_at`) is read
/// for its own kind, so runs missed across the upgrade are reported once,
/// audited by the scheduler; then only the one mark is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_backup_mark_is_read_once_and_missed_runs_are_reported() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    let src = t.path().join("s");
    config_tree(&src);
    {
        let e = common::open(&data);
        run(&e, source_add("s", "dir", &src)).await.unwrap();
        let mut add = every_second("nightly");
        if let Command::BackupScheduleAdd { source, cron, .. } = &mut add {
            *source = "s".into();
            *cron = "* * * * *".into();
        }
        run(&e, add).await.unwrap();
    }
    let five_ago = chrono::Utc::now() - chrono::Duration::minutes(5) - chrono::Duration::seconds(30);
    {
        let db = open_db(&data);
        db.open_tree("backup_meta").unwrap().insert("scheduler_checked_at", five_ago.to_rfc3339().as_bytes()).unwrap();
        edit_record(&db, "backup_schedules", "nightly", |v| v["created"] = serde_json::json!((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()));
        db.flush().unwrap();
    }
    {
        let e = common::open(&data);
        let mut rx = e.subscribe();
        run(&e, Command::BackupWatch {}).await.unwrap();
        let count = next(&mut rx, 10, "BackupScheduleMissed", |ev| match ev {
            Event::Backup(BackupEvent::BackupScheduleMissed { schedule, count, .. }) if schedule == "nightly" => Some(count),
            _ => None,
        })
        .await;
        assert!((5..=6).contains(&count), "{count}");
        let audit = common::audit_all(&e).await;
        let missed = by(&audit, "backup_schedule_missed", Status::Failure);
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].actor.to_string(), "daemon@scheduler");
        assert!(missed[0].description.contains("backup schedule nightly (s)") && missed[0].description.contains("not running"));
        run(&e, Command::BackupScheduleRemove { name: "nightly".into() }).await.unwrap();
    }
    let db = open_db(&data);
    assert!(db.open_tree("backup_meta").unwrap().get("scheduler_checked_at").unwrap().is_none(), "the old mark is gone");
    assert!(db.open_tree("scheduler_meta").unwrap().get("checked_at").unwrap().is_some(), "the one mark is kept");
}
