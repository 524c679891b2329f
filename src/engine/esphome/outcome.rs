//! What ESPHome devices answer ([`EsphomeOutcome`]) and broadcast ([`EsphomeEvent`]).
//! The engine wraps them in `Outcome::Esphome` / `Event::Esphome`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EsphomeOutcome {
    EsphomeDevices { devices: Vec<crate::engine::esphome::Device> },
    EsphomeDiscovered { found: Vec<crate::engine::esphome::Discovered>, interfaces: Vec<String> },
    EsphomeInfo {
        device: Box<crate::engine::esphome::Device>,
        info: Box<crate::engine::esphome::DeviceInfo>,
        entities: Vec<crate::engine::esphome::Entity>,
    },
    EsphomeLogsStarted { devices: Vec<String>, level: crate::engine::esphome::LogLevel },
    EsphomeFirmware { firmware: Vec<crate::engine::esphome::Firmware> },
    EsphomeOta { results: Vec<crate::engine::esphome::OtaResult> },
}

impl EsphomeOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::EsphomeDevices { devices } => format!("{} ESPHome device(s)", devices.len()),
            Self::EsphomeDiscovered { found, .. } => {
                let new = found.iter().filter(|d| d.new).count();
                format!("mDNS found {} ESPHome device(s), {new} new", found.len())
            }
            Self::EsphomeInfo { device, info, entities } => {
                format!("{}: ESPHome {} · {}", device.name, info.esphome_version, plural(entities.len(), "entity", "entities"))
            }
            Self::EsphomeLogsStarted { devices, level } => {
                format!("streaming logs of {} at {level}", devices.join(", "))
            }
            Self::EsphomeFirmware { firmware } => plural(firmware.len(), "firmware image", "firmware images"),
            Self::EsphomeOta { results } => crate::engine::esphome::ota_summary(results),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EsphomeEvent {
    /// Log lines from one device's stream, in arrival order.
    EsphomeLogs { device: String, lines: Vec<crate::engine::esphome::LogRecord> },
    /// A device's log stream connected, dropped (with why) or stopped.
    EsphomeLink { device: String, online: bool, detail: String },
    /// An OTA moved on: bytes sent of total, and the phase.
    EsphomeOtaProgress { device: String, phase: crate::engine::esphome::OtaPhase, sent: u64, total: u64 },
    /// One device's OTA ended (a bulk update sends one per device).
    EsphomeOtaDone { result: crate::engine::esphome::OtaResult },
    /// Devices were added, removed or refreshed, or firmware was imported.
    EsphomeDevicesChanged,
}
