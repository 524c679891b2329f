//! config.toml: read at start, written with commented defaults on first run.
//! Unknown keys and bad values are errors that name the key and the value —
//! a typo should never be silently ignored.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use crate::engine::views::servers as homedeck_servers;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: General,
    pub vault: VaultConfig,
    pub audit: AuditConfig,
    pub esphome: EsphomeConfig,
    pub servers: ServersConfig,
    pub deployments: DeploymentsConfig,
    pub daemon: DaemonConfig,
    pub alerts: crate::config_alerts::AlertsConfig,
    pub notify: crate::engine::views::notify::NotifyOptions,
    pub mcp: crate::config_mcp::McpConfig,
    pub ai: crate::config_ai::AiConfig,
}

/// `[daemon]`: when `homedeck daemon` does its housekeeping (cron, local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DaemonConfig {
    pub audit_cleanup: String,
    pub rotation_check: String,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        let h = crate::engine::views::scheduler::Housekeeping::default();
        DaemonConfig { audit_cleanup: h.audit_cleanup, rotation_check: h.rotation_check }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EsphomeConfig {
    pub mdns_interfaces: Vec<String>,
    pub api_timeout_secs: u64,
    pub log_scrollback: usize,
    pub ota_concurrency: u32,
    pub ota_confirm_secs: u32,
}

impl Default for EsphomeConfig {
    fn default() -> Self {
        EsphomeConfig {
            mdns_interfaces: Vec::new(),
            api_timeout_secs: 10,
            log_scrollback: 50_000,
            ota_concurrency: 4,
            ota_confirm_secs: 90,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct General {
    pub readonly: bool,
    pub theme: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VaultConfig {
    pub idle_lock_secs: u64,
    pub reveal_hide_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    pub retention_days: u32,
}

/// `[deployments]`: the port range and the timeouts of Home Assistant deployments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentsConfig {
    pub ports: String,
    pub start_grace_secs: u64,
    pub healthy_timeout_secs: u64,
    pub install_timeout_secs: u64,
}

impl Default for DeploymentsConfig {
    fn default() -> Self {
        DeploymentsConfig { ports: "8123,8200-8300".into(), start_grace_secs: 300, healthy_timeout_secs: 600, install_timeout_secs: 1800 }
    }
}

impl DeploymentsConfig {
    pub fn options(&self) -> crate::engine::views::deploy::DeployOptions {
        use std::time::Duration;
        crate::engine::views::deploy::DeployOptions {
            port_range: self.ports.clone(),
            start_grace: Duration::from_secs(self.start_grace_secs),
            healthy_timeout: Duration::from_secs(self.healthy_timeout_secs),
            install_timeout: Duration::from_secs(self.install_timeout_secs),
        }
    }

    fn validate(&self) -> Result<()> {
        if let Err(e) = crate::engine::views::deploy::parse_range(&self.ports) {
            bail!("deployments.ports = {:?} — {e}", self.ports);
        }
        for (k, v, lo) in [
            ("start_grace_secs", self.start_grace_secs, 10),
            ("healthy_timeout_secs", self.healthy_timeout_secs, 10),
            ("install_timeout_secs", self.install_timeout_secs, 60),
        ] {
            if v < lo || v > 86_400 {
                bail!("deployments.{k} = {v} — expected {lo} to 86400 (seconds)");
            }
        }
        Ok(())
    }
}

/// `[servers]`: health polling, thresholds and timeouts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServersConfig {
    pub health_interval_secs: u64,
    pub history_hours: u32,
    pub disk_pct: f32,
    pub load_per_core: f32,
    pub mem_pct: f32,
    pub connect_timeout_secs: u64,
    pub exec_concurrency: usize,
    pub poll_concurrency: usize,
}

impl Default for ServersConfig {
    fn default() -> Self {
        ServersConfig {
            health_interval_secs: 15,
            history_hours: 24,
            disk_pct: 90.0,
            load_per_core: 2.0,
            mem_pct: 95.0,
            connect_timeout_secs: 10,
            exec_concurrency: 8,
            poll_concurrency: 16,
        }
    }
}

impl ServersConfig {
    /// The engine's options from these settings (`poll` in the console only).
    pub fn options(&self, poll: bool) -> homedeck_servers::ServerOptions {
        homedeck_servers::ServerOptions {
            poll_health: poll,
            health_interval: std::time::Duration::from_secs(self.health_interval_secs),
            history_hours: self.history_hours,
            thresholds: homedeck_servers::Thresholds {
                disk_pct: self.disk_pct,
                load_per_core: self.load_per_core,
                mem_pct: self.mem_pct,
            },
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_secs),
            poll_concurrency: self.poll_concurrency,
            exec_concurrency: self.exec_concurrency,
        }
    }

    fn validate(&self) -> Result<()> {
        let s = self;
        if s.health_interval_secs < 5 {
            bail!("servers.health_interval_secs = {} — expected at least 5 (seconds)", s.health_interval_secs);
        }
        if !(1..=720).contains(&s.history_hours) {
            bail!("servers.history_hours = {} — expected 1 to 720 (hours)", s.history_hours);
        }
        for (k, v) in [("disk_pct", s.disk_pct), ("mem_pct", s.mem_pct)] {
            if !(1.0..=100.0).contains(&v) {
                bail!("servers.{k} = {v} — expected a percentage from 1 to 100");
            }
        }
        if s.load_per_core.is_nan() || s.load_per_core <= 0.0 {
            bail!("servers.load_per_core = {} — expected a positive number (load per CPU core)", s.load_per_core);
        }
        if !(1..=300).contains(&s.connect_timeout_secs) {
            bail!("servers.connect_timeout_secs = {} — expected 1 to 300 (seconds)", s.connect_timeout_secs);
        }
        for (k, v) in [("exec_concurrency", s.exec_concurrency), ("poll_concurrency", s.poll_concurrency)] {
            if !(1..=256).contains(&v) {
                bail!("servers.{k} = {v} — expected 1 to 256");
            }
        }
        Ok(())
    }
}

impl Default for General {
    fn default() -> Self {
        General { readonly: false, theme: "dark".into() }
    }
}

impl Default for VaultConfig {
    fn default() -> Self {
        VaultConfig { idle_lock_secs: 900, reveal_hide_secs: 20 }
    }
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { retention_days: 365 }
    }
}

