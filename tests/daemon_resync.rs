#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A console that falls behind resynchronises: a console in tmux (80×24)
//! attached to a real daemon is stopped (SIGSTOP) while a secret is added
//! in the middle of thousands of other events, so its copy of that event is
//! dropped by the daemon. When it runs again it is told it lagged, reloads
//! every pane, and the open Secrets pane shows the secret all the same.

mod daemon_common;
use daemon_common::tmux::Tmux;
use daemon_common::*;
use homedeck::daemon::client::Client;
use homedeck::engine::internals::vault::SecretKind;
use homedeck::engine::{Command, Frontend, SecretValue};

/// `n` audited commands that fail (no such source): each one is an audit
/// event for every subscriber, and none touches the Secrets pane.
async fn flood(client: &Client, n: usize) {
    let mut runs = Vec::new();
    for _ in 0..8 {
        let c = client.clone();
        runs.push(tokio::spawn(async move {
            for _ in 0..n / 8 {
                let r = c.execute(Command::BackupSourceRemove { name: "no-such-source".into() }).await;
                assert!(r.is_err());
            }
        }));
    }
    for r in runs {
        r.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_that_fell_behind_reloads_and_shows_what_it_missed() {
    let home = Home::new();
    let d = home.daemon();
    assert!(home.hd(&["vault", "init"]).0);
    let t = Tmux::start(home.dir.path(), "resync", (80, 24), false);
    t.wait_for(&format!("attached: daemon {}", d.pid()));
    t.keys(&["6"]);
    t.wait_for("Vault: unlocked");
    let console: u32 = t.tmux(&["display-message", "-p", "#{pane_pid}"]).trim().parse().unwrap();
    let signal = |s: &str| assert!(std::process::Command::new("kill").args(["-s", s, &console.to_string()]).status().unwrap().success());

    signal("STOP");
    let client = Client::attach(&home.data(), Frontend::Cli, false, false).await.map_err(|e| format!("{e:?}")).unwrap();
    // Fill the stopped console's socket and queue, add the secret, then
    // push its event out of the daemon's buffer for that console.
    flood(&client, 1600).await;
    let add = Command::SecretAdd {
        name: "while-behind".into(),
        kind: SecretKind::ApiKey,
        value: SecretValue::new("v"),
        rotation_days: None,
        note: None,
    };
    client.execute(add).await.unwrap();
    flood(&client, 3200).await;
    signal("CONT");

    let s = tokio::task::block_in_place(|| t.wait_for("while-behind"));
    assert!(s.contains("Vault: unlocked"), "{s}");
    t.keys(&["q"]);
}
