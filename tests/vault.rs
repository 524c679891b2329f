#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! The vault through the engine's only door: init, unlock with back-off,
//! passphrase change, idle lock, and every secret verb.

mod common;
use homedeck::engine::{AuditOutcome, VaultEvent, VaultOutcome};
use common::*;
use homedeck::engine::internals::audit::Status;
use homedeck::engine::internals::security::SecurityStatus;
use homedeck::engine::internals::vault::SecretKind;
use homedeck::engine::{Command, EngineError, EngineOptions, Outcome, SecretValue};

fn reveal(name: &str) -> Command {
    Command::SecretReveal { name: name.into() }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_need_an_initialised_unlocked_vault() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    let err = run(&e, reveal("x")).await.unwrap_err();
    assert!(matches!(err, EngineError::NotFound { .. }), "{err}");
    let add = Command::SecretAdd {
        name: "a".into(),
        kind: SecretKind::Token,
        value: SecretValue::new("v"),
        rotation_days: None,
        note: None,
    };
    assert_eq!(run(&e, add.clone()).await.unwrap_err(), EngineError::VaultNotInitialized);
    init(&e).await;
    run(&e, Command::VaultLock {}).await.unwrap();
    assert_eq!(run(&e, add).await.unwrap_err(), EngineError::VaultLocked);
    let short = run(&e, Command::VaultInit { passphrase: SecretValue::new("x") }).await.unwrap_err();
    assert_eq!(short, EngineError::VaultAlreadyInitialized);
}

#[tokio::test(flavor = "multi_thread")]
async fn short_passphrase_refused_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    let err = run(&e, Command::VaultInit { passphrase: SecretValue::new("abc123") }).await.unwrap_err().to_string();
    assert!(err.contains("at least 8") && !err.contains("abc123"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_lifecycle_add_reveal_rotate_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "ha", "v1-value").await;
    let dup = Command::SecretAdd {
        name: "ha".into(),
        kind: SecretKind::Token,
        value: SecretValue::new("z"),
        rotation_days: None,
        note: None,
    };
    assert!(matches!(run(&e, dup).await.unwrap_err(), EngineError::AlreadyExists { .. }));

    match run(&e, reveal("ha")).await.unwrap() {
        Outcome::Vault(VaultOutcome::Revealed { value, .. }) => assert_eq!(value.expose(), "v1-value"),
        o => panic!("{o:?}"),
    }
    run(&e, Command::SecretRotate { name: "ha".into(), value: SecretValue::new("v2-value") }).await.unwrap();
    match run(&e, reveal("ha")).await.unwrap() {
        Outcome::Vault(VaultOutcome::Revealed { value, .. }) => assert_eq!(value.expose(), "v2-value"),
        o => panic!("{o:?}"),
    }
    run(&e, Command::SecretSetRotation { name: "ha".into(), days: 30 }).await.unwrap();
    let Outcome::Vault(VaultOutcome::Secret { meta, history }) = run(&e, Command::SecretShow { name: "ha".into() }).await.unwrap() else {
        panic!()
    };
    assert_eq!(meta.version, 2);
    assert_eq!(meta.access_count, 2);
    assert!(meta.last_rotated.is_some() && meta.last_access.is_some());
    assert_eq!(meta.rotation_days, Some(30));
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["set_rotation", "reveal", "rotate", "reveal", "create"]);

    run(&e, Command::SecretRevoke { name: "ha".into(), reason: "leaked in a paste".into() }).await.unwrap();
    let err = run(&e, reveal("ha")).await.unwrap_err();
    assert!(matches!(err, EngineError::Revoked { .. }), "{err}");
    assert!(err.to_string().contains("leaked in a paste"));
    // Irreversible: rotating does not bring it back.
    let err = run(&e, Command::SecretRotate { name: "ha".into(), value: SecretValue::new("v3") }).await.unwrap_err();
    assert!(matches!(err, EngineError::Revoked { .. }));

    let Outcome::Audit(AuditOutcome::SecurityEvents { events }) =
        run(&e, Command::SecurityEventList { status: Some(SecurityStatus::Pending), limit: None }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(events.len(), 2, "one per refused read: {events:?}");
    assert!(events.iter().all(|ev| ev.kind == "revoked_secret_access"));
    let failures: Vec<_> = audit_all(&e).await.into_iter().filter(|a| a.status == Status::Failure).collect();
    assert!(failures.iter().any(|a| a.action == "secret_reveal"), "{failures:?}");
}

/// The raw sled db of a data dir, once the engine dropped just before has
/// let go of it (at most 20 s).
fn open_when_free_db(dir: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match sled::open(dir.join("db")) {
            Ok(db) => return db,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("open the db: {e}"),
        }
    }
}

