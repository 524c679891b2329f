//! Key bindings that name engine commands, through the real loop: a user
//! keymap naming an engine command, one using an action name from before
//! bindings named commands, and the help showing a command's doc line.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::views::vault::SecretKind;
use homedeck::engine::{COMMANDS, Command, SecretValue};
use homedeck::tui::help::Help;
use homedeck::tui::keymap::{Keymap, Verb};
use homedeck::tui::panes::SECTIONS;
use homedeck::tui::panes::esphome::View;
use homedeck::tui::theme::Theme;
use tui_common::Harness;

const VALUE: &str = "value-CANARY-7";

/// A user's keymap.toml: one engine command by name, one old action name.
const USER: &str = r#"
[secrets]
secret_reveal = ["v"]

[esphome]
esphome_firmware = ["W"]
"#;

async fn harness() -> Harness {
    let mut h = Harness::new().await;
    h.driver.app.keymap = Keymap::parse_over(Keymap::default(), "keymap.toml", USER).unwrap();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_binding_naming_an_engine_command_runs_it() {
    let mut h = harness().await;
    h.exec(Command::VaultInit { passphrase: SecretValue::new("correct horse battery") }).await;
    h.exec(Command::SecretAdd {
        name: "ha_token".into(),
        kind: SecretKind::Token,
        value: SecretValue::new(VALUE),
        rotation_days: None,
        note: None,
    })
    .await;
    h.key(KeyCode::Char('6')).await;
    assert!(h.screen80().contains("ha_token"), "{}", h.screen80());

    // The default key of secret_reveal was replaced by the user's.
    h.key(KeyCode::Char('r')).await;
    assert!(!h.screen80().contains(VALUE));
    h.key(KeyCode::Char('v')).await;
    assert!(h.screen80().contains(VALUE), "{}", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_action_name_in_a_user_file_still_works() {
    let mut h = harness().await;
    h.key(KeyCode::Char('3')).await;
    assert_eq!(h.driver.app.panes.esphome.view, View::Devices);
    // `esphome_firmware` is read as the engine command esphome_firmware_list.
    h.key(KeyCode::Char('F')).await;
    assert_eq!(h.driver.app.panes.esphome.view, View::Devices, "F was rebound to W");
    h.key(KeyCode::Char('W')).await;
    assert_eq!(h.driver.app.panes.esphome.view, View::Firmware);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_shows_the_engine_commands_doc_line() {
    let mut h = harness().await;
    // Help opens on the section of the pane in front.
    h.key(KeyCode::Char('6')).await;
    h.key(KeyCode::Char('?')).await;
    let screen = h.screen(120, 50);
    let doc = COMMANDS.iter().find(|c| c.name == "secret_reveal").unwrap().summary();
    let line = screen.lines().find(|l| l.contains("secret_reveal") && l.contains(" v ")).unwrap_or_default();
    assert!(line.contains(&doc[..30]), "{screen}");

    // Every binding to a command, in every section, shows its doc line.
    let theme = Theme::builtin("dark").unwrap();
    let text: Vec<String> = Help::lines(&theme, &h.driver.app.keymap, 400)
        .0
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    for section in SECTIONS {
        for (verb, _) in h.driver.app.keymap.section(section) {
            if let Verb::Command(spec) = verb {
                assert!(
                    text.iter().any(|l| l.contains(&format!(" {} ", spec.name)) && l.ends_with(spec.summary())),
                    "no help line for {} with its doc line",
                    spec.name
                );
            }
        }
    }
}

/// A pane's hint line and its empty-state text name the user's key, not the
/// default one (issue 15 item 9: hints follow the keymap).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pane_hints_name_the_users_keys() {
    let mut h = Harness::new().await;
    let mine = "[servers]\nserver_add = [\"N\"]\n\n[backups]\nbackup_source_add = [\"W\"]\n";
    h.driver.app.keymap = Keymap::parse_over(Keymap::default(), "keymap.toml", mine).unwrap();
    h.key(KeyCode::Char('1')).await;
    let screen = h.screen80();
    let hint = screen.lines().rev().find(|l| l.contains("enter open")).unwrap_or_else(|| panic!("no hint line:\n{screen}"));
    assert!(hint.contains("N add") && !hint.contains("a add"), "{hint}");
    h.key(KeyCode::Char('5')).await;
    let screen = h.screen80();
    let hint = screen.lines().rev().find(|l| l.contains("back up")).unwrap_or_else(|| panic!("no hint line:\n{screen}"));
    assert!(hint.contains("W add") && !hint.contains("a add"), "{hint}");
    assert!(screen.contains("Press W to add one"), "the empty state names the default key:\n{screen}");
}
