//! Every pane and overlay draws at any size without panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod tui_common;

use tui_common::Harness;
use crossterm::event::KeyCode;
use homedeck::engine::Command;

const SIZES: [(u16, u16); 7] = [(0, 0), (1, 1), (20, 5), (39, 9), (40, 10), (80, 24), (200, 60)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pane_at_every_size() {
    let mut h = Harness::new().await;
    let _ = h
        .engine
        .execute(Command::VaultUnlock { passphrase: homedeck::engine::SecretValue::new("x") }, tui_common::actor())
        .await;
    h.settle().await;
    for pane in '1'..='8' {
        h.key(KeyCode::Char(pane)).await;
        for (w, hgt) in SIZES {
            h.screen(w, hgt);
        }
    }
    assert!(h.screen(20, 5).contains("too small"));
    // Overlays and sub-views too.
    h.key(KeyCode::Char('7')).await;
    for keys in [vec!['?'], vec![':'], vec!['e'], vec!['e', '\n'], vec!['\n']] {
        for k in &keys {
            h.key(if *k == '\n' { KeyCode::Enter } else { KeyCode::Char(*k) }).await;
        }
        for (w, hgt) in SIZES {
            h.screen(w, hgt);
        }
        for _ in 0..3 {
            h.key(KeyCode::Esc).await;
        }
        if h.driver.app.panes.audit.security_view {
            h.key(KeyCode::Char('e')).await;
        }
    }
    h.key(KeyCode::Char('6')).await;
    for k in ['i', 'a'] {
        h.key(KeyCode::Char(k)).await;
        for (w, hgt) in SIZES {
            h.screen(w, hgt);
        }
        h.key(KeyCode::Esc).await;
    }
}
