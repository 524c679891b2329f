#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! docs/user-guide.md names only what the program has: every `homedeck …`
//! command line it shows walks a real path of clap subcommands, and every
//! engine verb it names in backticks (`vault_unlock`) is in the command table.

use clap::CommandFactory;
use homedeck::cli::args::Cli;
use homedeck::engine::COMMANDS;

fn guide() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/user-guide.md")).unwrap()
}

/// The `homedeck …` lines of the guide: inline code spans and lines of code blocks.
fn command_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            let l = line.trim_start().trim_start_matches("$ ");
            if l.starts_with("homedeck ") {
                out.push(l.to_string());
            }
            continue;
        }
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 && span.starts_with("homedeck ") {
                out.push(span.to_string());
            }
        }
    }
    out
}

/// Walk the words of one line down clap's tree; an unknown word where a
/// subcommand is required is the error.
fn check_line(root: &clap::Command, line: &str) -> Result<(), String> {
    let mut cmd = root;
    // `…` stands for "any subcommand" (`homedeck wled …`).
    let words = line.split_whitespace().skip(1).take_while(|w| !w.starts_with(['-', '[', '<', '{', '#', '…']) && !w.contains(['|', '>', '<', '"', '\'']));
    for word in words {
        match cmd.find_subcommand(word) {
            Some(sub) => cmd = sub,
            None if cmd.has_subcommands() && cmd.get_positionals().next().is_none() => {
                return Err(format!("`{line}`: `{}` has no subcommand {word:?}", cmd.get_name()));
            }
            None => break,
        }
    }
    Ok(())
}

#[test]
fn every_command_line_in_the_guide_exists() {
    let root = homedeck::cli::args::with_table_docs(Cli::command());
    let lines = command_lines(&guide());
    assert!(lines.len() > 40, "expected the guide's command lines, found {}", lines.len());
    let bad: Vec<String> = lines.iter().filter_map(|l| check_line(&root, l).err()).collect();
    assert!(bad.is_empty(), "the user guide names commands that do not exist:\n{}", bad.join("\n"));
}

#[test]
fn every_engine_verb_in_the_guide_exists() {
    let prefixes = ["vault", "secret", "audit", "security", "server", "tailscale", "esphome", "wled", "fpp", "lights", "backup", "deploy", "ha", "scheduler", "daemon", "site"];
    let text = guide();
    let mut bad = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        let word = span.split_whitespace().next().unwrap_or("");
        let looks_like_verb = i % 2 == 1
            && word.contains('_')
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && prefixes.iter().any(|p| word.starts_with(&format!("{p}_")));
        if looks_like_verb && !COMMANDS.iter().any(|c| c.name == word) && !NOT_VERBS.contains(&word) {
            bad.push(word.to_string());
        }
    }
    assert!(bad.is_empty(), "the user guide names engine verbs that do not exist: {bad:?}");
}

/// Words of the verbs' shape that are not verbs: audit actions the engine
/// records on its own (`daemon_connect`: a refused socket connection;
/// `remote_attach`: an SSH tunnel to another site's daemon), and a
/// backup source kind.
const NOT_VERBS: &[&str] = &["wled_schedule_missed", "backup_schedule_missed", "schedule_waiting", "ha_config", "daemon_connect", "remote_attach", "backup_restore_rollback", "backup_restore_preview",
    // alert rule kinds (docs: Alerts), not verbs
    "server_down", "server_degraded", "esphome_offline", "wled_offline", "fpp_offline", "backup_failed", "backup_overdue", "backup_verify_failed", "secret_rotation_due", "secret_rotation_overdue", "vault_brute_force"];

#[test]
fn the_checker_catches_a_wrong_command() {
    let root = homedeck::cli::args::with_table_docs(Cli::command());
    assert!(check_line(&root, "homedeck secret list").is_ok());
    assert!(check_line(&root, "homedeck esphome logs kitchen porch --level debug").is_ok());
    assert!(check_line(&root, "homedeck secret lsit").is_err());
    assert!(check_line(&root, "homedeck daemonize").is_err());
    // A shell comment after a command is not a subcommand.
    assert!(check_line(&root, "homedeck daemon   # foreground").is_ok());
}

