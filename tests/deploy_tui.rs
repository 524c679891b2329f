//! The Deployments pane with no deployment yet: what it says, the palette
//! that `a` opens with `deploy_create` filled in, and the engine's error for
//! a server that cannot be reached shown in the status bar. (The pane with a
//! running Home Assistant is driven in tests/deploy_ha.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use homedeck::engine::{Command, SecretValue};
use tui_common::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_pane_and_create_from_the_palette() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('2')).await;
    insta::assert_snapshot!("deployments_empty", h.screen80());
    h.key(KeyCode::Char('a')).await;
    let s = h.screen80();
    assert!(s.contains("deploy_create name= server=local version=2024.3.3"), "{s}");
    h.key(KeyCode::Esc).await;

    // A server nothing listens on: the error names it.
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery staple") }).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    h.exec(Command::ServerAdd {
        name: "gone".into(), host: "127.0.0.1".into(), port: Some(u32::from(port)), user: Some("root".into()),
        auth: Some(homedeck::engine::internals::servers::model::AuthMethod::Agent), secret: None, key: None, key_passphrase: None,
        password: None, tags: None, site: None,
    })
    .await;
    h.key(KeyCode::Char('a')).await;
    for _ in 0.."name= server=local version=2024.3.3".len() {
        h.driver.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
    h.typ("name=home server=gone version=2024.3.3").await;
    h.enter().await;
    let mut s = h.screen80();
    for _ in 0..100 {
        if s.contains("cannot reach server gone") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        h.settle().await;
        s = h.screen80();
    }
    assert!(s.contains("cannot reach server gone"), "{s}");
    assert!(s.contains("No deployments"), "a failed create leaves no row:\n{s}");
}