/// What a first run writes: every setting, its default, and what it does.
pub const DEFAULT_TEXT: &str = r#"# homedeck configuration. Every setting is listed with its default value.
# Delete a line to go back to the default.

[general]
# Refuse every command that changes state (same as starting with --readonly).
readonly = false
# Colour theme: dark, light, 16color — or the name of a file in themes/ beside
# this file (themes/mine.toml → theme = "mine").
theme = "dark"

[vault]
# Lock the vault after this many seconds without use (at least 10).
idle_lock_secs = 900
# Hide a revealed secret in the console after this many seconds (at least 1).
reveal_hide_secs = 20

[audit]
# `audit cleanup` removes entries older than this many days (at least 1).
retention_days = 365

[esphome]
# Interfaces mDNS discovery may use, e.g. ["eth0"]. Empty: every real LAN
# interface (never loopback).
mdns_interfaces = []
# Seconds to wait for a device's answer on the native API.
api_timeout_secs = 10
# Log lines kept per device in the console's logs view (at least 100).
log_scrollback = 50000
# Uploads running at once in a bulk OTA (1–32).
ota_concurrency = 4
# Seconds after an upload for a device to come back with the new version.
ota_confirm_secs = 90

[servers]
# Probe every server's health this often while the console runs (at least 5).
health_interval_secs = 15
# Keep this many hours of one-minute health history per server (1–720).
history_hours = 24
# A server is "degraded" when a disk is fuller than this (percent) …
disk_pct = 90.0
# … when the 1-minute load is above cores × this …
load_per_core = 2.0
# … or when memory use is above this (percent).
mem_pct = 95.0
# Give up connecting (TCP, SSH handshake, login) after this many seconds.
connect_timeout_secs = 10
# How many servers a command runs on at once, and how many are probed at once.
exec_concurrency = 8
poll_concurrency = 16

[deployments]
# Ports handed to new Home Assistant deployments: HA's own 8123 first, then
# a block; a port is skipped when the server already listens on it.
ports = "8123,8200-8300"
# A starting Home Assistant counts as "starting" (not "unhealthy") this long.
start_grace_secs = 300
# How long create, start, restart and upgrade wait for a healthy instance
# (an upgrade that is not healthy by then is rolled back).
healthy_timeout_secs = 600
# Longest a pip install or image pull may take.
install_timeout_secs = 1800

[daemon]
# When `homedeck daemon` removes audit entries older than [audit]
# retention_days, and checks which secrets are due for rotation (cron, in
# local time; a notice is raised when any are due).
audit_cleanup = "30 3 * * *"
rotation_check = "0 9 * * *"

[notify]
# Where notifications go: add [[notify.routes]] entries (see the user guide,
# "Notifications"). A delivery is tried this many times …
max_attempts = 10
# … waiting about this many seconds after the first failure, twice as long
# after each next one (with jitter), but never longer than backoff_max_secs.
backoff_secs = 5
backoff_max_secs = 3600
# One attempt gives up after this many seconds.
timeout_secs = 10
# Deliveries sent at once.
concurrency = 8
#
# [[notify.routes]]
# name = "phone"
# kind = "ntfy"                 # webhook, ntfy, gotify, slack, discord, ha, email
# url = "https://ntfy.sh"
# topic = "my-homelab"
# min_severity = "medium"       # info, low, medium, high, critical
# batch_secs = 0                # collect notices this long into one message
"#;

