//! The engine's façade for front ends: besides `Command`, `Outcome`,
//! `Event`, `EngineHandle` and the command table (re-exported at
//! `crate::engine`), this is everything the console, the CLI and the daemon
//! may name. Each domain's shapes are re-exported here, one module per
//! domain, so the engine's internals (stores, protocols, clients) can move
//! without touching a front end. `tests/architecture.rs` holds front ends
//! to it.

/// Counts and sizes as people read them (`1 entry`, `196.9 KiB`).
pub mod text {
    pub use crate::engine::text::{plural, size};
}

/// The vault: secret metadata (never values), kinds, and name validation.
pub mod vault {
    pub use crate::engine::vault::record::validate_name;
    pub use crate::engine::vault::{SecretAccess, SecretKind, SecretMeta, VaultStatus};
}

/// The audit log and security events.
pub mod audit {
    pub use crate::engine::audit::{AuditEntry, AuditPage, Category, Severity, Status};
    pub use crate::engine::security::{SecurityEvent, SecurityStatus};
}

/// Servers: inventory rows, health, run results.
pub mod servers {
    pub use crate::engine::servers::ServerOptions;
    pub use crate::engine::servers::health::Thresholds;
    /// Words typed on a command line, quoted back into one remote line.
    pub use crate::engine::servers::quote::join as join_words;
    /// `host:port` → host and port, for the console's form and the CLI's --host.
    pub use crate::engine::servers::validate::split_address;
    pub use crate::engine::servers::health::types::{HealthReport, HealthState, Point};
    pub use crate::engine::servers::model::{AuthMethod, LOCAL, Server};
    pub use crate::engine::servers::ssh::Stream;
    pub use crate::engine::servers::views::*;
}

/// ESPHome: devices, log records and their colour runs, OTA results.
pub mod esphome {
    pub use crate::engine::esphome::ansi;
    pub use crate::engine::esphome::{
        Device, DeviceInfo, Discovered, Entity, EsphomeOptions, Firmware, LogLevel, LogRecord, OtaPhase, OtaResult,
        OtaStatus, PLATFORMS, ota_summary,
    };
}

/// Lights: WLED and FPP rows, live state, and the argument types of their verbs.
pub mod lights {
    pub use crate::engine::lights::args::{Flag, StopMode};
    pub use crate::engine::lights::fpp::model::FppStatus;
    pub use crate::engine::lights::inventory::{FppHost, Group};
    pub use crate::engine::lights::views::*;
    pub use crate::engine::lights::wled::control::{PICKER, Power};
    pub use crate::engine::lights::wled::model::{choosable, list_name, parse_hex};
}

/// Backups: the overview, catalog entries, restore previews, running jobs.
pub mod backup {
    pub use crate::engine::backup::archive::KeyRef;
    pub use crate::engine::backup::jobs::JobView;
    pub use crate::engine::backup::model::{CatalogEntry, Repo};
    pub use crate::engine::backup::restore::preview::Preview;
    pub use crate::engine::backup::views::*;
}

/// Home Assistant deployments.
pub mod deploy {
    pub use crate::engine::deploy::DeployOptions;
    pub use crate::engine::deploy::model::DeployStatus;
    pub use crate::engine::deploy::ports::parse_range;
    pub use crate::engine::deploy::views::*;
    pub use crate::engine::deploy::yaml::ConfigProblem;
}

/// Connections to running Home Assistant instances.
pub mod ha {
    pub use crate::engine::ha::profile::Profile;
    pub use crate::engine::ha::views::*;
}

/// The one scheduler: every job's state, next and last run.
pub mod scheduler {
    pub use crate::engine::scheduler::jobs::{JobState, LastRun, RunResult};
    pub use crate::engine::scheduler::status::JobView;
    pub use crate::engine::scheduler::cron::parse_cron;
    pub use crate::engine::scheduler::housekeeping::Housekeeping;
}
