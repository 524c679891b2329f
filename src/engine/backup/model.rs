//! What is stored: backup sources, catalog entries, repositories and
//! backup schedules. Validation names the field and the bad value.

use super::archive::{Compression, KeyRef};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Any directory.
    Dir,
    /// A Home Assistant config dir.
    HaConfig,
    /// A Node-RED user dir, plus live flows from its admin API.
    NodeRed,
    /// A Zigbee2MQTT data dir, plus its MQTT backup when a broker is set.
    Zigbee2mqtt,
    /// A WLED device's presets and cfg (via the lights domain).
    Wled,
    /// A Falcon Player host's config files and playlists (via the lights domain).
    Fpp,
}

impl std::str::FromStr for SourceKind {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "dir" | "directory" => Ok(SourceKind::Dir),
            "ha" | "ha_config" | "homeassistant" => Ok(SourceKind::HaConfig),
            "node_red" | "nodered" => Ok(SourceKind::NodeRed),
            "zigbee2mqtt" | "z2m" => Ok(SourceKind::Zigbee2mqtt),
            "wled" => Ok(SourceKind::Wled),
            "fpp" | "falcon" => Ok(SourceKind::Fpp),
            _ => Err(EngineError::invalid("kind", s, "dir, ha_config, node_red, zigbee2mqtt, wled or fpp")),
        }
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SourceKind::Dir => "dir",
            SourceKind::HaConfig => "ha_config",
            SourceKind::NodeRed => "node_red",
            SourceKind::Zigbee2mqtt => "zigbee2mqtt",
            SourceKind::Wled => "wled",
            SourceKind::Fpp => "fpp",
        })
    }
}

impl SourceKind {
    /// Sources whose archives hold secrets are encrypted unless told not to:
    /// Node-RED credentials, the Zigbee network key, HA's secrets.yaml.
    pub fn secret_bearing(self) -> bool {
        matches!(self, SourceKind::NodeRed | SourceKind::Zigbee2mqtt | SourceKind::HaConfig)
    }

    /// Sources that live on a device, not in a directory: everything is
    /// captured through the device's API and a restore pushes it back.
    pub fn on_device(self) -> bool {
        matches!(self, SourceKind::Wled | SourceKind::Fpp)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub kind: SourceKind,
    /// The directory backed up and restored (not for WLED or FPP).
    pub path: Option<String>,
    /// The server `path` is on, reached over SFTP and SSH (`None` = this machine).
    #[serde(default)]
    pub server: Option<String>,
    /// Names (file or directory, at any depth) left out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Node-RED admin URL (`http://127.0.0.1:1880`).
    pub url: Option<String>,
    /// Node-RED adminAuth user; its password is the vault secret `password_secret`.
    pub user: Option<String>,
    pub password_secret: Option<String>,
    /// Zigbee2MQTT broker `host:port` and base topic.
    pub mqtt: Option<String>,
    pub topic: Option<String>,
    /// WLED device name, or FPP host name (as the lights domain knows them).
    pub device: Option<String>,
    pub encrypt: bool,
    /// Vault secret the archive key is derived from (else a password per run).
    pub key_secret: Option<String>,
    /// Vault secret holding the backup password of a password-keyed source,
    /// used when a run is given none: a scheduled run cannot prompt. Absent
    /// in records written before it existed.
    #[serde(default)]
    pub backup_password_secret: Option<String>,
    pub compression: Compression,
    /// Repository name (`local` when unset).
    pub repo: Option<String>,
    /// A shell command run after a restore; non-zero exit rolls back.
    pub health: Option<String>,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// `None` inherits the site of its server or device. Absent in records written
    /// before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub created: DateTime<Utc>,
}

impl Record for Source {
    const WHAT: &'static str = "backup source";
}

impl Source {
    pub fn key_ref(&self) -> Option<KeyRef> {
        self.encrypt.then(|| self.key_secret.clone().map(KeyRef::Vault).unwrap_or(KeyRef::Password))
    }
    /// The server name when the source lives on a remote server.
    pub fn remote_server(&self) -> Option<&str> {
        self.server.as_deref().filter(|s| *s != "local")
    }
    pub fn repo_name(&self) -> &str {
        self.repo.as_deref().unwrap_or("local")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub id: u64,
    pub source: String,
    pub kind: String,
    pub repo: String,
    /// Path of the archive inside the repository.
    pub file: String,
    pub created: DateTime<Utc>,
    pub size: u64,
    pub sha256: String,
    pub key: Option<KeyRef>,
    pub compression: Compression,
    pub files: u64,
    /// Uncompressed bytes of the files.
    pub bytes: u64,
    pub verified_at: Option<DateTime<Utc>>,
    pub verify_error: Option<String>,
    /// Why it was taken: manual, scheduled, pre-restore, import.
    pub reason: String,
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Record for CatalogEntry {
    const WHAT: &'static str = "backup catalog entry";
}

impl CatalogEntry {
    pub fn encrypted(&self) -> bool {
        self.key.is_some()
    }
}

/// A remote directory on a server, reached over SFTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repo {
    pub name: String,
    pub server: String,
    pub path: String,
}

impl Record for Repo {
    const WHAT: &'static str = "backup repository";
}

/// How many backups to keep, restic-style. Absent = no rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keep {
    pub last: Option<u32>,
    pub hourly: Option<u32>,
    pub daily: Option<u32>,
    pub weekly: Option<u32>,
    pub monthly: Option<u32>,
}

impl Keep {
    pub fn is_empty(&self) -> bool {
        *self == Keep::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupSchedule {
    pub name: String,
    pub source: String,
    pub cron: String,
    pub tz: String,
    pub keep: Keep,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub last_run: Option<DateTime<Utc>>,
    pub last_result: Option<String>,
    #[serde(default)]
    pub missed: Vec<DateTime<Utc>>,
    #[serde(default)]
    pub missed_total: u64,
}

impl Record for BackupSchedule {
    const WHAT: &'static str = "backup schedule";
}

/// Names of sources, repos and schedules: short, safe in file names.
pub fn validate_name(field: &str, name: &str) -> EngineResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.starts_with('.');
    if ok { Ok(()) } else { Err(EngineError::invalid(field, name, "1–64 letters, digits, '-', '_' or '.', not starting with '.'")) }
}
