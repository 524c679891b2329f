//! The Overview pane (0) through the real console loop: `0` brings it up
//! and loads it; a failed unlock and a backup show as lines; Enter on a
//! line brings up its pane; opening it marks the overview seen once
//! (audited), except in a read-only console; at 80 columns the tabs of the
//! panes behind are cut to three letters so all nine fit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::{Command, Outcome, SecretValue};
use homedeck::tui::panes::PaneId;
use tui_common::Harness;

async fn seen_entries(h: &Harness) -> usize {
    let search = Command::AuditSearch {
        category: None, min_severity: None, status: None, actor: None, resource: None,
        since: None, until: None, text: Some("overview_seen".into()), limit: None, before: None,
    };
    match h.exec(search).await {
        Outcome::Audit(homedeck::engine::AuditOutcome::AuditPage { page }) => page.entries.len(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_what_needs_a_look_and_opens_its_pane() {
    let mut h = Harness::new().await;
    let src = h.dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "one").unwrap();
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await;
    let wrong = h.engine.execute(Command::VaultUnlock { passphrase: SecretValue::new("wrong wrong wrong") }, tui_common::actor()).await;
    assert!(wrong.is_err());
    h.exec(Command::BackupSourceAdd {
        name: "files".into(), kind: "dir".into(), path: Some(src.display().to_string()), live: None, login: None,
        exclude: None, exclude_db: None, encrypt: Some(false), key_secret: None, compression: None, repo: None,
        health: None, backup_password_secret: None, site: None,
    })
    .await;
    h.exec(Command::BackupCreate { source: "files".into(), password: None }).await;

    h.key(KeyCode::Char('0')).await;
    assert_eq!(h.driver.app.pane, PaneId::Overview);
    let screen = h.screen80();
    assert!(screen.contains("0:Overview 1:Ser 2:Dep 3:ESP 4:Lig 5:Bac 6:Sec 7:Aud 8:AI"), "{screen}");
    assert!(screen.contains("servers  0 up · 0 degraded · 0 down · 1 not polled yet"), "{screen}");
    assert!(screen.contains("backups  files: last"), "{screen}");
    assert!(screen.contains("1 notable event"), "{screen}");
    assert!(screen.contains("failure vault_unlock"), "{screen}");
    assert_eq!(seen_entries(&h).await, 1, "opening the overview marks it seen once");

    // Coming back reloads it, and keeps counting from the same mark.
    h.key(KeyCode::Char('1')).await;
    h.key(KeyCode::Char('0')).await;
    assert!(h.screen80().contains("failure vault_unlock"));
    assert_eq!(seen_entries(&h).await, 1, "the mark moves once per console");

    // Enter on the backups line brings up Backups.
    let at = h.driver.app.panes.overview.rows().iter().position(|r| r.head == "backups").unwrap();
    for _ in 0..at {
        h.key(KeyCode::Char('j')).await;
    }
    h.enter().await;
    assert_eq!(h.driver.app.pane, PaneId::Backups);

    // Wide enough, every tab has its whole title.
    h.key(KeyCode::Char('0')).await;
    let wide = h.screen(120, 30);
    assert!(wide.contains("0:Overview 1:Servers 2:Deployments 3:ESPHome 4:Lights 5:Backups 6:Secrets 7:Audit 8:AI"), "{wide}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_console_does_not_move_the_mark() {
    let mut h = Harness::with(|o| o.readonly = true).await;
    h.key(KeyCode::Char('0')).await;
    let screen = h.screen80();
    assert!(screen.contains("notable event"), "{screen}");
    assert!(!screen.contains("read-only"), "no refusal shown for the mark: {screen}");
    assert_eq!(seen_entries(&h).await, 0);
}
