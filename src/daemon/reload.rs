//! The daemon's config reload: on SIGHUP, or when config.toml changes
//! (seen through `notify`, debounced), read it again. A file that does not
//! parse, or has a value out of range, is refused with toml's message (it
//! names the line) or ours (it names the key), and the settings in force
//! stay as they were — a typo saved in an editor must not take down the
//! schedules of a headless box.
//!
//! Which settings apply live is decided here, once, per key:
//! - live (the engine reads them at each use): `[vault] idle_lock_secs`,
//!   `[audit] retention_days`, `[esphome]` (mdns_interfaces at the next
//!   discovery start), `[servers]`, `[deployments]`, `[alerts]` (the
//!   rules are evaluated again at once);
//! - at the daemon's restart: `[general] readonly` (a running engine
//!   does not switch between refusing and accepting writes under clients);
//! - by each console when it starts: `[general] theme`,
//!   `[vault] reveal_hide_secs`, `[esphome] log_scrollback`.

use super::protocol::ReloadInfo;
use super::server::Server;
use crate::config::Config;
use crate::engine::{EngineHandle, EngineOptions};
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// Changes to the file closer together than this are one reload (an
/// editor's write-rename-chmod).
pub const DEBOUNCE: Duration = Duration::from_millis(300);

const NEEDS_RESTART: &[&str] = &[
    "general.readonly",
    // The MCP listener is bound once, at start (mcp_listen.rs).
    "mcp.listen",
    "mcp.tls_cert",
    "mcp.tls_key",
    "mcp.insecure_plain_http",
    "mcp.hosts",
    "mcp.toolsets",
];
const FOR_CONSOLES: &[&str] = &["general.theme", "vault.reveal_hide_secs", "esphome.log_scrollback"];

/// The config the daemon runs with, and the file it came from.
pub struct Reloader {
    path: PathBuf,
    current: Config,
    /// The options the engine was opened with: what a reload does not change.
    base: EngineOptions,
}

impl Reloader {
    pub fn new(path: PathBuf, current: Config, base: EngineOptions) -> Self {
        Reloader { path, current, base }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read the file again and apply what may be applied; log it, broadcast
    /// it as a notice and keep it for `daemon status`.
    pub fn reload(&mut self, engine: &EngineHandle, server: &Server, trigger: &str) -> ReloadInfo {
        let info = self.try_reload(engine, trigger);
        if info.ok {
            tracing::info!(trigger, applied = ?info.applied, needs_restart = ?info.needs_restart, "config reloaded");
        } else {
            tracing::warn!(trigger, message = %info.message, "config reload refused; the previous settings stay");
        }
        eprintln!("homedeck daemon: {}", info.message);
        engine.notice(info.message.clone());
        server.set_reload(info.clone());
        info
    }

    fn try_reload(&mut self, engine: &EngineHandle, trigger: &str) -> ReloadInfo {
        let mut info = ReloadInfo {
            at: Utc::now(),
            trigger: trigger.to_string(),
            ok: false,
            message: String::new(),
            applied: Vec::new(),
            needs_restart: Vec::new(),
            for_consoles: Vec::new(),
        };
        let shown = self.path.display();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) => {
                info.message = format!("config reload refused: cannot read {shown}: {e} — the previous settings stay");
                return info;
            }
        };
        let new = match Config::parse(&text) {
            Ok(c) => c,
            Err(e) => {
                let why = format!("{e:#}").replace('\n', " ");
                info.message = format!("config reload refused: {shown}: {why} — the previous settings stay");
                return info;
            }
        };
        info.ok = true;
        for key in changed_keys(&self.current, &new) {
            if NEEDS_RESTART.contains(&key.as_str()) {
                info.needs_restart.push(key);
            } else if FOR_CONSOLES.contains(&key.as_str()) {
                info.for_consoles.push(key);
            } else {
                info.applied.push(key);
            }
        }
        let mut opts = self.base.clone();
        new.fill_engine_options(&mut opts);
        engine.apply_live_settings(&opts);
        // Keys that need a restart stay "changed" until one: compare the
        // next reload against what runs, not against the file.
        let mut kept = new;
        kept.general.readonly = self.current.general.readonly;
        self.current = kept;
        info.message = describe(&info);
        info
    }
}

fn describe(info: &ReloadInfo) -> String {
    let mut parts = Vec::new();
    if info.applied.is_empty() && info.needs_restart.is_empty() && info.for_consoles.is_empty() {
        parts.push("nothing changed".to_string());
    }
    if !info.applied.is_empty() {
        parts.push(format!("applied {}", info.applied.join(", ")));
    }
    if !info.needs_restart.is_empty() {
        parts.push(format!("needs a daemon restart: {}", info.needs_restart.join(", ")));
    }
    if !info.for_consoles.is_empty() {
        parts.push(format!("taken by consoles when they start: {}", info.for_consoles.join(", ")));
    }
    format!("config reloaded ({}): {}", info.trigger, parts.join("; "))
}

/// `section.key` of every setting whose value differs.
fn changed_keys(old: &Config, new: &Config) -> Vec<String> {
    let (a, b) = (flatten(old), flatten(new));
    let mut keys: Vec<String> = a.iter().filter(|(k, v)| b.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)).cloned());
    keys
}

fn flatten(c: &Config) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    if let Ok(serde_json::Value::Object(sections)) = serde_json::to_value(c) {
        for (section, v) in sections {
            match v {
                serde_json::Value::Object(keys) => out.extend(keys.into_iter().map(|(k, v)| (format!("{section}.{k}"), v))),
                other => {
                    out.insert(section, other);
                }
            }
        }
    }
    out
}

/// Watch the file's directory (editors replace the file by renaming over
/// it, which a watch on the file itself would lose) and send `()` on each
/// change to the file. Dropping the returned watcher stops it. `None` when
/// the platform cannot watch: SIGHUP still works.
pub fn watch(path: &Path) -> Option<(notify::RecommendedWatcher, mpsc::UnboundedReceiver<()>)> {
    use notify::Watcher;
    let dir = path.parent()?.to_path_buf();
    let name = path.file_name()?.to_os_string();
    let (tx, rx) = mpsc::unbounded_channel();
    let handler = move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && !ev.kind.is_access()
            && ev.paths.iter().any(|p| p.file_name() == Some(name.as_os_str()))
        {
            let _ = tx.send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch config.toml; reload with SIGHUP");
            return None;
        }
    };
    if let Err(e) = watcher.watch(&dir, notify::RecursiveMode::NonRecursive) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot watch the config dir; reload with SIGHUP");
        return None;
    }
    Some((watcher, rx))
}

/// Wait out a burst of changes: return once none came for [`DEBOUNCE`].
pub async fn settle(rx: &mut mpsc::UnboundedReceiver<()>) {
    while let Ok(Some(())) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_keys_are_named_by_section() {
        let a = Config::default();
        let mut b = a.clone();
        b.vault.idle_lock_secs = 60;
        b.general.readonly = true;
        assert_eq!(changed_keys(&a, &b), vec!["general.readonly".to_string(), "vault.idle_lock_secs".to_string()]);
        assert!(changed_keys(&a, &a).is_empty());
    }
}
