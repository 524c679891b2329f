//! Key bindings as data (yazi/helix style): an embedded default keymap —
//! `assets/keymap-default.toml` for `[global]`, and each pane's own
//! `assets/keys/<module>.toml` embedded by its row of `panes!`
//! ([`DEFAULT_KEYS`]) — with the user's `keymap.toml` merged over it binding
//! by binding. A binding names one of three things:
//!
//! - an engine command (`secret_reveal`, `backup_create`): the verb is the
//!   engine's own, so `?` shows the command's doc line from `COMMANDS`, and
//!   the pane fills its arguments from the selection (a form or a
//!   confirmation where the command needs more);
//! - a navigation or view action of the console itself ([`Nav`]: up, down,
//!   filter, help, pane switch …), the only actions this file declares;
//! - a view action of one pane (`server_mark`, `lights_brighter`): declared
//!   by the pane beside its code ([`SectionSpec`]), for keys that change what
//!   the pane shows or run a command with arguments the key implies.
//!
//! Sections scope bindings: a pane's own section is looked up before
//! `[global]`, so `r` can mean `secret_reveal` in Secrets and
//! `mark_resolved` on a security event. Names used before bindings named
//! engine commands (`backups_create`) are still read from user files.

use crate::engine::command::spec;
use crate::engine::CommandSpec;
use crate::tui::panes::{DEFAULT_KEYS, SECTIONS};
use anyhow::{Result, anyhow, bail};
use crossterm::event::KeyEvent;
use std::collections::BTreeMap;
use std::path::Path;

mod key;

pub use key::Key;

/// The header of the default keymap and its `[global]` section.
pub const DEFAULT: &str = include_str!("../../../assets/keymap-default.toml");

macro_rules! nav {
    ($($variant:ident = $name:literal, $desc:literal;)*) => {
        /// The console's own actions: moving around and opening views.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Nav { $($variant,)* }

        impl Nav {
            pub const ALL: &'static [Nav] = &[$(Nav::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Nav::$variant => $name,)* }
            }
            pub fn desc(self) -> &'static str {
                match self { $(Nav::$variant => $desc,)* }
            }
        }
    };
}

nav! {
    Quit = "quit", "Quit homedeck (asks if engine work is running)";
    Help = "help", "Show this help";
    Palette = "palette", "Open the command palette";
    Filter = "filter", "Filter the list (Esc clears)";
    Back = "back", "Back / close";
    NextPane = "next_pane", "Next pane";
    PrevPane = "prev_pane", "Previous pane";
    Pane0 = "pane_0", "Overview pane: is everything all right, what happened since you last looked";
    Pane1 = "pane_1", "Servers pane";
    Pane2 = "pane_2", "Deployments pane";
    Pane3 = "pane_3", "ESPHome pane";
    Pane4 = "pane_4", "Lights pane";
    Pane5 = "pane_5", "Backups pane";
    Pane6 = "pane_6", "Secrets pane";
    Pane7 = "pane_7", "Audit pane";
    Pane8 = "pane_8", "AI pane";
    Up = "up", "Move up";
    Down = "down", "Move down";
    Top = "top", "Go to the top";
    Bottom = "bottom", "Go to the bottom";
    PageUp = "page_up", "Page up";
    PageDown = "page_down", "Page down";
    Open = "open", "Open the selected row";
    Refresh = "refresh", "Reload from the engine";
    Messages = "messages", "Show the messages log: every notice and error in full, with time and pane";
    Alerts = "alerts", "Alerts view (in the Audit pane): open, acknowledged and resolved alerts; acknowledge, silence";
}

/// A pane's own action: a key that changes what the pane shows.
#[derive(Debug, PartialEq, Eq)]
pub struct ViewSpec {
    pub name: &'static str,
    pub desc: &'static str,
}

/// A keymap section: `[global]` or one a pane looks up before it, with the
/// view actions that may be bound there.
#[derive(Debug, PartialEq, Eq)]
pub struct SectionSpec {
    pub name: &'static str,
    pub views: &'static [ViewSpec],
}

pub type Section = &'static SectionSpec;

pub const GLOBAL: SectionSpec = SectionSpec { name: "global", views: &[] };

/// What a key does.
#[derive(Debug, Clone, Copy)]
pub enum Verb {
    Nav(Nav),
    Command(&'static CommandSpec),
    View(&'static ViewSpec),
}

impl PartialEq for Verb {
    fn eq(&self, other: &Verb) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Verb {}

impl Verb {
    /// The name bindings use: the engine command's, or the action's.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Nav(n) => n.name(),
            Verb::Command(c) => c.name,
            Verb::View(v) => v.name,
        }
    }

    /// One line for the help: an engine command's own doc line.
    pub fn desc(self) -> &'static str {
        match self {
            Verb::Nav(n) => n.desc(),
            Verb::Command(c) => c.summary(),
            Verb::View(v) => v.desc,
        }
    }