/// The keymap section(s) a heading of the guide describes keys of.
fn sections_of(heading: &str) -> Option<&'static [&'static str]> {
    let h = heading.trim_start_matches('#').trim();
    let table: &[(&str, &[&str])] = &[
        ("First run", &["servers", "esphome", "secrets"]),
        ("The console", &["secrets", "audit", "security", "alerts"]),
        // Global keys only (`?`): the lookup falls back to them everywhere.
        ("Themes and key bindings", &[]),
        ("Sites", &["servers", "esphome", "lights", "backups", "deployments"]),
        ("Alerts", &["alerts"]),
        ("AI clients over MCP", &["audit"]),
        ("Servers", &["servers"]),
        ("ESPHome", &["esphome"]),
        ("Lights", &["lights"]),
        ("Backups", &["backups"]),
        ("Deployments", &["deployments"]),
        ("The AI pane", &["ai", "ai_list"]),
    ];
    table.iter().find(|(p, _)| h.starts_with(p)).map(|(_, s)| *s)
}

/// Keys the guide names that are typed into a text editor or a dialog,
/// not looked up in the keymap: the configuration editor's keys and the
/// y/n of a confirmation.
const EDITOR_KEYS: &[char] = &['y', 'n'];

/// One-character code spans that are values, not keys, under a heading:
/// `-` (a site name's characters, "none"), `0` (a zero duration).
const NOT_KEYS: &[(&str, &str)] = &[("## Sites", "-"), ("## Alerts", "0")];

/// A code span naming a key: one character, or a named key.
fn key_of(span: &str) -> Option<crossterm::event::KeyCode> {
    use crossterm::event::KeyCode;
    let named = match span {
        "Enter" => Some(KeyCode::Enter),
        "Esc" => Some(KeyCode::Esc),
        "Tab" => Some(KeyCode::Tab),
        "PgUp" => Some(KeyCode::PageUp),
        "PgDn" => Some(KeyCode::PageDown),
        _ => None,
    };
    let mut chars = span.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphanumeric() || "/?:+-=<>".contains(c) => Some(KeyCode::Char(c)),
        _ => named,
    }
}

#[test]
fn every_key_the_guide_names_is_bound_where_it_says() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use homedeck::tui::keymap::Keymap;
    use homedeck::tui::panes::SECTIONS;
    let keymap = Keymap::default();
    let text = guide();
    let mut current: Option<&[&str]> = None;
    let mut checked = 0;
    let mut bad = Vec::new();
    let mut in_block = false;
    let mut heading = "";
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        }
        if in_block {
            continue;
        }
        if line.starts_with("## ") || line.starts_with("### ") {
            if line.starts_with("## ") {
                current = sections_of(line);
                heading = line;
            }
            continue;
        }
        let Some(sections) = current else { continue };
        // Key tables and prose alike: a one-character code span, or a named
        // key (Enter, Esc, Tab, PgUp, PgDn), is a key.
        for (i, span) in line.split('`').enumerate() {
            let Some(code) = key_of(span) else { continue };
            let editor = matches!(code, KeyCode::Char(c) if EDITOR_KEYS.contains(&c));
            let value = NOT_KEYS.iter().any(|(h, k)| heading.starts_with(h) && *k == span);
            if i % 2 == 0 || editor || value {
                continue;
            }
            checked += 1;
            let ev = KeyEvent::new(code, KeyModifiers::NONE);
            let global = keymap.action(None, &ev).is_some();
            let bound = global
                || sections
                    .iter()
                    .filter_map(|name| SECTIONS.iter().copied().find(|s| s.name == *name))
                    .any(|s| keymap.action(Some(s), &ev).is_some());
            if !bound {
                bad.push(format!("`{span}` ({}): {line}", sections.join("/")));
            }
        }
    }
    assert!(checked > 150, "expected the guide's keys, found {checked}");
    assert!(bad.is_empty(), "the user guide names keys that are not bound there:\n{}", bad.join("\n"));
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The README is the first thing a newcomer reads: its commands exist, and
/// its screens are the program's (the tab bar starts at the Overview, 0,
/// where the console opens), not an older layout.
#[test]
fn the_readme_names_what_the_program_has() {
    let root = homedeck::cli::args::with_table_docs(Cli::command());
    let text = readme();
    let lines = command_lines(&text);
    assert!(lines.len() > 10, "expected the README's command lines, found {}", lines.len());
    let bad: Vec<String> = lines.iter().filter_map(|l| check_line(&root, l).err()).collect();
    assert!(bad.is_empty(), "the README names commands that do not exist:\n{}", bad.join("\n"));
    assert!(text.contains("opens on the Overview (0)"), "the README must say where the console opens");
    let tab_bars: Vec<&str> = text.lines().filter(|l| l.contains("1:Ser")).collect();
    assert!(tab_bars.len() >= 3, "the README's screens: {tab_bars:?}");
    for bar in tab_bars {
        assert!(bar.starts_with("0:Ov"), "a README screen from before the Overview: {bar}");
    }
    assert!(!text.contains("not built yet"), "the README says panes are not built yet");
    assert!(!text.contains("@@"), "a placeholder left in the README");
}
