//! What the engine broadcasts to every subscriber: front ends redraw from
//! these instead of polling.

use super::audit::AuditEntry;
use super::security::SecurityEvent;
use super::servers::health::types::HealthReport;
use super::servers::ssh::Stream;
use super::servers::views::ExecResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Requested,
    Idle,
    PassphraseChanged,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    VaultUnlocked,
    VaultLocked { reason: LockReason },
    /// Secret metadata changed (added, rotated, revoked, accessed).
    SecretsChanged,
    /// An audit entry was written.
    Audit { entry: AuditEntry },
    SecurityRaised { event: SecurityEvent },
    SecurityUpdated { event: SecurityEvent },
    /// Something worth a line in the status bar.
    Notice { text: String },
    // ── servers ──
    /// The inventory changed (added, edited, removed, key pinned).
    ServersChanged,
    /// A health probe finished.
    ServerHealth { report: HealthReport },
    ExecStarted { run: u64, servers: Vec<String>, command: String },
    /// A piece of a command's output (secrets redacted).
    ExecOutput { run: u64, server: String, stream: Stream, text: String },
    ExecFinished { run: u64, result: ExecResult },
    TransferProgress { server: String, path: String, done: u64, total: u64 },
    // ── end servers ──

    // ── esphome ──
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
    // ── end esphome ──

    // ── lights ──
    /// A WLED device's state changed (pushed over /ws, polled, or after a command).
    WledLive { device: String, live: super::lights::views::LiveState },
    /// An FPP host's status was read.
    FppLive { host: String, live: super::lights::views::FppLive },
    /// A light schedule ran.
    LightsScheduleRan { schedule: String, ok: bool, message: String },
    /// Runs of a light schedule were missed (homedeck was not running).
    LightsScheduleMissed { schedule: String, count: u64, last: chrono::DateTime<chrono::Utc> },
    // ── end lights ──

    // ── backups ──
    /// A backup, verify or restore job moved on (bytes done of total).
    BackupProgress { job: u64, kind: String, source: String, done: u64, total: u64 },
    /// A backup was written, verified and catalogued.
    BackupFinished { entry: super::backup::model::CatalogEntry },
    BackupScheduleRan { schedule: String, ok: bool, message: String },
    /// Runs of a backup schedule were missed (homedeck was not running).
    BackupScheduleMissed { schedule: String, count: u64, last: chrono::DateTime<chrono::Utc> },
    /// A watched file changed and was snapshotted.
    BackupSnapshotTaken { snapshot: super::backup::views::SnapshotMeta },
    // ── end backups ──

    // ── deployments ──
    /// A deployment was created, changed state or was deleted.
    DeploymentsChanged,
    /// A line of a long deployment step (venv, pip install, health wait).
    DeployProgress { deployment: String, step: String, line: String },
    /// A line of a followed Home Assistant log.
    DeployLog { deployment: String, line: String },
    /// A followed log stopped.
    DeployLogEnded { deployment: String, reason: String },
    HaProfilesChanged,
    /// An entity changed state on a watched Home Assistant.
    HaState { profile: String, state: super::ha::views::EntityState },
    /// A live entity view ended.
    HaWatchEnded { profile: String, reason: String },
    // ── end deployments ──
}
