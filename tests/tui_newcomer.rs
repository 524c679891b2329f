//! What a newcomer met at 80×24 (issue 15), through the real loop: the
//! palette asking for a secret before checking the rest, pre-filled
//! fields that appended, messages cut at the edge, help and hints that
//! ignored the keymap, dead keys, the locked vault as a dead end, and a
//! first screen that did not say where to start.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod tui_common;
mod common;
mod backup_common;

use crossterm::event::KeyCode;
use homedeck::engine::views::vault::SecretKind;
use homedeck::engine::{Command, Outcome, SecretValue, VaultOutcome};
use homedeck::tui::app::Overlay;
use homedeck::tui::keymap::Keymap;
use tui_common::Harness;

const PASS: &str = "correct horse battery";
const VALUE: &str = "value-CANARY-15";

async fn with_vault(unlocked: bool) -> Harness {
    let mut h = Harness::new().await;
    h.exec(Command::VaultInit { passphrase: SecretValue::new(PASS) }).await;
    h.exec(Command::SecretAdd {
        name: "mqtt".into(),
        kind: SecretKind::Password,
        value: SecretValue::new("old"),
        rotation_days: Some(90),
        note: None,
    })
    .await;
    if !unlocked {
        h.exec(Command::VaultLock {}).await;
    }
    h.key(KeyCode::Char('6')).await;
    h
}

async fn secret_names(h: &Harness) -> Vec<String> {
    match h.exec(Command::SecretList {}).await {
        Outcome::Vault(VaultOutcome::Secrets { secrets }) => secrets.into_iter().map(|s| s.name).collect(),
        other => panic!("unexpected {other:?}"),
    }
}

