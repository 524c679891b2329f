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
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(matches!(run(&e, wrong()).await.unwrap_err(), EngineError::WrongPassphrase { failures: 2, .. }));
    // The back-off survives a restart (the counter is in the db).
    drop(e);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let e = open(dir.path());
    let err = run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap_err();
    assert!(matches!(err, EngineError::UnlockBackoff { failures: 2, .. }), "{err}");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(matches!(run(&e, wrong()).await.unwrap_err(), EngineError::WrongPassphrase { failures: 3, .. }));
    let Outcome::Audit(AuditOutcome::SecurityEvents { events }) =
        run(&e, Command::SecurityEventList { status: None, limit: None }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "unlock_brute_force");
    tokio::time::sleep(std::time::Duration::from_millis(4100)).await;
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
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
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(new) }).await.unwrap();
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
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let Outcome::Vault(VaultOutcome::VaultStatus { status }) = run(&e, Command::VaultStatus {}).await.unwrap() else { panic!() };
    assert!(!status.unlocked, "idle lock did not fire");
    let mut saw_idle = false;
    while let Ok(ev) = events.try_recv() {
        if let homedeck::engine::Event::Vault(VaultEvent::VaultLocked { reason: homedeck::engine::LockReason::Idle }) = ev {
            saw_idle = true;
        }
    }
    assert!(saw_idle);
    assert!(audit_all(&e).await.iter().any(|a| a.actor.user == "homedeck" && a.action == "vault_lock"));
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_due_lists_overdue_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "fresh", "v").await;
    run(&e, Command::SecretSetRotation { name: "fresh".into(), days: 30 }).await.unwrap();
    let Outcome::Vault(VaultOutcome::Secrets { secrets }) = run(&e, Command::SecretRotationDue {}).await.unwrap() else { panic!() };
    assert!(secrets.is_empty());
    let err = run(&e, Command::SecretSetRotation { name: "fresh".into(), days: 99_999 }).await.unwrap_err();
    assert!(err.to_string().contains("99999"), "{err}");
}