    /// What `name` means in `section` (old names included).
    pub fn resolve(section: Section, name: &str) -> Option<Verb> {
        let name = RENAMED.iter().find(|(old, _)| *old == name).map_or(name, |(_, new)| new);
        if let Some(n) = Nav::ALL.iter().find(|n| n.name() == name) {
            return Some(Verb::Nav(*n));
        }
        if let Some(v) = section.views.iter().find(|v| v.name == name) {
            return Some(Verb::View(v));
        }
        spec(name).map(Verb::Command)
    }
}

/// Action names of keymaps written before bindings named engine commands,
/// and the command each of those keys ran. Read from user files so their
/// keys keep working; the default keymap uses the new names.
pub const RENAMED: &[(&str, &str)] = &[
    ("server_cancel", "server_exec_cancel"),
    ("server_health_now", "server_health"),
    ("esphome_logs", "esphome_logs_start"),
    ("esphome_bulk", "esphome_ota_bulk"),
    ("esphome_cancel", "esphome_ota_cancel"),
    ("esphome_import", "esphome_firmware_import"),
    ("esphome_firmware", "esphome_firmware_list"),
    ("backups_create", "backup_create"),
    ("backups_verify", "backup_verify"),
    ("backups_restore", "backup_restore"),
    ("backups_diff", "backup_diff"),
    ("backups_cancel", "backup_cancel"),
    ("backups_add", "backup_source_add"),
    ("backups_watch", "backup_snapshot_watch"),
    ("backups_remove", "backup_source_remove"),
    ("deploy_check", "deploy_config_check"),
    ("deploy_edit", "deploy_config_read"),
];

/// The merged bindings: section name → (what, keys), in the order of the
/// default file (TOML tables come back sorted, so the order is restored
/// from the default text; bindings only a user file has come last).
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<&'static str, Vec<(Verb, Vec<Key>)>>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The embedded defaults always parse (unit-tested); empty is the typed fallback.
        DEFAULT_KEYS
            .iter()
            .try_fold(Keymap { bindings: BTreeMap::new() }, |km, text| Keymap::parse_over(km, "built-in keymap", text))
            .unwrap_or(Keymap { bindings: BTreeMap::new() })
    }
}

/// Where `name` is bound in `section` of the default files (for ordering).
fn default_rank(section: &str, name: &str) -> usize {
    let header = format!("[{section}]\n");
    let Some((text, start)) = DEFAULT_KEYS.iter().find_map(|t| Some((*t, t.find(&header)?))) else { return usize::MAX };
    let body = &text[start + header.len()..];
    let body = &body[..body.find("\n[").unwrap_or(body.len())];
    body.lines().position(|l| l.split('=').next().is_some_and(|k| k.trim() == name)).unwrap_or(usize::MAX)
}

impl Keymap {
    /// The defaults with `path` merged over them, if it exists.
    pub fn load(path: &Path) -> Result<Keymap> {
        let base = Keymap::default();
        if !path.is_file() {
            return Ok(base);
        }
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
        Keymap::parse_over(base, &path.display().to_string(), &text)
    }