/// The screen's words in order, borders and wrapping gone.
fn flat(screen: &str) -> String {
    screen.replace(['│', '╭', '╮', '╰', '╯', '─'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn form(h: &Harness) -> &homedeck::tui::form::Form {
    match &h.driver.app.overlay {
        Some(Overlay::Form(f)) => f,
        _ => panic!("no form open"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_palette_opens_one_form_and_checks_it_before_taking_the_secret() {
    let mut h = with_vault(true).await;
    h.key(KeyCode::Char(':')).await;
    h.typ("secadd").await;
    h.key(KeyCode::Tab).await;
    h.enter().await;
    // One form with every argument, opened on the first empty one.
    let screen = h.screen80();
    for field in ["name:", "kind:", "value:", "rotation_days:", "note:"] {
        assert!(screen.contains(field), "{field} missing:\n{screen}");
    }
    // Type only the value and submit: the missing name is said, focus
    // goes to it, and the value stays (masked) for the next try.
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Down).await;
    h.typ(VALUE).await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Down).await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("missing field") && screen.contains("name"), "{screen}");
    assert!(!screen.contains("CANARY") && screen.contains("•••"), "{screen}");
    assert_eq!(form(&h).focus, 0, "focus on the name field");
    h.typ("ha_token").await;
    h.enter().await;
    h.typ("token").await;
    for _ in 0..4 {
        h.enter().await;
    }
    assert!(secret_names(&h).await.contains(&"ha_token".to_string()), "{}", h.screen80());
    assert!(!h.screen80().contains("CANARY"));
}

/// An optional secret (a plain source's backup password) left empty is
/// not given: the palette's form runs the command, it does not insist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_optional_secret_left_empty_runs_without_it() {
    use homedeck::engine::BackupOutcome;
    let mut h = with_vault(true).await;
    let src = h.dir.path().join("plain");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "hello").unwrap();
    let plain = backup_common::source_add("plain", "dir", &src);
    h.exec(backup_common::with(plain, |c| {
        if let Command::BackupSourceAdd { encrypt, .. } = c {
            *encrypt = Some(false);
        }
    }))
    .await;
    h.key(KeyCode::Char(':')).await;
    h.typ("backup_create source=plain").await;
    h.enter().await;
    let screen = h.screen80();
    assert_eq!(form(&h).fields[form(&h).focus].label, "password", "{screen}");
    // Enter on the last field submits it, password left empty.
    h.enter().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        h.settle().await;
        let Outcome::Backup(BackupOutcome::BackupCatalog { entries }) = h.exec(Command::BackupList { source: None }).await else {
            panic!("backup_list answered something else")
        };
        if entries.len() == 1 {
            assert!(entries[0].key.is_none(), "a plain source made an encrypted archive: {entries:?}");
            break;
        }
        let screen = h.screen80();
        assert!(!screen.contains("password is empty"), "an optional password was insisted on:\n{screen}");
        assert!(std::time::Instant::now() < deadline, "no backup after 60 s:\n{screen}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_vault_is_unlocked_first_then_the_action_carries_on() {
    let mut h = with_vault(false).await;
    // The palette: unlock before any value is asked for.
    h.key(KeyCode::Char(':')).await;
    h.typ("secret_add name=x kind=token").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("Unlock the vault") && flat(&screen).contains("carries on with secret_add"), "{screen}");
    assert!(!screen.contains("value:"), "value asked before the unlock:\n{screen}");
    h.typ(PASS).await;
    h.enter().await;
    // Then the form, with what the line said filled in, on the value.
    let screen = h.screen80();
    assert!(screen.contains("▌ x") && screen.contains("▌ token"), "{screen}");
    assert_eq!(form(&h).fields[form(&h).focus].label, "value");
    h.key(KeyCode::Esc).await;

    // `a` in the pane likewise unlocks before the add form, not after it.
    h.exec(Command::VaultLock {}).await;
    h.settle().await;
    h.key(KeyCode::Char('a')).await;
    let screen = h.screen80();
    assert!(screen.contains("Unlock the vault") && !screen.contains("Value:"), "{screen}");
    h.typ(PASS).await;
    h.enter().await;
    assert!(h.screen80().contains("Add a secret"), "{}", h.screen80());
    h.key(KeyCode::Esc).await;

    // A key: `r` on a locked vault offers the unlock, then reveals.
    h.exec(Command::VaultLock {}).await;
    h.key(KeyCode::Char('r')).await;
    let screen = h.screen80();
    assert!(screen.contains("Unlock the vault") && flat(&screen).contains("carries on with secret_reveal"), "{screen}");
    h.typ(PASS).await;
    h.enter().await;
    assert!(h.screen80().contains("Revealed: mqtt"), "{}", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefilled_fields_are_replaced_and_errors_keep_focus_and_input() {
    let mut h = with_vault(true).await;
    // Rotation days open at 90; typing 0 gives 0, not 900.
    h.key(KeyCode::Char('t')).await;
    assert!(h.screen80().contains("90"));
    h.typ("0").await;
    h.enter().await;
    match h.exec(Command::SecretList {}).await {
        Outcome::Vault(VaultOutcome::Secrets { secrets }) => {
            assert_eq!(secrets[0].rotation_days.unwrap_or(0), 0, "rotation should be off");
        }
        other => panic!("{other:?}"),
    }
    // A bad name keeps focus on the name and everything typed.
    h.key(KeyCode::Char('a')).await;
    h.typ("bad name!").await;
    h.enter().await;
    h.enter().await;
    h.typ(VALUE).await;
    h.enter().await;
    h.typ("30").await;
    h.enter().await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("secret name") && screen.contains("bad name!"), "{screen}");
    assert_eq!(form(&h).focus, 0);
    assert!(screen.contains("•••••") && screen.contains("▌ 30"), "typed fields were lost:\n{screen}");
    h.typ("good_name").await;
    for _ in 0..5 {
        h.enter().await;
    }
    assert!(secret_names(&h).await.contains(&"good_name".to_string()));
}

/// A palette error (serde's list of what a field takes is long) wraps
/// under the line instead of running off at 80 columns, and reaches the
/// messages log whole like every other error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn palette_errors_wrap_and_reach_the_messages_log() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char(':')).await;
    h.typ("audit_search category=not_a_category").await;
    h.enter().await;
    let logged = h.driver.app.messages.list.back().map(|m| m.text.clone()).unwrap_or_default();
    let err = logged.strip_prefix("palette: ").unwrap_or_else(|| panic!("no palette error in the log: {logged:?}"));
    assert!(err.contains("not_a_category") && err.len() > 80, "{err}");
    let screen = h.screen80();
    assert!(matches!(h.driver.app.overlay, Some(Overlay::Palette(_))), "the palette closed:\n{screen}");
    let words: Vec<&str> = err.split_whitespace().collect();
    let flat_screen = flat(&screen);
    // The start is on screen, and then the end, or the pointer to the log.
    assert!(flat_screen.contains(&words[..4].join(" ")), "{screen}");
    let tail = words[words.len() - 3..].join(" ");
    assert!(flat_screen.contains(&tail) || flat_screen.contains("m shows it all"), "cut at the edge:\n{screen}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('m')).await;
    let screen = h.screen(200, 50);
    assert!(flat(&screen).contains(&words.join(" ")), "not in full in the log:\n{screen}");
    // Each message says when, and in which pane.
    let at = h.driver.app.messages.list.back().unwrap().at.with_timezone(&chrono::Local).format("%H:%M:%S").to_string();
    let pane = h.driver.app.pane.title();
    assert!(screen.lines().any(|l| l.contains(&format!("{at} {pane}")) && l.contains("palette:")), "no time and pane:\n{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_messages_wrap_and_the_log_keeps_them_whole() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char(':')).await;
    h.typ("wled_add address=127.0.0.1:9").await;
    h.enter().await;
    let (text, _) = h.driver.app.status.clone().expect("an error is shown");
    assert!(text.len() > 60, "{text}");
    // Every word of the message is on screen (wrapped, not cut).
    let screen = h.screen80();
    let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat(&screen).contains(&want) || flat(&screen).contains("shows it all"), "cut:\n{screen}");
    // `m` shows the log with the pane and the full text.
    h.key(KeyCode::Char('m')).await;
    let screen = h.screen(160, 40);
    assert!(screen.contains("Messages") && screen.contains("Servers") && screen.contains("wled_add"), "{screen}");
    assert!(flat(&screen).contains(&want), "not in full:\n{screen}");
    h.key(KeyCode::Esc).await;
    assert!(h.driver.app.overlay.is_none());

    // Longer than three rows: the third ends with a pointer to the log.
    let long = "word ".repeat(80);
    h.driver.app.say(long.trim(), homedeck::tui::app::Level::Error);
    let screen = h.screen80();
    let rows: Vec<&str> = screen.lines().collect();
    assert!(rows[23].ends_with("m shows it all") && rows[21].contains("word"), "{screen}");
    assert!(rows[20].starts_with('╰'), "the pane gives up rows to the message:\n{screen}");
}

/// More than [`KEEP`] messages, each the engine's refusal of a palette
/// command typed key by key (`:server_show name=zzNNN`, no such server):
/// the log keeps the newest KEEP in order and drops the oldest, and
/// `m` then `g`/`G` show the first and last kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_messages_log_keeps_the_newest_200_in_order() {
    use homedeck::tui::messages::KEEP;
    let mut h = Harness::new().await;
    let total = KEEP + 25;
    for i in 0..total {
        h.key(KeyCode::Char(':')).await;
        h.typ(&format!("server_show name=zz{i:03}")).await;
        h.enter().await;
        assert!(h.driver.app.overlay.is_none(), "the palette stayed open on line {i}");
    }
    let texts: Vec<String> = h.driver.app.messages.list.iter().map(|m| m.text.clone()).collect();
    assert_eq!(texts.len(), KEEP, "{texts:?}");
    let ours: Vec<usize> = texts
        .iter()
        .map(|t| t.find("zz").and_then(|at| t.get(at + 2..at + 5)?.parse().ok()).unwrap_or_else(|| panic!("not one of ours: {t}")))
        .collect();
    assert_eq!(ours, (total - KEEP..total).collect::<Vec<_>>(), "oldest dropped, newest kept in order");
    // Through the view: newest at the bottom on opening, the oldest kept at the top after `g`.
    h.key(KeyCode::Char('m')).await;
    let screen = h.screen(160, 40);
    assert!(screen.contains(&format!("Messages ({KEEP} kept")), "{screen}");
    assert!(screen.contains(&format!("zz{:03}", total - 1)) && !screen.contains(&format!("zz{:03}", total - KEEP)), "{screen}");
    h.key(KeyCode::Char('g')).await;
    let screen = h.screen(160, 40);
    let first = format!("zz{:03}", total - KEEP);
    let dropped = format!("zz{:03}", total - KEEP - 1);
    assert!(screen.contains(&first) && !screen.contains(&dropped), "{screen}");
    h.key(KeyCode::Char('G')).await;
    assert!(h.screen(160, 40).contains(&format!("zz{:03}", total - 1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_opens_on_the_pane_and_keys_follow_the_keymap() {
    let mut h = Harness::new().await;
    h.driver.app.keymap = Keymap::parse_over(Keymap::default(), "keymap.toml", "[global]\nquit = [\"Q\"]\n").unwrap();
    let screen = h.screen80();
    assert!(screen.contains("Q quit") && !screen.contains("q quit"), "{screen}");

    // Lights: help opens on its section; g/G move inside it.
    h.key(KeyCode::Char('4')).await;
    h.key(KeyCode::Char('?')).await;
    let screen = h.screen80();
    assert!(screen.contains("[lights]") && !screen.contains("[global]"), "{screen}");
    h.key(KeyCode::Char('G')).await;
    let last = homedeck::engine::COMMANDS.last().unwrap().name;
    assert!(h.screen80().contains(last), "G goes to the end:\n{}", h.screen80());
    h.key(KeyCode::Char('g')).await;
    assert!(h.screen80().contains("[global]"));
    // No two columns run together, at 80 columns either.
    let screen = h.screen80();
    assert!(!screen.contains("timestampsLogs"), "{screen}");
    h.key(KeyCode::Esc).await;

    // A key with nothing to act on says why; `a` adds here as elsewhere.
    h.key(KeyCode::Char(' ')).await;
    assert!(h.screen80().contains("no light selected"), "{}", h.screen80());
    h.key(KeyCode::Char('a')).await;
    assert!(h.screen80().contains("Add a light"), "{}", h.screen80());
    h.key(KeyCode::Esc).await;

    // Hints are cut between hints, never inside one.
    h.key(KeyCode::Char('2')).await;
    let screen = h.screen80();
    let hint = screen.lines().find(|l| l.contains("↵ open")).unwrap_or_default();
    assert!(hint.trim_end_matches(['│', ' ']).ends_with("config"), "{screen}");
    // …and a key about a deployment, with none, says so.
    h.key(KeyCode::Char('S')).await;
    assert!(flat(&h.screen80()).contains("deploy_stop: no deployment selected"), "{}", h.screen80());
    // A key the pane has no use for at all says so too (`a` on the
    // Overview, where the console opens), naming the help key.
    h.key(KeyCode::Char('0')).await;
    h.key(KeyCode::Char('a')).await;
    assert!(flat(&h.screen80()).contains("a: no key in Overview — ? lists this pane's keys"), "{}", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_screen_says_where_to_start() {
    let mut h = Harness::new().await;
    let screen = h.screen80();
    assert!(screen.contains("Welcome to homedeck") && screen.contains("create the vault"), "{screen}");
    // One key, from the first screen.
    h.key(KeyCode::Char('i')).await;
    let screen = h.screen80();
    assert!(screen.contains("Create the vault") && screen.contains("at least 8 characters"), "{screen}");
    h.typ("short").await;
    h.enter().await;
    h.typ("short").await;
    h.enter().await;
    assert!(h.screen80().contains("shorter than 8"), "{}", h.screen80());
    h.typ(PASS).await;
    h.enter().await;
    h.typ(PASS).await;
    h.enter().await;
    let screen = h.screen80();
    assert!(!screen.contains("Welcome to homedeck") && screen.contains("Only this machine"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esphome_form_error_points_at_its_field() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('3')).await;
    h.key(KeyCode::Char('a')).await;
    h.typ("kitchen").await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Down).await;
    h.typ("60x3").await;
    // Through API key, OTA password, platform and site to submit.
    for _ in 0..5 {
        h.enter().await;
    }
    let screen = h.screen80();
    assert!(screen.contains("the host is empty") && screen.contains("▌ 60x3"), "{screen}");
    assert_eq!(form(&h).focus, 1);
    h.typ("127.0.0.1").await;
    for _ in 0..6 {
        h.enter().await;
    }
    let screen = h.screen80();
    assert!(screen.contains("port \"60x3\"") && screen.contains("▌ kitchen"), "{screen}");
    assert_eq!(form(&h).focus, 2);
}

/// At 200 columns the Servers NAME column is as wide as the longest name
/// (at most 32), not 64 columns of mostly nothing; the room goes to TAGS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_name_column_fits_its_names_at_200_columns() {
    let mut h = Harness::new().await;
    h.exec(tui_common::server("pi-garage", None)).await;
    h.key(KeyCode::Char('1')).await;
    h.settle().await;
    let screen = h.screen(200, 30);
    let header = screen.lines().find(|l| l.contains("NAME") && l.contains("STATE")).unwrap_or_else(|| panic!("no header:\n{screen}"));
    let gap = header.find("STATE").unwrap() - header.find("NAME").unwrap();
    // "pi-garage" is 9 wide: NAME takes 9 and a column gap, nowhere near 64.
    assert!((9..=12).contains(&gap), "NAME column {gap} wide:\n{header}");
}