impl Config {
    /// Load `path`, writing the commented defaults first if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Config> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(path, format!("{DEFAULT_TEXT}{}{}{}", crate::config_alerts::default_text(), crate::config_mcp::DEFAULT_TEXT, crate::config_ai::DEFAULT_TEXT)).with_context(|| format!("cannot write {}", path.display()))?;
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Fill the engine's settings from this config: everything but
    /// read-only mode, health polling and the credential file, which the
    /// caller decides. Shared by start-up and the daemon's reload, so both
    /// read config.toml the same way.
    pub fn fill_engine_options(&self, opts: &mut crate::engine::EngineOptions) {
        opts.idle_lock_secs = self.vault.idle_lock_secs;
        opts.audit_retention_days = self.audit.retention_days;
        opts.esphome = crate::engine::views::esphome::EsphomeOptions {
            mdns_interfaces: self.esphome.mdns_interfaces.clone(),
            api_timeout_secs: self.esphome.api_timeout_secs,
            ota_concurrency: self.esphome.ota_concurrency,
            confirm_secs: self.esphome.ota_confirm_secs,
        };
        opts.servers = self.servers.options(opts.servers.poll_health);
        opts.deploy = self.deployments.options();
        opts.housekeeping.audit_cleanup = self.daemon.audit_cleanup.clone();
        opts.housekeeping.rotation_check = self.daemon.rotation_check.clone();
        opts.alerts = self.alerts.options().unwrap_or_default();
        opts.notify = self.notify.clone();
        opts.ai = self.ai.options().unwrap_or_default();
    }

    pub fn parse(text: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<()> {
        if self.vault.idle_lock_secs < 10 {
            bail!("vault.idle_lock_secs = {} — expected at least 10 (seconds)", self.vault.idle_lock_secs);
        }
        if self.vault.reveal_hide_secs == 0 {
            bail!("vault.reveal_hide_secs = 0 — expected at least 1 (seconds)");
        }
        let e = &self.esphome;
        if e.log_scrollback < 100 {
            bail!("esphome.log_scrollback = {} — expected at least 100 (lines per device)", e.log_scrollback);
        }
        if !(1..=32).contains(&e.ota_concurrency) {
            bail!("esphome.ota_concurrency = {} — expected 1 to 32", e.ota_concurrency);
        }
        if e.api_timeout_secs == 0 || e.ota_confirm_secs == 0 {
            bail!("esphome.api_timeout_secs and esphome.ota_confirm_secs must be at least 1 (seconds)");
        }
        if self.audit.retention_days == 0 {
            bail!("audit.retention_days = 0 — expected at least 1 (days)");
        }
        self.servers.validate()?;
        self.deployments.validate()?;
        self.alerts.options()?;
        self.notify.validate()?;
        self.alerts.check_routes(&self.notify)?;
        self.mcp.validate()?;
        self.ai.options()?;
        for (k, v) in [("audit_cleanup", &self.daemon.audit_cleanup), ("rotation_check", &self.daemon.rotation_check)] {
            if let Err(e) = crate::engine::views::scheduler::parse_cron(v) {
                bail!("daemon.{k} = {v:?} — {e}");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_text_is_the_defaults() {
        assert_eq!(Config::parse(DEFAULT_TEXT).unwrap(), Config::default());
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::parse(crate::config_mcp::DEFAULT_TEXT).unwrap(), Config::default());
        assert_eq!(Config::parse(crate::config_ai::DEFAULT_TEXT).unwrap(), Config::default());
    }

    #[test]
    fn typos_and_bad_values_are_named() {
        let e = format!("{:#}", Config::parse("[vault]\nidle_lock = 5\n").unwrap_err());
        assert!(e.contains("idle_lock"), "{e}");
        let e = format!("{:#}", Config::parse("[vault]\nidle_lock_secs = 5\n").unwrap_err());
        assert!(e.contains("idle_lock_secs = 5") && e.contains("at least 10"), "{e}");
        let e = format!("{:#}", Config::parse("[general]\nreadonly = \"yes\"\n").unwrap_err());
        assert!(e.contains("readonly") || e.contains("bool"), "{e}");
        let e = format!("{:#}", Config::parse("[deployments]\nports = \"9000-8000\"\n").unwrap_err());
        assert!(e.contains("deployments.ports") && e.contains("9000-8000"), "{e}");
    }

    #[test]
    fn first_run_writes_commented_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/config.toml");
        assert_eq!(Config::load_or_create(&p).unwrap(), Config::default());
        assert!(std::fs::read_to_string(&p).unwrap().contains("# Lock the vault"));
    }
}
