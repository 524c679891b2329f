//! What WLED and Falcon Player lights answer ([`LightsOutcome`]) and broadcast ([`LightsEvent`]).
//! The engine wraps them in `Outcome::Lights` / `Event::Lights`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::lights::views as lv;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LightsOutcome {
    WledDevices { devices: Vec<lv::WledRow> },
    // Boxed: a device with its full state outweighs every other answer.
    WledDetail { detail: Box<lv::WledDetail> },
    /// One command on a device or group: a result per device.
    WledResults { action: String, results: Vec<lv::DeviceResult> },
    WledPresets { device: String, presets: Vec<lv::PresetView> },
    WledGroups { groups: Vec<crate::engine::lights::inventory::Group> },
    WledSchedules { schedules: Vec<lv::ScheduleView> },
    WledDiscovered { found: Vec<lv::Discovered> },
    WledExported { export: lv::WledExport },
    FppHosts { hosts: Vec<lv::FppRow>, notice: String },
    FppDiscovered { found: Vec<lv::Discovered> },
    // Boxed: a host's full status outweighs every other answer.
    FppStatus { host: crate::engine::lights::inventory::FppHost, status: Box<crate::engine::lights::fpp::model::FppStatus>, notice: String },
    FppPlaylists { host: String, playlists: Vec<String> },
    FppSchedule { schedule: lv::FppSchedule },
    FppSystems { host: String, systems: Vec<lv::FppSystem> },
}

impl LightsOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::WledDevices { devices } => format!("{} WLED device(s)", devices.len()),
            Self::WledDetail { detail } => format!(
                "{}: {}, brightness {}",
                detail.device.name,
                if detail.state.on { "on" } else { "off" },
                detail.state.bri
            ),
            Self::WledResults { action, results } => {
                let ok = results.iter().filter(|r| r.ok).count();
                match results.as_slice() {
                    [one] => format!("{}: {}", one.device, one.message),
                    _ => format!("{action}: {ok} of {} ok", plural(results.len(), "device", "devices")),
                }
            }
            Self::WledPresets { device, presets } => format!("{device}: {}", plural(presets.len(), "preset", "presets")),
            Self::WledGroups { groups } => plural(groups.len(), "group", "groups"),
            Self::WledSchedules { schedules } => plural(schedules.len(), "schedule", "schedules"),
            Self::WledDiscovered { found } => format!("{} WLED device(s) found", found.len()),
            Self::WledExported { export } => format!("exported presets and cfg of {}", export.device),
            Self::FppHosts { hosts, .. } => format!("{} FPP host(s)", hosts.len()),
            Self::FppDiscovered { found } => format!("{} Falcon Player host(s) found", found.len()),
            Self::FppStatus { host, status, .. } => format!("{}: {}", host.name, status.state_name()),
            Self::FppPlaylists { host, playlists } => format!("{host}: {}", plural(playlists.len(), "playlist", "playlists")),
            Self::FppSchedule { schedule } => format!("{}: {}", schedule.host, plural(schedule.entries.len(), "schedule entry", "schedule entries")),
            Self::FppSystems { host, systems } => format!("{host}: {} MultiSync system(s)", systems.len()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LightsEvent {
    /// A WLED device's state changed (pushed over /ws, polled, or after a command).
    WledLive { device: String, live: crate::engine::lights::views::LiveState },
    /// An FPP host's status was read.
    FppLive { host: String, live: Box<crate::engine::lights::views::FppLive> },
    /// The presence poller found a WLED device (`kind` "wled") or an FPP
    /// host ("fpp") gone or back: its stored `online` changed.
    LightsLink { kind: String, device: String, online: bool, detail: String },
    /// A light schedule ran.
    LightsScheduleRan { schedule: String, ok: bool, message: String },
    /// Runs of a light schedule were missed (homedeck was not running).
    LightsScheduleMissed { schedule: String, count: u64, last: chrono::DateTime<chrono::Utc> },
}
