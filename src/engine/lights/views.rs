//! What lights commands return and broadcast. Plain data, serialisable, so
//! the CLI's `--json`, the console and later a daemon socket share it.

use super::fpp::model::{FppStatus, ScheduleEntry};
use super::inventory::{FppHost, Group, WledDevice};
use super::schedule::Schedule;
use super::wled::model::{WledInfo, WledState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How homedeck currently hears from a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Pushed over the device's `/ws`.
    Live,
    /// `/ws` is down; `/json/si` is polled until it comes back.
    Polling,
    /// Neither answers; retrying with back-off.
    Offline,
    /// Read once, not watched (the CLI).
    Polled,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Live => "live",
            Link::Polling => "polling",
            Link::Offline => "offline",
            Link::Polled => "polled",
        }
    }
}

/// The summary of a device's state shown in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveState {
    pub link: Link,
    pub on: bool,
    pub bri: u8,
    /// Primary colour of the main segment, `rrggbb`.
    pub color: String,
    pub effect: String,
    pub palette: String,
    pub speed: u8,
    pub intensity: u8,
    pub preset: i16,
    pub playlist: i16,
    pub segments: usize,
    pub updated: DateTime<Utc>,
    /// Why the device is offline, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WledRow {
    pub device: WledDevice,
    pub live: Option<LiveState>,
}

/// Everything about one device, read from it just now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WledDetail {
    pub device: WledDevice,
    pub state: WledState,
    pub info: WledInfo,
    pub effects: Vec<String>,
    pub palettes: Vec<String>,
}

/// The result of one command on one device of a target (device or group).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceResult {
    pub device: String,
    pub ok: bool,
    pub message: String,
    /// The state the device reported after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<WledState>,
}

/// A preset, or a playlist (which WLED stores as a preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresetView {
    pub id: u8,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playlist: Option<PlaylistSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaylistSpec {
    pub presets: Vec<u8>,
    /// Seconds each entry is shown (WLED stores tenths).
    pub durations: Vec<f64>,
    /// 0 = forever.
    pub repeat: u32,
    /// Preset applied when the playlist ends (0 = none).
    pub end: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Discovered {
    pub instance: String,
    pub address: String,
    pub mac: String,
    /// Already in the inventory under this name.
    pub known_as: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WledExport {
    pub device: String,
    pub fetched: DateTime<Utc>,
    /// `/presets.json` as served.
    pub presets: serde_json::Value,
    /// `/json/cfg` as served.
    pub cfg: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleView {
    pub schedule: Schedule,
    pub next_run: Option<DateTime<Utc>>,
    /// The next run in the schedule's own time zone.
    pub next_local: Option<String>,
}

/// An FPP host with its latest status, as the list shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FppRow {
    pub host: FppHost,
    pub live: Option<FppLive>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FppLive {
    pub status: Option<FppStatus>,
    pub error: Option<String>,
    pub updated: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FppSchedule {
    pub host: String,
    pub entries: Vec<ScheduleEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FppSystem {
    pub hostname: String,
    pub address: String,
    pub mode: String,
    pub version: String,
    pub model: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Groups {
    pub groups: Vec<Group>,
}

/// The plain notice shown with every FPP host.
pub const FPP_NO_AUTH: &str =
    "FPP has no authentication: anyone who can reach this host can start, stop and change its shows.";
