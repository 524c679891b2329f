//! The files a user (or whoever can write to their config dir) hands
//! homedeck: config.toml, keymap.toml and themes/*.toml — from the shipped
//! defaults and built-in themes, mutated as bytes. Each is either read or
//! refused with a message that says where (line, key, section, file).

use crate::support::{self, mutated_text, names_something};
use homedeck::config::Config;
use homedeck::tui::keymap::Keymap;
use homedeck::tui::theme::Theme;
use proptest::prelude::*;
use std::sync::OnceLock;

fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// The config.toml homedeck writes on first run, and a filled-in one.
fn configs() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    Config::load_or_create(&path).unwrap();
    let default = std::fs::read_to_string(&path).unwrap();
    let uncommented: String = default.lines().map(|l| l.strip_prefix("# ").filter(|r| r.contains(" = ")).unwrap_or(l)).collect::<Vec<_>>().join("\n");
    vec![default, uncommented]
}

fn keymaps() -> Vec<String> {
    vec![
        "[global]\nquit = [\"Q\"]\n".into(),
        "[global]\nquit = [\"ctrl+q\", \"Q\"]\nhelp = [\"F1\"]\n\n[vault]\nreveal = [\"R\"]\n".into(),
        "[lights]\nwled_add = [\"A\"]\n".into(),
    ]
}

fn themes() -> Vec<String> {
    ["dark", "light", "16color"].iter().map(|t| std::fs::read_to_string(support::root().join(format!("themes/{t}.toml"))).unwrap()).collect()
}

proptest! {
    #![proptest_config(support::config(1000))]

    #[test]
    fn config_toml(text in mutated_text(configs())) {
        if let Err(e) = Config::parse(&text) {
            let msg = format!("{e:#}");
            prop_assert!(names_something(&msg, &["line", "expected", "missing field", "unknown field"]), "{msg:?}");
        }
    }

    #[test]
    fn keymap_toml(text in mutated_text(keymaps())) {
        static BASE: OnceLock<Keymap> = OnceLock::new();
        if let Err(e) = Keymap::parse_over(BASE.get_or_init(Keymap::default).clone(), "keymap.toml", &text) {
            let msg = format!("{e:#}");
            prop_assert!(msg.contains("keymap.toml"), "{msg:?} does not name the file");
        }
    }

    #[test]
    fn theme_toml(text in mutated_text(themes())) {
        let dir = scratch();
        std::fs::write(dir.join("fuzzed.toml"), &text).unwrap();
        if let Err(e) = Theme::load("fuzzed", dir) {
            let msg = format!("{e:#}");
            prop_assert!(msg.contains("fuzzed"), "{msg:?} does not name the theme or its file");
        }
    }
}
