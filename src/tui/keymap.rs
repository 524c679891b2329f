//! Key bindings as data (yazi/helix style): an embedded default keymap,
//! `assets/keymap-default.toml`, with the user's `keymap.toml` merged over
//! it action by action. Sections scope bindings: a pane's own section is
//! looked up before `[global]`, so `r` can mean "reveal" in Secrets and
//! "resolved" on a security event. The `?` help is generated from the merged
//! result, so it always shows what the keys really do.

use anyhow::{Result, anyhow, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub const DEFAULT: &str = include_str!("../../assets/keymap-default.toml");

macro_rules! actions {
    ($($variant:ident = $name:literal, $desc:literal;)*) => {
        /// Everything a key can be bound to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }
            pub fn desc(self) -> &'static str {
                match self { $(Action::$variant => $desc,)* }
            }
        }
    };
}

actions! {
    Quit = "quit", "Quit homedeck (asks if engine work is running)";
    Help = "help", "Show this help";
    Palette = "palette", "Open the command palette";
    Filter = "filter", "Filter the list (Esc clears)";
    Back = "back", "Back / close";
    NextPane = "next_pane", "Next pane";
    PrevPane = "prev_pane", "Previous pane";
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
    VaultInit = "vault_init", "Create the vault (passphrase twice)";
    VaultUnlock = "vault_unlock", "Unlock the vault";
    VaultLock = "vault_lock", "Lock the vault now";
    SecretAdd = "secret_add", "Add a secret";
    SecretReveal = "secret_reveal", "Reveal the selected secret (hides itself)";
    SecretRotate = "secret_rotate", "Rotate the selected secret (new value)";
    SecretSetRotation = "secret_set_rotation", "Set rotation days of the selected secret";
    SecretRevoke = "secret_revoke", "Revoke the selected secret (asks first)";
    ToggleSecurity = "toggle_security", "Switch between audit log and security events";
    CycleCategory = "cycle_category", "Filter: next category";
    CycleSeverity = "cycle_severity", "Filter: next minimum severity";
    CycleStatus = "cycle_status", "Filter: next status";
    CycleSince = "cycle_since", "Filter: next time window";
    ClearFilters = "clear_filters", "Clear every audit filter";
    MarkInvestigating = "mark_investigating", "Security event → investigating (with a note)";
    MarkResolved = "mark_resolved", "Security event → resolved (with a note)";
    MarkFalsePositive = "mark_false_positive", "Security event → false positive (with a note)";
    // ── servers ──
    ServerAdd = "server_add", "Add a server";
    ServerEdit = "server_edit", "Edit the selected server";
    ServerTest = "server_test", "Test the connection (pins the host key on first use)";
    ServerTrust = "server_trust", "Trust the host key the server presents now (asks first)";
    ServerRemove = "server_remove", "Remove the selected server (asks first)";
    ServerExec = "server_exec", "Run a command on the marked servers (or the selected one)";
    ServerMark = "server_mark", "Mark / unmark the selected server for a bulk command";
    ServerOutput = "server_output", "Show the output of the last command run";
    ServerCancel = "server_cancel", "Cancel the running command run";
    ServerHealthNow = "server_health_now", "Probe every server's health now";
    // ── end servers ──

    // ── esphome ──
    EsphomeDiscover = "esphome_discover", "ESPHome: browse mDNS for devices";
    EsphomeAdd = "esphome_add", "ESPHome: add a device by address";
    EsphomeLogs = "esphome_logs", "ESPHome: live logs of the marked (or selected) devices";
    EsphomeMark = "esphome_mark", "ESPHome: mark/unmark a device (several logs, bulk OTA)";
    EsphomeOta = "esphome_ota", "ESPHome: OTA update of the selected device (asks first)";
    EsphomeBulk = "esphome_bulk", "ESPHome: bulk OTA of marked / outdated / online devices";
    EsphomeCancel = "esphome_cancel", "ESPHome: cancel running OTAs";
    EsphomeFirmware = "esphome_firmware", "ESPHome: the firmware registry";
    EsphomeImport = "esphome_import", "ESPHome: import a firmware .bin";
    EsphomeResults = "esphome_results", "ESPHome: last OTA results";
    EsphomeRemove = "esphome_remove", "ESPHome: forget the selected device (asks first)";
    EsphomeLogsFollow = "esphome_logs_follow", "Logs: follow / pause";
    EsphomeLogsLevel = "esphome_logs_level", "Logs: next level filter (VV → … → E)";
    EsphomeLogsTimestamps = "esphome_logs_timestamps", "Logs: timestamps on/off";
    EsphomeLogsSplit = "esphome_logs_split", "Logs: merged with device column / split per device";
    EsphomeLogsSave = "esphome_logs_save", "Logs: save what the view shows to a file";
    EsphomeLogsNext = "esphome_logs_next", "Logs: newer search match";
    EsphomeLogsPrev = "esphome_logs_prev", "Logs: older search match";
    EsphomeLogsClear = "esphome_logs_clear", "Logs: clear the scrollback";
    // ── end esphome ──

    // ── lights ──
    LightsToggle = "lights_toggle", "Toggle the selected WLED device on/off (FPP: pause/resume)";
    LightsBrighter = "lights_brighter", "Brightness up";
    LightsDimmer = "lights_dimmer", "Brightness down";
    LightsColor = "lights_color", "Next colour from the picker";
    LightsEffectNext = "lights_effect_next", "Next effect from the device's list";
    LightsEffectPrev = "lights_effect_prev", "Previous effect";
    LightsPaletteNext = "lights_palette_next", "Next palette from the device's list";
    LightsPalettePrev = "lights_palette_prev", "Previous palette";
    LightsSpeedUp = "lights_speed_up", "Effect speed up";
    LightsSpeedDown = "lights_speed_down", "Effect speed down";
    LightsIntensityUp = "lights_intensity_up", "Effect intensity up";
    LightsIntensityDown = "lights_intensity_down", "Effect intensity down";
    LightsPresetNext = "lights_preset_next", "Apply the next preset";
    LightsPresetPrev = "lights_preset_prev", "Apply the previous preset";
    LightsPlaylistStop = "lights_playlist_stop", "Stop the playlist (FPP: stop now)";
    LightsPlaylistNext = "lights_playlist_next", "Next playlist entry (FPP: next item)";
    LightsFppPrev = "lights_fpp_prev", "FPP: previous item";
    LightsSchedules = "lights_schedules", "Show light schedules (next runs, missed runs)";
    // ── end lights ──

    // ── backups ──
    BackupsView = "backups_view", "Backups: next view (sources → catalog → snapshots)";
    BackupsCreate = "backups_create", "Backups: back the selected source up now";
    BackupsVerify = "backups_verify", "Backups: re-read and verify the selected backup";
    BackupsRestore = "backups_restore", "Backups: restore the selected backup (preview, then confirm) or snapshot";
    BackupsDiff = "backups_diff", "Backups: diff the selected snapshot with the one before it";
    BackupsCancel = "backups_cancel", "Backups: cancel the running job";
    BackupsAdd = "backups_add", "Backups: add a source (opens the palette)";
    BackupsWatch = "backups_watch", "Backups: watch a file for snapshots (opens the palette)";
    BackupsRemove = "backups_remove", "Backups: remove the selected source (its backups stay)";
    // ── end backups ──

    // ── deployments ──
    DeployCreate = "deploy_create", "Install Home Assistant on a server (opens the palette with the command)";
    DeployStart = "deploy_start", "Start the selected deployment";
    DeployStop = "deploy_stop", "Stop the selected deployment";
    DeployRestart = "deploy_restart", "Restart the selected deployment";
    DeployUpgrade = "deploy_upgrade", "Upgrade the selected deployment (asks for the version)";
    DeployRemove = "deploy_remove", "Delete the selected deployment (asks first; keeps a config backup)";
    DeployLogs = "deploy_logs", "Follow the selected deployment's log";
    DeployEdit = "deploy_edit", "Edit configuration.yaml of the selected deployment";
    DeployCheck = "deploy_check", "Run Home Assistant's config check";
    DeployStatus = "deploy_status", "Probe health now (process, HTTP, API)";
    DeployCancel = "deploy_cancel", "Cancel the running install, upgrade or restart";
    DeployFollow = "deploy_follow", "Logs: follow new lines on/off";
    HaEntities = "ha_entities", "Live entities of a Home Assistant connection profile; ↵ on one calls a service (asks first)";
    // ── end deployments ──
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Global,
    Secrets,
    Audit,
    Security,
    Servers,
    Deployments,
    Esphome,
    Lights,
    Backups,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Global,
        Section::Secrets,
        Section::Audit,
        Section::Security,
        Section::Servers,
        Section::Deployments,
        Section::Esphome,
        Section::Lights,
        Section::Backups,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Secrets => "secrets",
            Section::Audit => "audit",
            Section::Security => "security",
            Section::Servers => "servers",
            Section::Deployments => "deployments",
            Section::Esphome => "esphome",
            Section::Lights => "lights",
            Section::Backups => "backups",
        }
    }
}

