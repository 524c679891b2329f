#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap
//! The console's site filter and SITE columns, through the real loop:
//! `:site cabin` narrows every pane at once and says so in the status bar,
//! `:site` clears it, a site with nothing at it says what to do, a move made
//! with `site_set` shows without a manual reload, and the ESPHome add form
//! has a Site field pre-filled from the filter.

mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::Command;
use tui_common::{Harness, server};

fn device(name: &str, port: u16, site: Option<&str>) -> Command {
    Command::EsphomeAdd {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(port),
        key_secret: None,
        ota_port: None,
        ota_password_secret: None,
        platform: Some("ESP32".into()),
        site: site.map(String::from),
    }
}

fn source(name: &str, path: &std::path::Path, site: Option<&str>) -> Command {
    Command::BackupSourceAdd {
        name: name.into(),
        kind: "dir".into(),
        path: Some(path.display().to_string()),
        live: None,
        login: None,
        exclude: None,
        exclude_db: None,
        encrypt: Some(false),
        key_secret: None,
        compression: None,
        repo: None,
        health: None,
        backup_password_secret: None,
        site: site.map(String::from),
    }
}

async fn palette(h: &mut Harness, line: &str) {
    h.key(KeyCode::Char(':')).await;
    h.typ(line).await;
    h.enter().await;
}

/// The lines of the pane body that name `word` (the status bar excluded).
fn shows(screen: &str, word: &str) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    lines[..lines.len().saturating_sub(1)].iter().any(|l| l.contains(word))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_filter_narrows_every_pane_and_shows_in_the_status_bar() {
    let mut h = Harness::new().await;
    let dirs = tempfile::tempdir().unwrap();
    for d in ["etc-cabin", "etc-house"] {
        std::fs::create_dir_all(dirs.path().join(d)).unwrap();
    }
    h.exec(server("pi-cabin", Some("cabin"))).await;
    h.exec(server("nas-town", Some("house"))).await;
    h.exec(device("kitchen", 6053, Some("cabin"))).await;
    h.exec(device("hallway", 6054, None)).await;
    h.exec(source("cfg-cabin", &dirs.path().join("etc-cabin"), Some("cabin"))).await;
    h.exec(source("cfg-house", &dirs.path().join("etc-house"), None)).await;
    h.driver.app.refresh = homedeck::tui::panes::pane::Refresh::all();
    h.driver.app.flush_refresh();
    h.settle().await;

    // Every list has a SITE column before any filter.
    h.key(KeyCode::Char('1')).await;
    let s = h.screen80();
    assert!(s.contains("SITE") && shows(&s, "pi-cabin") && shows(&s, "nas-town"), "{s}");
    assert!(s.contains("cabin ") && s.contains("house "), "{s}");
    h.key(KeyCode::Char('3')).await;
    let s = h.screen80();
    assert!(s.contains("SITE") && shows(&s, "kitchen") && shows(&s, "hallway"), "{s}");

    // `:site cabin` narrows every pane at once.
    palette(&mut h, "site cabin").await;
    assert_eq!(h.driver.app.site_filter.as_deref(), Some("cabin"));
    let s = h.screen80();
    assert!(s.lines().last().unwrap().contains("site filter: cabin"), "{s}");
    assert!(shows(&s, "kitchen") && !shows(&s, "hallway"), "{s}");
    h.key(KeyCode::Char('1')).await;
    let s = h.screen80();
    assert!(shows(&s, "pi-cabin") && !shows(&s, "nas-town"), "{s}");
    assert!(s.lines().last().unwrap().contains("site filter: cabin"), "the filter shows in every pane: {s}");
    h.key(KeyCode::Char('5')).await;
    let s = h.screen80();
    assert!(s.contains("SITE") && shows(&s, "cfg-cabin") && !shows(&s, "cfg-house"), "{s}");
    // The Overview's counts are the cabin's too, and its title says so.
    h.key(KeyCode::Char('0')).await;
    h.settle().await;
    let s = h.screen80();
    assert!(s.contains("Overview · site cabin") && shows(&s, "cfg-cabin") && !shows(&s, "cfg-house"), "{s}");
    h.key(KeyCode::Char('5')).await;
    // Adding a source while filtered puts it at that site.
    h.key(KeyCode::Char('a')).await;
    let s = h.screen80();
    assert!(s.contains("backup_source_add site=cabin name="), "{s}");
    h.key(KeyCode::Esc).await;

    // A move made through the palette shows at once, filter and all.
    palette(&mut h, "site_set kind=esphome name=hallway site=cabin").await;
    h.key(KeyCode::Char('3')).await;
    let s = h.screen80();
    assert!(shows(&s, "kitchen") && shows(&s, "hallway"), "{s}");

    // The add form has a Site field, pre-filled with the filter.
    h.key(KeyCode::Char('a')).await;
    let s = h.screen80();
    assert!(s.contains("Site") && s.contains("cabin"), "{s}");
    h.key(KeyCode::Esc).await;

    // A site with nothing at it says how to get out.
    palette(&mut h, "site nowhere").await;
    h.key(KeyCode::Char('1')).await;
    let s = h.screen80();
    assert!(s.contains("No server at site nowhere") && s.contains(":site clears"), "{s}");

    // `:site` alone clears it everywhere.
    palette(&mut h, "site").await;
    assert_eq!(h.driver.app.site_filter, None);
    let s = h.screen80();
    assert!(shows(&s, "pi-cabin") && shows(&s, "nas-town"), "{s}");
    assert!(!s.contains("site filter:"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_filter_at_80x24_snapshot() {
    let mut h = Harness::new().await;
    h.exec(server("pi-cabin", Some("cabin"))).await;
    h.exec(server("nas-town", Some("house"))).await;
    h.driver.app.refresh = homedeck::tui::panes::pane::Refresh::all();
    h.driver.app.flush_refresh();
    h.settle().await;
    h.key(KeyCode::Char('1')).await;
    palette(&mut h, "site cabin").await;
    insta::assert_snapshot!("servers_site_cabin", h.screen80());
}
