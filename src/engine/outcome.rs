//! What a command returns to the front end that ran it.

use super::audit::AuditPage;
use super::secret_value::SecretValue;
use super::security::SecurityEvent;
use super::servers::health::types::HealthReport;
use super::servers::tailscale::Status as TailscaleStatus;
use super::servers::views::{ExecResult, ImportRow, ServerDetail, ServerView, TestReport, TransferReport};
use super::vault::{SecretAccess, SecretMeta, VaultStatus};
use serde::{Deserialize, Serialize};
// ── lights imports ──
use super::lights::views as lv;
// ── end lights imports ──
// ── backups imports ──
use super::backup::views as bv;
// ── end backups imports ──
// ── deployments imports ──
use super::deploy::views as dv;
use super::ha::views as hv;
// ── end deployments imports ──

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
    Servers { servers: Vec<ServerView> },
    Server { detail: Box<ServerDetail> },
    ServerTested { report: TestReport },
    ExecDone { run: u64, command: String, results: Vec<ExecResult> },
    Health { reports: Vec<HealthReport> },
    SshImport { rows: Vec<ImportRow>, dry_run: bool },
    Transferred { report: TransferReport },
    Tailscale { status: Box<TailscaleStatus> },
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
    WledDevices { devices: Vec<lv::WledRow> },
    WledDetail { detail: lv::WledDetail },
    /// One command on a device or group: a result per device.
    WledResults { action: String, results: Vec<lv::DeviceResult> },
    WledPresets { device: String, presets: Vec<lv::PresetView> },
    WledGroups { groups: Vec<crate::engine::lights::inventory::Group> },
    WledSchedules { schedules: Vec<lv::ScheduleView> },
    WledDiscovered { found: Vec<lv::Discovered> },
    WledExported { export: lv::WledExport },
    FppHosts { hosts: Vec<lv::FppRow>, notice: String },
    FppDiscovered { found: Vec<lv::Discovered> },
    FppStatus { host: crate::engine::lights::inventory::FppHost, status: crate::engine::lights::fpp::model::FppStatus, notice: String },
    FppPlaylists { host: String, playlists: Vec<String> },
    FppSchedule { schedule: lv::FppSchedule },
    FppSystems { host: String, systems: Vec<lv::FppSystem> },
    // ── end lights ──

    // ── backups ──
    BackupOverview { overview: Box<bv::Overview> },
    BackupSources { sources: Vec<bv::SourceView> },
    BackupCreated { entry: crate::engine::backup::model::CatalogEntry },
    BackupCatalog { entries: Vec<crate::engine::backup::model::CatalogEntry> },
    BackupVerified { results: Vec<bv::VerifyResult> },
    BackupPreview { preview: crate::engine::backup::restore::preview::Preview },
    /// `restarted`: the homedeck deployment restarted (and healthy) after it.
    BackupRestored { preview: crate::engine::backup::restore::preview::Preview, pre_restore: Option<u64>, carried: u64, restarted: Option<String> },
    BackupForgot { forget: bv::Forget },
    BackupSchedules { schedules: Vec<bv::ScheduleView> },
    BackupRepos { repos: Vec<crate::engine::backup::model::Repo> },
    BackupJobs { jobs: Vec<crate::engine::backup::jobs::JobView> },
    BackupExported { export: bv::Exported },
    BackupSnapshots { snapshots: Vec<bv::SnapshotMeta> },
    BackupDiff { a: u64, b: Option<u64>, diff: String },
    // ── end backups ──

    // ── deployments ──
    Deployments { deployments: Vec<dv::DeploymentView> },
    Deployment { view: Box<dv::DeploymentView> },
    Upgraded { report: dv::UpgradeReport },
    DeploymentRemoved { report: dv::RemoveReport },
    DeployLogs { deployment: String, lines: Vec<String>, following: bool },
    DeployConfig { file: dv::ConfigFile },
    DeployConfigSaved { deployment: String, path: String, check: Option<dv::ConfigCheck> },
    DeployConfigChecked { deployment: String, check: dv::ConfigCheck },
    HaProfiles { profiles: Vec<crate::engine::ha::profile::Profile> },
    HaTested { report: hv::HaTestReport },
    HaStates { profile: String, states: Vec<hv::EntityState> },
    HaCalled { profile: String, service: String, changed: Vec<hv::EntityState> },
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
            Outcome::Servers { servers } => format!("{} server(s)", servers.len()),
            Outcome::Server { detail } => format!("server {}", detail.view.server.name),
            Outcome::ServerTested { report } => {
                format!("{}: connected in {} ms — {} ({})", report.server, report.connect_ms, report.os, report.kernel)
            }
            Outcome::ExecDone { run, results, .. } => {
                let ok = results.iter().filter(|r| r.ok()).count();
                format!("run {run}: {ok} of {} server(s) succeeded", results.len())
            }
            Outcome::Health { reports } => {
                let up = reports.iter().filter(|r| r.state == crate::engine::servers::health::types::HealthState::Up).count();
                format!("{up} of {} server(s) up", reports.len())
            }
            Outcome::SshImport { rows, dry_run } => {
                let n = rows.iter().filter(|r| r.action != "skipped").count();
                format!("{n} server(s) {}", if *dry_run { "would be imported" } else { "imported" })
            }
            Outcome::Transferred { report } => format!("{} bytes in {} ms", report.bytes, report.millis),
            Outcome::Tailscale { status } => format!("tailnet {}: {} peer(s)", status.tailnet, status.peers.len()),
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
            Outcome::WledDevices { devices } => format!("{} WLED device(s)", devices.len()),
            Outcome::WledDetail { detail } => format!(
                "{}: {}, brightness {}",
                detail.device.name,
                if detail.state.on { "on" } else { "off" },
                detail.state.bri
            ),
            Outcome::WledResults { action, results } => {
                let ok = results.iter().filter(|r| r.ok).count();
                match results.as_slice() {
                    [one] => format!("{}: {}", one.device, one.message),
                    _ => format!("{action}: {ok} of {} device(s) ok", results.len()),
                }
            }
            Outcome::WledPresets { device, presets } => format!("{device}: {} preset(s)", presets.len()),
            Outcome::WledGroups { groups } => format!("{} group(s)", groups.len()),
            Outcome::WledSchedules { schedules } => format!("{} schedule(s)", schedules.len()),
            Outcome::WledDiscovered { found } => format!("{} WLED device(s) found", found.len()),
            Outcome::WledExported { export } => format!("exported presets and cfg of {}", export.device),
            Outcome::FppHosts { hosts, .. } => format!("{} FPP host(s)", hosts.len()),
            Outcome::FppDiscovered { found } => format!("{} Falcon Player host(s) found", found.len()),
            Outcome::FppStatus { host, status, .. } => format!("{}: {}", host.name, status.state_name()),
            Outcome::FppPlaylists { host, playlists } => format!("{host}: {} playlist(s)", playlists.len()),
            Outcome::FppSchedule { schedule } => format!("{}: {} schedule entr(ies)", schedule.host, schedule.entries.len()),
            Outcome::FppSystems { host, systems } => format!("{host}: {} MultiSync system(s)", systems.len()),
            // ── end lights ──

            // ── backups ──
            Outcome::BackupOverview { overview } => {
                format!("{} source(s), {} backup(s), {} schedule(s)", overview.sources.len(), overview.catalog.len(), overview.schedules.len())
            }
            Outcome::BackupSources { sources } => format!("{} backup source(s)", sources.len()),
            Outcome::BackupCreated { entry } => format!(
                "backup #{} of {}: {} file(s), {} bytes{}, verified",
                entry.id,
                entry.source,
                entry.files,
                entry.size,
                if entry.encrypted() { ", encrypted" } else { "" }
            ),
            Outcome::BackupCatalog { entries } => format!("{} backup(s)", entries.len()),
            Outcome::BackupVerified { results } => {
                let bad = results.iter().filter(|r| !r.ok).count();
                if bad == 0 { format!("{} backup(s) verified, all good", results.len()) } else { format!("{bad} of {} backup(s) FAILED verification", results.len()) }
            }
            Outcome::BackupPreview { preview } => format!(
                "restore of {} into {} would add {}, change {}, remove {} file(s); nothing is changed until it is confirmed",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len()
            ),
            Outcome::BackupRestored { preview, pre_restore, restarted, .. } => format!(
                "restored {} into {} ({} added, {} changed, {} removed){}{}",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len(),
                pre_restore.map(|p| format!("; pre-restore backup #{p}")).unwrap_or_default(),
                restarted.as_ref().map(|d| format!("; deployment {d} restarted and healthy")).unwrap_or_default()
            ),
            Outcome::BackupForgot { forget } => {
                let gone = forget.decisions.iter().filter(|d| !d.keep()).count();
                format!("{} {gone} of {} backup(s) of {}", if forget.dry_run { "would forget" } else { "forgot" }, forget.decisions.len(), forget.source)
            }
            Outcome::BackupSchedules { schedules } => format!("{} backup schedule(s)", schedules.len()),
            Outcome::BackupRepos { repos } => format!("{} remote repositor(ies) (and local)", repos.len()),
            Outcome::BackupJobs { jobs } => format!("{} running backup job(s)", jobs.len()),
            Outcome::BackupExported { export } => format!("exported {} record(s) to {}", export.records, export.path),
            Outcome::BackupSnapshots { snapshots } => format!("{} snapshot(s)", snapshots.len()),
            Outcome::BackupDiff { diff, .. } => {
                if diff.is_empty() { "no differences".into() } else { format!("{} changed line(s)", diff.lines().filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---")).count()) }
            }
            // ── end backups ──

            // ── deployments ──
            Outcome::Deployments { deployments } => format!("{} deployment(s)", deployments.len()),
            Outcome::Deployment { view } => {
                let d = &view.deployment;
                match &view.health {
                    Some(h) => format!("{}: {} (Home Assistant {} on {}:{})", d.name, h.state.as_str(), h.version.as_deref().unwrap_or(&d.version), d.server, d.port),
                    None => format!("{}: {} (Home Assistant {} on {}:{})", d.name, d.status, d.version, d.server, d.port),
                }
            }
            Outcome::Upgraded { report } => format!("{}: upgraded {} → {}", report.deployment, report.from, report.to),
            Outcome::DeploymentRemoved { report } => match &report.backup_local {
                Some(b) => format!("deleted {}; final config backup at {b}", report.deployment),
                None => format!("deleted {} (no backup kept)", report.deployment),
            },
            Outcome::DeployLogs { deployment, lines, following } => {
                if *following { format!("following the log of {deployment}") } else { format!("{deployment}: {} log line(s)", lines.len()) }
            }
            Outcome::DeployConfig { file } => format!("{}: {} ({} bytes)", file.deployment, file.path, file.content.len()),
            Outcome::DeployConfigSaved { deployment, path, check } => match check {
                Some(c) if c.ok => format!("{deployment}: saved {path}; config check passed"),
                Some(c) => format!("{deployment}: saved {path}; config check found {} problem(s)", c.problems.len()),
                None => format!("{deployment}: saved {path}"),
            },
            Outcome::DeployConfigChecked { deployment, check } => {
                if check.ok { format!("{deployment}: configuration valid") } else { format!("{deployment}: {} config problem(s)", check.problems.len()) }
            }
            Outcome::HaProfiles { profiles } => format!("{} Home Assistant profile(s)", profiles.len()),
            Outcome::HaTested { report } => format!(
                "{}: Home Assistant {} \"{}\", {} entities, {} ms",
                report.profile, report.version, report.location_name, report.entity_count, report.latency_ms
            ),
            Outcome::HaStates { profile, states } => format!("{profile}: {} entit(ies)", states.len()),
            Outcome::HaCalled { profile, service, changed } => format!("{profile}: called {service}; {} state(s) changed", changed.len()),
            // ── end deployments ──
        }
    }
}