/// One key with its modifiers, normalised so `G` and `shift-g` compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    mods: KeyModifiers,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        // The character already says whether shift was held.
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Key { code: ev.code, mods }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                KeyCode::F(f[1..].parse::<u8>().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => {
                return Err(format!(
                    "invalid key {s:?} — expected a single character, a name such as enter, esc, tab, up, pagedown, f1, optionally with ctrl- or alt-"
                ));
            }
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            other => write!(f, "{}", format!("{other:?}").to_lowercase()),
        }
    }
}

/// The merged bindings: section → action → keys.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Section, BTreeMap<Action, Vec<Key>>>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The embedded default always parses (unit-tested); empty is the typed fallback.
        Keymap::parse_over(Keymap { bindings: BTreeMap::new() }, "built-in keymap", DEFAULT)
            .unwrap_or(Keymap { bindings: BTreeMap::new() })
    }
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

    /// Lay `text` over `base`: each action listed replaces that action's keys.
    pub fn parse_over(mut base: Keymap, origin: &str, text: &str) -> Result<Keymap> {
        let file: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(text).map_err(|e| anyhow!("{origin}: {}", e.to_string().trim()))?;
        for (sec_name, actions) in file {
            let Some(section) = Section::ALL.into_iter().find(|s| s.name() == sec_name) else {
                bail!("{origin}: unknown section [{sec_name}] — expected one of global, secrets, audit, security");
            };
            for (action_name, keys) in actions {
                let Some(action) = Action::ALL.iter().copied().find(|a| a.name() == action_name) else {
                    bail!("{origin}: [{sec_name}] unknown action {action_name:?} — see `?` in homedeck for the list");
                };
                let keys = keys
                    .iter()
                    .map(|k| Key::parse(k).map_err(|e| anyhow!("{origin}: [{sec_name}] {action_name}: {e}")))
                    .collect::<Result<Vec<_>>>()?;
                base.bindings.entry(section).or_default().insert(action, keys);
            }
        }
        Ok(base)
    }

    /// The action `ev` triggers in `section` (falling back to global).
    pub fn action(&self, section: Option<Section>, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        let find = |s: Section| {
            self.bindings.get(&s).and_then(|m| m.iter().find(|(_, ks)| ks.contains(&key)).map(|(a, _)| *a))
        };
        section.and_then(find).or_else(|| find(Section::Global))
    }

    /// Bindings of one section, for the help screen and hint lines.
    pub fn section(&self, section: Section) -> Vec<(Action, &[Key])> {
        self.bindings.get(&section).map(|m| m.iter().map(|(a, k)| (*a, k.as_slice())).collect()).unwrap_or_default()
    }

    /// The first key of `action` in `section` (or global), as shown in hints.
    pub fn key_for(&self, section: Section, action: Action) -> String {
        [section, Section::Global]
            .iter()
            .filter_map(|s| self.bindings.get(s)?.get(&action)?.first())
            .next()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn default_parses_and_scopes_sections() {
        let km = Keymap::default();
        assert_eq!(km.action(Some(Section::Secrets), &ev('r')), Some(Action::SecretReveal));
        assert_eq!(km.action(Some(Section::Security), &ev('r')), Some(Action::MarkResolved));
        assert_eq!(km.action(None, &ev('q')), Some(Action::Quit));
        assert_eq!(km.action(None, &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Bottom));
        assert_eq!(km.action(None, &ev('r')), None);
    }

    #[test]
    fn user_file_replaces_one_action() {
        let km =
            Keymap::parse_over(Keymap::default(), "k", "[secrets]\nsecret_reveal = [\"v\", \"ctrl-x\"]\n").unwrap();
        assert_eq!(km.action(Some(Section::Secrets), &ev('v')), Some(Action::SecretReveal));
        assert_eq!(km.action(Some(Section::Secrets), &ev('r')), None);
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(km.action(Some(Section::Secrets), &ctrl_x), Some(Action::SecretReveal));
        assert_eq!(km.action(Some(Section::Secrets), &ev('a')), Some(Action::SecretAdd));
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
