//! What a command returns to the front end that ran it.

use super::audit::AuditPage;
use super::secret_value::SecretValue;
use super::security::SecurityEvent;
use super::vault::{SecretAccess, SecretMeta, VaultStatus};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A change went through; the message says what happened, for people.
    Done { message: String },
    VaultStatus { status: VaultStatus },
    Secrets { secrets: Vec<SecretMeta> },
    Secret { meta: SecretMeta, history: Vec<SecretAccess> },
    /// The only outcome that carries a secret value, after an explicit reveal.
    Revealed { name: String, value: SecretValue },
    AuditPage { page: AuditPage },
    AuditCleaned { removed: u64, cutoff: String },
    SecurityEvents { events: Vec<SecurityEvent> },
    SecurityEvent { event: SecurityEvent },
    // ── servers ──
    // ── end servers ──

    // ── esphome ──
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
    // ── end esphome ──

    // ── lights ──
    // ── end lights ──

    // ── backups ──
    // ── end backups ──

    // ── deployments ──
    // ── end deployments ──
}

impl Outcome {
    pub fn done(message: impl Into<String>) -> Self {
        Outcome::Done { message: message.into() }
    }

    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Done { message } => message.clone(),
            Outcome::VaultStatus { status } => match (status.initialized, status.unlocked) {
                (false, _) => "vault not initialised".into(),
                (true, true) => format!("vault unlocked, {} secret(s)", status.secrets),
                (true, false) => format!("vault locked, {} secret(s)", status.secrets),
            },
            Outcome::Secrets { secrets } => format!("{} secret(s)", secrets.len()),
            Outcome::Secret { meta, .. } => format!("secret {}", meta.name),
            Outcome::Revealed { name, .. } => format!("revealed {name}"),
            Outcome::AuditPage { page } => format!("{} audit entr(ies)", page.entries.len()),
            Outcome::AuditCleaned { removed, cutoff } => {
                format!("removed {removed} audit entr(ies) older than {cutoff}")
            }
            Outcome::SecurityEvents { events } => format!("{} security event(s)", events.len()),
            Outcome::SecurityEvent { event } => format!("security event #{}", event.id),
            // ── servers ──
            // ── end servers ──

            // ── esphome ──
            Outcome::EsphomeDevices { devices } => format!("{} ESPHome device(s)", devices.len()),
            Outcome::EsphomeDiscovered { found, .. } => {
                let new = found.iter().filter(|d| d.new).count();
                format!("mDNS found {} ESPHome device(s), {new} new", found.len())
            }
            Outcome::EsphomeInfo { device, info, entities } => {
                format!("{}: ESPHome {} · {} entit(ies)", device.name, info.esphome_version, entities.len())
            }
            Outcome::EsphomeLogsStarted { devices, level } => {
                format!("streaming logs of {} at {level}", devices.join(", "))
            }
            Outcome::EsphomeFirmware { firmware } => format!("{} firmware image(s)", firmware.len()),
            Outcome::EsphomeOta { results } => crate::engine::esphome::ota_summary(results),
            // ── end esphome ──

            // ── lights ──
            // ── end lights ──

            // ── backups ──
            // ── end backups ──

            // ── deployments ──
            // ── end deployments ──
        }
    }
}
