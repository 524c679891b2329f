//! ESPHome devices: discovery (mDNS), inventory, the native API client
//! (plaintext and Noise), live log streams, the firmware registry and OTA
//! updates (espota2), one by one or in bulk.
//!
//! - `api/` is the wire protocol and knows nothing of the store;
//! - `ota/` is espota2 (a pure state machine plus its TCP driver) and the
//!   update flows built on it;
//! - `registry` owns this domain's sled trees (see [`registry::TREES`]);
//! - `handlers` and `ota_handlers` are what `dispatch` calls.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod ansi;
pub mod api;
pub mod discovery;
pub mod firmware;
mod handlers;
pub mod logs;
pub mod ota;
mod ota_handlers;
pub mod registry;
mod types;

pub(crate) use handlers::{add, discover, info, list, logs_start, logs_stop, remove};
pub(crate) use ota_handlers::{firmware_import, firmware_list, ota, ota_bulk, ota_cancel};
pub use types::*;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The settings this domain takes from config.toml's `[esphome]`.
#[derive(Debug, Clone)]
pub struct EsphomeOptions {
    /// Interfaces mDNS may use; empty = every real LAN interface.
    pub mdns_interfaces: Vec<String>,
    /// Seconds to wait for a device's answer.
    pub api_timeout_secs: u64,
    /// Uploads running at once in a bulk update.
    pub ota_concurrency: u32,
    /// Seconds after an upload for the device to come back with the new version.
    pub confirm_secs: u32,
}

impl Default for EsphomeOptions {
    fn default() -> Self {
        EsphomeOptions { mdns_interfaces: Vec::new(), api_timeout_secs: 10, ota_concurrency: 4, confirm_secs: 90 }
    }
}

/// Runtime state: the log streams running and the cancel flags of OTAs.
#[derive(Default)]
pub struct Runtime {
    pub(crate) logs: Mutex<HashMap<String, logs::LogStream>>,
    pub(crate) ota: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

/// "3 updated, 1 failed, 1 skipped".
pub fn ota_summary(results: &[OtaResult]) -> String {
    if let [one] = results {
        return match one.status {
            OtaStatus::Updated => format!("{} updated to {}", one.device, one.to_version),
            s => format!("{} {}: {}", one.device, s.as_str(), one.reason.as_deref().unwrap_or("")),
        };
    }
    let count = |s: OtaStatus| results.iter().filter(|r| r.status == s).count();
    let mut parts = vec![format!("{} updated", count(OtaStatus::Updated)), format!("{} failed", count(OtaStatus::Failed))];
    for s in [OtaStatus::Skipped, OtaStatus::Cancelled] {
        if count(s) > 0 {
            parts.push(format!("{} {}", count(s), s.as_str()));
        }
    }
    parts.join(", ")
}

/// This domain's runtime state on the engine (`inner.esphome`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(_: &crate::engine::EngineOptions) -> crate::engine::EngineResult<Runtime> {
        Ok(Runtime::default())
    }
}
