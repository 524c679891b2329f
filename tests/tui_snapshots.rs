//! 80×24 snapshots of the Secrets and Audit panes, drawn from a real engine.
//! Ages come from a frozen clock, so the pictures are stable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod tui_common;

use tui_common::Harness;
use crossterm::event::KeyCode;
use homedeck::engine::internals::vault::SecretKind;
use homedeck::engine::{Command, EngineHandle, SecretValue};

async fn populate(engine: &EngineHandle) {
    let run = |c: Command| {
        let e = engine.clone();
        async move { e.execute(c, tui_common::actor()).await }
    };
    run(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await.unwrap();
    for (name, kind, days) in [
        ("ha_token", SecretKind::Token, Some(7)),
        ("mqtt_password", SecretKind::Password, Some(90)),
        ("old_api_key", SecretKind::ApiKey, None),
    ] {
        run(Command::SecretAdd {
            name: name.into(),
            kind,
            value: SecretValue::new(format!("{name}-value")),
            rotation_days: days,
            note: Some(format!("note for {name}")),
        })
        .await
        .unwrap();
    }
    run(Command::SecretReveal { name: "mqtt_password".into() }).await.unwrap();
    run(Command::SecretRevoke { name: "old_api_key".into(), reason: "leaked in a paste".into() }).await.unwrap();
    // Reading a revoked secret is refused and raises a security event.
    assert!(run(Command::SecretReveal { name: "old_api_key".into() }).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_audit_panes() {
    let mut h = Harness::new().await;
    populate(&h.engine).await;
    h.settle().await;

    h.key(KeyCode::Char('6')).await;
    insta::assert_snapshot!("secrets_unlocked", h.screen80());

    // Detail of mqtt_password (rows are sorted by name: ha_token, mqtt_password, …).
    h.key(KeyCode::Char('j')).await;
    h.enter().await;
    insta::assert_snapshot!("secret_detail", h.screen80());
    h.key(KeyCode::Esc).await;

    h.key(KeyCode::Char('L')).await;
    insta::assert_snapshot!("secrets_locked", h.screen80());

    h.key(KeyCode::Char('7')).await;
    insta::assert_snapshot!("audit_log", h.screen80());

    h.key(KeyCode::Char('e')).await;
    insta::assert_snapshot!("security_events", h.screen80());
    h.enter().await;
    // The evidence holds an absolute time, so check the content instead.
    let detail = h.screen80();
    for want in ["revoked_secret_access", "Evidence", "leaked in a paste", "Response notes"] {
        assert!(detail.contains(want), "{want} missing from:\n{detail}");
    }

    // Move it along the workflow with a note.
    h.key(KeyCode::Char('i')).await;
    h.enter().await;
    assert!(h.screen80().contains("a note is required"));
    h.typ("rotating the consumer").await;
    h.enter().await;
    let detail = h.screen80();
    assert!(detail.contains("investigating") && detail.contains("rotating the consumer"), "{detail}");
    assert!(detail.contains("Security events · 1 open"), "{detail}");
    h.key(KeyCode::Char('r')).await;
    h.typ("consumer updated").await;
    h.enter().await;
    let detail = h.screen80();
    assert!(detail.contains("resolved") && detail.contains("0 open"), "{detail}");
}
