//! Key sequences through the real loop logic (`Driver`): keys in, engine
//! work spawned and awaited, outcomes applied, screen drawn on a TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod tui_common;

use homedeck::engine::VaultOutcome;
use tui_common::Harness;
use crossterm::event::KeyCode;
use homedeck::engine::{Command, Outcome};
use homedeck::tui::panes::PaneId;
use std::time::Duration;

const PASS: &str = "pass-CANARY-phrase";
const VALUE: &str = "value-CANARY-42";

async fn vault_status(h: &Harness) -> homedeck::engine::internals::vault::VaultStatus {
    match h.exec(Command::VaultStatus {}).await {
        Outcome::Vault(VaultOutcome::VaultStatus { status }) => status,
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_add_reveal_lock_and_audit() {
    let mut h = Harness::new().await;
    assert_eq!(h.driver.app.pane, PaneId::Servers, "the console opens on Servers");
    h.key(KeyCode::Char('2')).await;
    assert!(h.screen80().contains("No deployments"));
    assert!(h.screen80().contains("homedeck deploy create"));

    h.key(KeyCode::Char('6')).await;
    assert_eq!(h.driver.app.pane, PaneId::Secrets);
    assert!(h.screen80().contains("not initialised"));

    // Create the vault: a mismatch first, then matching passphrases.
    h.key(KeyCode::Char('i')).await;
    h.typ(PASS).await;
    h.enter().await;
    h.typ("something else").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("do not match"), "{screen}");
    assert!(!vault_status(&h).await.initialized);
    h.typ(PASS).await;
    let screen = h.screen80();
    assert!(screen.contains("••••"), "masked bullets expected:\n{screen}");
    assert!(!screen.contains("CANARY"), "passphrase on screen:\n{screen}");
    h.enter().await;
    h.typ(PASS).await;
    h.enter().await;
    let status = vault_status(&h).await;
    assert!(status.initialized && status.unlocked);
    assert!(h.screen80().contains("Vault: unlocked"));

    // Add a secret through the form.
    h.key(KeyCode::Char('a')).await;
    h.typ("ha_token").await;
    h.enter().await;
    h.key(KeyCode::Right).await; // api_key → password
    h.enter().await;
    h.typ(VALUE).await;
    assert!(!h.screen80().contains("CANARY"), "value on screen while typing");
    h.enter().await;
    h.typ("30").await;
    h.enter().await;
    h.typ("home assistant").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("ha_token") && screen.contains("password"), "{screen}");
    assert!(!screen.contains("CANARY"));

    // Reveal shows the value with a countdown; any key hides it.
    h.key(KeyCode::Char('r')).await;
    let screen = h.screen80();
    assert!(screen.contains(VALUE), "{screen}");
    assert!(screen.contains("hides in 5 s"), "{screen}");
    h.key(KeyCode::Char('x')).await;
    assert!(!h.screen80().contains("CANARY"));

    // Reveal again and let the timer run out.
    h.key(KeyCode::Char('r')).await;
    assert!(h.screen80().contains(VALUE));
    h.driver.app.clock.advance(Duration::from_secs(3));
    h.driver.app.on_tick();
    assert!(h.screen80().contains("hides in 2 s"));
    h.driver.app.clock.advance(Duration::from_secs(3));
    h.driver.app.on_tick();
    assert!(!h.screen80().contains("CANARY"), "value still shown after the timeout");
    assert!(!h.driver.app.needs_tick() || h.driver.app.panes.secrets.unlocked(), "reveal timer should be gone");

    // Lock through the palette.
    h.key(KeyCode::Char(':')).await;
    h.typ("vault_lock").await;
    assert!(h.screen80().contains("Lock the vault now"));
    h.enter().await;
    assert!(!vault_status(&h).await.unlocked);
    let screen = h.screen80();
    assert!(screen.contains("Vault: locked") && screen.contains("vault locked"), "{screen}");

    // A wrong passphrase shows the engine's error inside the unlock form,
    // which stays open (emptied) for another try.
    h.key(KeyCode::Char('u')).await;
    h.typ("wrong").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("wrong passphrase"), "{screen}");
    assert!(screen.contains("1 failed unlock"), "{screen}");
    assert!(screen.contains("Unlock the vault") && !screen.contains("•"), "form should stay open, emptied:\n{screen}");
    h.key(KeyCode::Esc).await;
    assert!(!h.screen80().contains("Unlock the vault"));

    // The audit pane lists what was done, newest first.
    h.key(KeyCode::Char('7')).await;
    let screen = h.screen80();
    for action in ["vault_init", "secret_add", "secret_reveal", "vault_lock", "vault_unlock"] {
        assert!(screen.contains(action), "{action} missing:\n{screen}");
    }
    assert!(screen.find("vault_unlock") < screen.find("vault_init"), "not newest first:\n{screen}");
    assert!(!screen.contains("CANARY"));

    // Enter opens the newest entry (the failed unlock) with its error.
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("failure") && screen.contains("error"), "{screen}");
    h.key(KeyCode::Esc).await;

    // Category filter narrows the list engine-side; `/` text does too.
    h.key(KeyCode::Char('c')).await; // vault
    let screen = h.screen80();
    assert!(screen.contains("category:vault") && !screen.contains("secret_add"), "{screen}");
    h.key(KeyCode::Char('C')).await;
    h.key(KeyCode::Char('/')).await;
    h.typ("ha_token").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("secret_add") && !screen.contains("vault_init"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn palette_errors_confirmation_history_and_filters() {
    let mut h = Harness::new().await;
    // serde's own error for a bad enum value.
    h.key(KeyCode::Char(':')).await;
    h.typ("audit_search category=nope").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("unknown variant") && screen.contains("nope"), "{screen}");
    h.key(KeyCode::Esc).await;

    // Dangerous commands ask first; `n` cancels.
    h.key(KeyCode::Char(':')).await;
    h.typ("audit_cleanup older_than_days=30").await;
    h.enter().await;
    assert!(h.screen80().contains("cannot be undone"));
    h.key(KeyCode::Char('n')).await;
    assert!(h.screen80().contains("cancelled"));

    // Secret arguments are prompted in a masked form.
    h.key(KeyCode::Char(':')).await;
    h.typ("vault_init").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("passphrase") && screen.contains("masked"), "{screen}");
    h.key(KeyCode::Esc).await;

    // History: Up brings back the last line.
    h.key(KeyCode::Char(':')).await;
    h.key(KeyCode::Up).await;
    assert!(h.screen80().contains(":vault_init"));
    h.key(KeyCode::Esc).await;

    // A structured answer from the palette opens its pane.
    h.key(KeyCode::Char(':')).await;
    h.typ("audit_search status=failure category=vault").await;
    h.enter().await;
    assert_eq!(h.driver.app.pane, PaneId::Audit);
    // The filter line says what the list shows.
    let screen = h.screen80();
    assert!(screen.contains("category:vault") && screen.contains("status:failure"), "{screen}");

    // `/` in the Secrets list filters rows locally; Esc clears.
    h.key(KeyCode::Char('6')).await;
    h.key(KeyCode::Char('/')).await;
    h.typ("zzz").await;
    assert!(h.screen80().contains("No secret matches") || h.screen80().contains("No vault yet"));
    h.key(KeyCode::Esc).await;
    assert!(h.driver.app.panes.secrets.list.filter.is_empty());

    // Help is generated from the keymap and the command table.
    h.key(KeyCode::Char('?')).await;
    let screen = h.screen(120, 50);
    // A key bound to an engine command shows that command's own doc line.
    assert!(screen.contains("secret_reveal") && screen.contains("Reveal a secret's value"), "{screen}");
    h.key(KeyCode::Esc).await;
    // The console's own :site word is listed with the commands, first.
    let (lines, starts) = homedeck::tui::help::Help::lines(&h.driver.app.theme, &h.driver.app.keymap, 80);
    let commands = starts.iter().find(|(name, _)| *name == "commands").map(|(_, at)| *at).unwrap();
    let first: String = lines[commands + 1].spans.iter().map(|s| s.content.as_ref()).collect();
    assert!(first.contains("site NAME") && first.contains("every pane"), "{first}");

    // q quits, but asks while engine work is running.
    h.driver.app.inflight = 1;
    h.driver.app.on_key(crossterm::event::KeyEvent::from(KeyCode::Char('q')));
    assert!(!h.driver.app.quit && h.screen80().contains("Quit anyway"));
    h.driver.app.on_key(crossterm::event::KeyEvent::from(KeyCode::Char('y')));
    assert!(h.driver.app.quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_pages_load_when_scrolling_past_the_end() {
    let mut h = Harness::new().await;
    // Failed unlocks without a vault are cheap and audited.
    for _ in 0..7 {
        let _ = h
            .engine
            .execute(Command::VaultUnlock { passphrase: homedeck::engine::SecretValue::new("x") }, tui_common::actor())
            .await;
    }
    h.driver.app.panes.audit.page_size = 3;
    h.key(KeyCode::Char('7')).await;
    h.key(KeyCode::Char('C')).await; // re-query with the small page size
    assert_eq!(h.driver.app.panes.audit.entries.len(), 3);
    for _ in 0..10 {
        h.key(KeyCode::Char('j')).await;
    }
    // The seven unlocks and the console's own `overview_seen` mark.
    assert_eq!(h.driver.app.panes.audit.entries.len(), 8);
    assert!(h.driver.app.panes.audit.next.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_mode_shows_the_engines_refusal() {
    let mut h = Harness::with(|o| o.readonly = true).await;
    assert!(h.screen80().contains("READ-ONLY"));
    h.key(KeyCode::Char('6')).await;
    h.key(KeyCode::Char('i')).await;
    h.typ("abcdefghijkl").await;
    h.enter().await;
    h.typ("abcdefghijkl").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("read-only"), "{screen}");
}
