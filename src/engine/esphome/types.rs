//! What the ESPHome domain stores and returns: devices, firmware, log lines,
//! OTA results. All serde, so they cross the CLI's `--json` and the event
//! socket unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Default native API port.
pub const DEFAULT_API_PORT: u16 = 6053;

/// One ESPHome device homedeck knows, found by mDNS or added by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// espota2 port; when unset, the platform's default.
    pub ota_port: Option<u16>,
    /// Vault secret holding the API encryption key (base64, 32 bytes).
    pub key_secret: Option<String>,
    /// Vault secret holding the OTA password.
    pub ota_password_secret: Option<String>,
    pub friendly_name: Option<String>,
    pub mac: Option<String>,
    pub version: Option<String>,
    pub project_version: Option<String>,
    /// ESP32, ESP8266, RP2040, BK72XX … (upper case).
    pub platform: Option<String>,
    pub board: Option<String>,
    /// The device advertises (or was seen to require) API encryption.
    pub encrypted: Option<bool>,
    pub source: Source,
    pub added: DateTime<Utc>,
    pub last_seen: Option<DateTime<Utc>>,
    pub online: bool,
    pub last_error: Option<String>,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// a device has no server to inherit one from. Absent in records
    /// written before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Mdns,
    Manual,
}

impl Device {
    /// The OTA port to use: set explicitly, or the platform's default.
    pub fn ota_port(&self) -> u16 {
        let default = match self.platform.as_deref() {
            Some("ESP8266") => 8266,
            Some("RP2040") => 2040,
            Some("BK72XX" | "RTL87XX" | "LN882X") => 8892,
            _ => 3232,
        };
        self.ota_port.unwrap_or(default)
    }

    /// The version OTA confirmation compares with: the project version when
    /// the device has one, else its ESPHome version.
    pub fn running_version(&self) -> Option<&str> {
        self.project_version.as_deref().filter(|v| !v.is_empty()).or(self.version.as_deref())
    }
}

/// The platforms a firmware can be built for (mDNS TXT `platform`).
pub const PLATFORMS: &[&str] = &["ESP32", "ESP8266", "RP2040", "BK72XX", "RTL87XX", "LN882X", "HOST"];

pub fn normalise_platform(p: &str) -> Result<String, crate::engine::EngineError> {
    let up = p.trim().to_ascii_uppercase();
    let up = if up == "RP2" { "RP2040".to_string() } else { up };
    if PLATFORMS.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(crate::engine::EngineError::invalid("platform", p, &format!("one of {}", PLATFORMS.join(", "))))
    }
}

/// What one mDNS answer said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovered {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub friendly_name: Option<String>,
    pub version: Option<String>,
    pub platform: Option<String>,
    pub board: Option<String>,
    pub mac: Option<String>,
    pub encrypted: bool,
    /// New to homedeck (false: an existing device was refreshed).
    pub new: bool,
}

/// A device's own answer to DeviceInfoRequest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub name: String,
    pub friendly_name: String,
    pub mac_address: String,
    pub esphome_version: String,
    pub compilation_time: String,
    pub model: String,
    pub manufacturer: String,
    pub project_name: String,
    pub project_version: String,
    pub api_encryption_supported: bool,
    /// From the API hello: the server's own description.
    pub server_info: String,
    pub api_version: String,
    pub encrypted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub domain: String,
    pub object_id: String,
    pub name: String,
    pub key: u32,
}

/// ESPHome's log levels, as SubscribeLogsRequest numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    None = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Config = 4,
    Debug = 5,
    Verbose = 6,
    VeryVerbose = 7,
}

impl LogLevel {
    pub const ALL: [LogLevel; 8] = [
        LogLevel::None,
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Config,
        LogLevel::Debug,
        LogLevel::Verbose,
        LogLevel::VeryVerbose,
    ];

    pub fn from_number(n: i32) -> LogLevel {
        LogLevel::ALL.get(n.clamp(0, 7) as usize).copied().unwrap_or(LogLevel::VeryVerbose)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::None => "none",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Config => "config",
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::VeryVerbose => "very_verbose",
        }
    }

    /// ESPHome's one-letter tag: E W I C D V VV.
    pub fn letter(self) -> &'static str {
        match self {
            LogLevel::None => "-",
            LogLevel::Error => "E",
            LogLevel::Warn => "W",
            LogLevel::Info => "I",
            LogLevel::Config => "C",
            LogLevel::Debug => "D",
            LogLevel::Verbose => "V",
            LogLevel::VeryVerbose => "VV",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let l = s.trim().to_ascii_lowercase().replace('-', "_");
        LogLevel::ALL.into_iter().find(|x| x.as_str() == l || x.letter().eq_ignore_ascii_case(&l)).ok_or_else(|| {
            format!("invalid log level {s:?} — expected error, warn, info, config, debug, verbose or very_verbose")
        })
    }
}

/// One log line as the device sent it (ANSI colour escapes included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    pub text: String,
}

/// A firmware image in the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firmware {
    pub sha256: String,
    pub version: String,
    pub platform: String,
    pub size: u64,
    pub file_name: String,
    pub imported: DateTime<Utc>,
}

impl Firmware {
    pub fn short_id(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtaStatus {
    Updated,
    Failed,
    Skipped,
    Cancelled,
}

impl OtaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OtaStatus::Updated => "updated",
            OtaStatus::Failed => "failed",
            OtaStatus::Skipped => "skipped",
            OtaStatus::Cancelled => "cancelled",
        }
    }
}

/// How one device's update went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtaResult {
    pub device: String,
    pub status: OtaStatus,
    pub reason: Option<String>,
    pub from_version: Option<String>,
    pub to_version: String,
    /// Bytes sent over the wire (after compression).
    pub sent: u64,
    pub compressed: bool,
    pub seconds: f64,
}

/// Where an upload is, for progress gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtaPhase {
    Connecting,
    Uploading,
    Rebooting,
    Confirming,
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_by_name_and_letter() {
        assert_eq!("debug".parse::<LogLevel>().unwrap(), LogLevel::Debug);
        assert_eq!("VV".parse::<LogLevel>().unwrap(), LogLevel::VeryVerbose);
        assert_eq!("very-verbose".parse::<LogLevel>().unwrap(), LogLevel::VeryVerbose);
        assert!("loud".parse::<LogLevel>().unwrap_err().contains("\"loud\""));
        assert_eq!(LogLevel::from_number(99), LogLevel::VeryVerbose);
        assert_eq!(LogLevel::from_number(-4), LogLevel::None);
    }

    #[test]
    fn platforms_and_ports() {
        assert_eq!(normalise_platform("esp8266").unwrap(), "ESP8266");
        assert_eq!(normalise_platform("rp2").unwrap(), "RP2040");
        assert!(normalise_platform("avr").unwrap_err().to_string().contains("\"avr\""));
    }
}