    /// Lay `text` over `base`: each binding listed replaces that binding's keys.
    pub fn parse_over(mut base: Keymap, origin: &str, text: &str) -> Result<Keymap> {
        let file: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim()))?;
        for (sec_name, entries) in file {
            let Some(section) = SECTIONS.iter().copied().find(|s| s.name == sec_name) else {
                let names: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
                bail!("{origin}: unknown section [{sec_name}] — expected one of {}", names.join(", "));
            };
            let bound = base.bindings.entry(section.name).or_default();
            for (name, keys) in entries {
                let Some(verb) = Verb::resolve(section, &name) else {
                    bail!(
                        "{origin}: [{sec_name}] unknown action {name:?} — expected an engine command (see `?` or `:` in homedeck), a navigation action or one of this section's actions"
                    );
                };
                let keys = keys
                    .iter()
                    .map(|k| Key::parse(k).map_err(|e| anyhow!("{origin}: [{sec_name}] {name}: {e}")))
                    .collect::<Result<Vec<_>>>()?;
                match bound.iter_mut().find(|(v, _)| *v == verb) {
                    Some((_, ks)) => *ks = keys,
                    None => bound.push((verb, keys)),
                }
            }
            bound.sort_by_key(|(v, _)| default_rank(section.name, v.name()));
        }
        Ok(base)
    }

    /// What `ev` does in `section` (falling back to global).
    pub fn action(&self, section: Option<Section>, ev: &KeyEvent) -> Option<Verb> {
        let key = Key::from_event(ev);
        let find = |s: &str| self.bindings.get(s).and_then(|m| m.iter().find(|(_, ks)| ks.contains(&key)).map(|(v, _)| *v));
        section.and_then(|s| find(s.name)).or_else(|| find(GLOBAL.name))
    }

    /// Bindings of one section, for the help screen and hint lines.
    pub fn section(&self, section: Section) -> Vec<(Verb, &[Key])> {
        self.bindings.get(section.name).map(|m| m.iter().map(|(v, k)| (*v, k.as_slice())).collect()).unwrap_or_default()
    }

    /// The first key bound to `name` in `section` (or global), as shown in hints.
    pub fn key_for(&self, section: Section, name: &str) -> String {
        [section.name, GLOBAL.name]
            .iter()
            .filter_map(|s| self.bindings.get(s)?.iter().find(|(v, _)| v.name() == name)?.1.first())
            .next()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::panes::{audit, backups, secrets, security_events};
    use crossterm::event::{KeyCode, KeyModifiers};

    fn ev(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn name(km: &Keymap, section: Section, c: char) -> Option<&'static str> {
        km.action(Some(section), &ev(c)).map(|v| v.name())
    }

    #[test]
    fn default_parses_and_scopes_sections() {
        let km = Keymap::default();
        assert_eq!(km.action(Some(&secrets::KEYS), &ev('r')), spec("secret_reveal").map(Verb::Command));
        assert_eq!(name(&km, &security_events::KEYS, 'r'), Some("mark_resolved"));
        assert_eq!(km.action(None, &ev('q')), Some(Verb::Nav(Nav::Quit)));
        assert_eq!(km.action(None, &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Verb::Nav(Nav::Bottom)));
        assert_eq!(km.action(None, &ev('r')), None);
        assert_eq!(name(&km, &backups::KEYS, 'b'), Some("backup_create"));
    }

    #[test]
    fn every_default_binding_is_a_command_a_nav_or_a_declared_view() {
        // parse_over refuses anything else; this pins that the default file
        // names engine commands where the old action names differed.
        let km = Keymap::default();
        for (old, new) in RENAMED {
            assert!(spec(new).is_some(), "{old} → {new} is not an engine command");
            let bound = SECTIONS.iter().any(|s| km.section(s).iter().any(|(v, _)| v.name() == *new));
            assert!(bound, "{new} is not bound in the default keymap");
        }
        let views: usize = SECTIONS.iter().map(|s| s.views.len()).sum();
        assert!(Nav::ALL.len() + views < 80, "the console's own actions should stay few");
    }

    #[test]
    fn user_file_replaces_one_binding() {
        let km =
            Keymap::parse_over(Keymap::default(), "k", "[secrets]\nsecret_reveal = [\"v\", \"ctrl-x\"]\n").unwrap();
        assert_eq!(name(&km, &secrets::KEYS, 'v'), Some("secret_reveal"));
        assert_eq!(name(&km, &secrets::KEYS, 'r'), None);
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Some(&secrets::KEYS), &ctrl_x).map(Verb::name), Some("secret_reveal"));
        assert_eq!(name(&km, &secrets::KEYS, 'a'), Some("secret_add"));
    }

    #[test]
    fn old_action_names_still_bind_their_command() {
        let km = Keymap::parse_over(Keymap::default(), "k", "[backups]\nbackups_create = [\"B\"]\n").unwrap();
        assert_eq!(name(&km, &backups::KEYS, 'B'), Some("backup_create"));
        assert_eq!(name(&km, &backups::KEYS, 'b'), None, "the old name replaces the command's default keys");
        assert_eq!(km.key_for(&backups::KEYS, "backup_create"), "B");
    }

    #[test]
    fn views_belong_to_their_section() {
        assert!(Keymap::parse_over(Keymap::default(), "k", "[audit]\ncycle_since = [\"W\"]\n").is_ok());
        let e = Keymap::parse_over(Keymap::default(), "k", "[secrets]\ncycle_since = [\"W\"]\n").unwrap_err();
        assert!(e.to_string().contains("\"cycle_since\""), "{e}");
        assert_eq!(audit::KEYS.name, "audit");
    }

    #[test]
    fn bad_names_are_quoted() {
        let e = Keymap::parse_over(Keymap::default(), "keymap.toml", "[global]\nquit = [\"ctrl-shift-x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("keymap.toml") && e.contains("quit") && e.contains("invalid key"), "{e}");
        let e = Keymap::parse_over(Keymap::default(), "keymap.toml", "[global]\nqiut = [\"q\"]\n").unwrap_err();
        assert!(e.to_string().contains("\"qiut\""), "{e}");
        let e = Keymap::parse_over(Keymap::default(), "keymap.toml", "[nope]\nquit = [\"q\"]\n").unwrap_err();
        assert!(e.to_string().contains("[nope]"), "{e}");
    }
}