/// Try `c` until the back-off lets it through (at most 30 s), then give its
/// answer: waits on the vault's own condition rather than a guessed sleep.
async fn when_allowed(e: &homedeck::engine::EngineHandle, c: impl Fn() -> Command) -> Result<Outcome, EngineError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match run(e, c()).await {
            Err(EngineError::UnlockBackoff { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passphrases_back_off_and_raise_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    run(&e, Command::VaultLock {}).await.unwrap();
    let wrong = || Command::VaultUnlock { passphrase: SecretValue::new("not the passphrase") };
    let err = run(&e, wrong()).await.unwrap_err();
    assert_eq!(err, EngineError::WrongPassphrase { failures: 1, retry_in_secs: 1 });
    // Immediately again: refused without even trying.
    let err = run(&e, wrong()).await.unwrap_err();
    assert!(matches!(err, EngineError::UnlockBackoff { failures: 1, .. }), "{err}");
    assert_eq!(when_allowed(&e, wrong).await.unwrap_err(), EngineError::WrongPassphrase { failures: 2, retry_in_secs: 2 });
    let err = when_allowed(&e, wrong).await.unwrap_err();
    assert_eq!(err, EngineError::WrongPassphrase { failures: 3, retry_in_secs: 4 });
    let Outcome::Audit(AuditOutcome::SecurityEvents { events }) =
        run(&e, Command::SecurityEventList { status: None, limit: None }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "unlock_brute_force");
    // The back-off survives a restart (the counter is in the db): within
    // the 4 s after the third failure even the right passphrase is refused.
    drop(e);
    let e = open_when_free(EngineOptions::new(dir.path()));
    let err = run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap_err();
    assert!(matches!(err, EngineError::UnlockBackoff { failures: 3, .. }), "{err}");
    when_allowed(&e, || Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
    let Outcome::Vault(VaultOutcome::VaultStatus { status }) = run(&e, Command::VaultStatus {}).await.unwrap() else { panic!() };
    assert!(status.unlocked);
    assert_eq!(status.failed_unlocks, 0, "success resets the counter");
}

#[tokio::test(flavor = "multi_thread")]
async fn passphrase_change_rewraps_and_keeps_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "k", "kept").await;
    let new = "a brand new passphrase";
    run(&e, Command::VaultChangePassphrase { current: SecretValue::new(PASS), new: SecretValue::new(new) })
        .await
        .unwrap();
    assert_eq!(run(&e, reveal("k")).await.unwrap_err(), EngineError::VaultLocked, "relocked after change");
    let old = run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap_err();
    assert!(matches!(old, EngineError::WrongPassphrase { .. }));
    when_allowed(&e, || Command::VaultUnlock { passphrase: SecretValue::new(new) }).await.unwrap();
    let Outcome::Vault(VaultOutcome::Revealed { value, .. }) = run(&e, reveal("k")).await.unwrap() else { panic!() };
    assert_eq!(value.expose(), "kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn vault_locks_itself_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = EngineOptions::new(dir.path());
    opts.idle_lock_secs = 2;
    let e = open_with(opts);
    let mut events = e.subscribe();
    init(&e).await;
    add(&e, "k", "v").await;
    let added = std::time::Instant::now();
    // Wait for the idle lock's own event (at most 30 s), not a guessed while.
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            if let Ok(homedeck::engine::Event::Vault(VaultEvent::VaultLocked { reason: homedeck::engine::LockReason::Idle })) = events.recv().await {
                return;
            }
        }
    })
    .await
    .expect("the idle lock fired within 30 s");
    assert!(added.elapsed() >= std::time::Duration::from_millis(1500), "locked after {:?}, well before the 2 s idle time", added.elapsed());
    let Outcome::Vault(VaultOutcome::VaultStatus { status }) = run(&e, Command::VaultStatus {}).await.unwrap() else { panic!() };
    assert!(!status.unlocked, "idle lock event without a locked vault");
    assert!(audit_all(&e).await.iter().any(|a| a.actor.user == "homedeck" && a.action == "vault_lock"));
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_due_lists_overdue_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "fresh", "v").await;
    add(&e, "stale", "v").await;
    add(&e, "unset", "v").await;
    run(&e, Command::SecretSetRotation { name: "fresh".into(), days: 30 }).await.unwrap();
    run(&e, Command::SecretSetRotation { name: "stale".into(), days: 30 }).await.unwrap();
    let due = |e: homedeck::engine::EngineHandle| async move {
        let Outcome::Vault(VaultOutcome::Secrets { secrets }) = run(&e, Command::SecretRotationDue {}).await.unwrap() else { panic!() };
        (e, secrets.into_iter().map(|s| s.name).collect::<Vec<_>>())
    };
    let (e, names) = due(e).await;
    assert!(names.is_empty(), "nothing is due yet: {names:?}");
    // "stale" was created 31 days ago (and "unset", which has no interval,
    // 400 days ago): written into the stored records while homedeck is closed.
    drop(e);
    {
        let db = open_when_free_db(dir.path());
        let t = db.open_tree("secrets").unwrap();
        for item in t.iter() {
            let (k, raw) = item.unwrap();
            let mut v: serde_json::Value = serde_json::from_slice(&raw[1..]).unwrap();
            let days = match v["meta"]["name"].as_str().unwrap() {
                "stale" => 31,
                "unset" => 400,
                _ => continue,
            };
            v["meta"]["created"] = serde_json::json!((chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339());
            let mut out = vec![raw[0]];
            out.extend(serde_json::to_vec(&v).unwrap());
            t.insert(k, out).unwrap();
        }
        db.flush().unwrap();
    }
    let e = open_when_free(EngineOptions::new(dir.path()));
    let (e, names) = due(e).await;
    assert_eq!(names, vec!["stale".to_string()], "only the overdue secret with an interval");
    let Outcome::Vault(VaultOutcome::VaultStatus { status }) = run(&e, Command::VaultStatus {}).await.unwrap() else { panic!() };
    assert_eq!(status.rotation_due, 1);
    // Rotating it makes it current again.
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
    run(&e, Command::SecretRotate { name: "stale".into(), value: SecretValue::new("v2") }).await.unwrap();
    let (e, names) = due(e).await;
    assert!(names.is_empty(), "rotated: {names:?}");
    let err = run(&e, Command::SecretSetRotation { name: "fresh".into(), days: 99_999 }).await.unwrap_err();
    assert!(err.to_string().contains("99999"), "{err}");
}
