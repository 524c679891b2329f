//! Lights: WLED controllers and Falcon Player (FPP) show controllers.
//!
//! - `wled/`: the device's JSON API (model, client), control patches,
//!   presets and playlists, live state over `/ws` with polling fallback,
//!   and mDNS discovery;
//! - `fpp/`: FPP's REST API (status, playlists, schedule, MultiSync);
//! - `schedule/`: cron schedules for WLED devices and groups, handed to the
//!   engine's one scheduler (`engine::scheduler`) as jobs;
//! - `inventory.rs`: devices, hosts and groups in sled;
//! - `handlers.rs` + `fpp_handlers.rs`: the verbs, called from dispatch.
//!
//! Backups call [`export_wled`] to fetch a device's presets.json and cfg,
//! and `backup_io` to push them back and to read and write FPP's config.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
mod preview_wled;
pub mod facade;
pub mod args;
pub(crate) mod backup_io;
pub mod fpp;
pub(crate) mod fpp_handlers;
pub(crate) mod handlers;
pub(crate) mod schedule_handlers;
pub(crate) mod http;
pub mod inventory;
pub mod schedule;
pub mod views;
pub mod wled;

use crate::engine::Inner;
use crate::engine::error::EngineResult;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use views::{FppLive, LiveState};

/// The sled trees this domain owns.
pub struct Trees {
    pub devices: &'static str,
    pub fpp_hosts: &'static str,
    pub groups: &'static str,
    pub schedules: &'static str,
    pub meta: &'static str,
}

pub const TREES: Trees = Trees {
    devices: "wled_devices",
    fpp_hosts: "fpp_hosts",
    groups: "wled_groups",
    schedules: "wled_schedules",
    meta: "lights_meta",
};

/// Lights state that lives only while the engine runs.
pub struct Runtime {
    pub http: http::Http,
    /// Latest known state per WLED device name.
    pub live: Mutex<HashMap<String, LiveState>>,
    /// Effect and palette names per device (from `/json`, fetched once).
    pub catalogs: Mutex<HashMap<String, std::sync::Arc<wled::Catalog>>>,
    /// Latest FPP status per host name.
    pub fpp: Mutex<HashMap<String, FppLive>>,
    /// Live connection and refresh tasks, by `wled:NAME` / `fpp:NAME`.
    tasks: Mutex<HashMap<String, tokio::task::AbortHandle>>,
    /// `lights_watch` ran: keep connections (and the scheduler runs).
    watching: AtomicBool,
    /// The engine itself, for tasks that must not keep it alive.
    pub(crate) me: std::sync::OnceLock<std::sync::Weak<Inner>>,
}

impl Runtime {
    pub fn new() -> EngineResult<Runtime> {
        Ok(Runtime {
            http: http::Http::new()?,
            live: Mutex::new(HashMap::new()),
            catalogs: Mutex::new(HashMap::new()),
            fpp: Mutex::new(HashMap::new()),
            tasks: Mutex::new(HashMap::new()),
            watching: AtomicBool::new(false),
            me: std::sync::OnceLock::new(),
        })
    }

    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::SeqCst)
    }

    /// Mark as watching; returns whether it already was.
    fn start_watching(&self) -> bool {
        self.watching.swap(true, Ordering::SeqCst)
    }

    fn add_task(&self, key: String, handle: tokio::task::AbortHandle) {
        if let Ok(mut t) = self.tasks.lock()
            && let Some(old) = t.insert(key, handle)
        {
            old.abort();
        }
    }

    fn stop_task(&self, key: &str) {
        if let Ok(mut t) = self.tasks.lock()
            && let Some(h) = t.remove(key)
        {
            h.abort();
        }
    }

    pub fn live_of(&self, name: &str) -> Option<LiveState> {
        self.live.lock().ok().and_then(|m| m.get(name).cloned())
    }
}

impl Drop for Runtime {
    /// Live connections end with the engine.
    fn drop(&mut self) {
        if let Ok(t) = self.tasks.lock() {
            for h in t.values() {
                h.abort();
            }
        }
    }
}

/// A WLED device's presets.json and cfg.json, as the device serves them.
pub use views::WledExport;

/// Fetch `/presets.json` and `/json/cfg` of a stored WLED device. For the
/// backups domain: it stores the bytes as they are, so a restore can send
/// them back unchanged.
pub(crate) async fn export_wled(inner: &Inner, device: &str) -> EngineResult<WledExport> {
    let d = inventory::Inventory::open(&inner.store)?.need_device(device)?;
    wled::client::export(&inner.lights.http, &d).await
}

/// This domain's runtime state on the engine (`inner.lights`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(_: &crate::engine::EngineOptions) -> EngineResult<Runtime> {
        Runtime::new()
    }

    fn started(inner: &std::sync::Arc<Inner>, on_runtime: bool) {
        if on_runtime {
            let _ = inner.lights.me.set(std::sync::Arc::downgrade(inner));
        }
    }
}
