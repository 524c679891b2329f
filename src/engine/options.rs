//! The settings the engine itself needs, and the ones of them a running
//! engine may take on again (a daemon's config reload). Front ends fill these from the
//! command line and config.toml; the engine never reads files of its own.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub data_dir: PathBuf,
    /// Refuse every command that changes state.
    pub readonly: bool,
    /// Lock the vault after this long without use.
    pub idle_lock_secs: u64,
    /// Audit entries older than this are removed by `audit_cleanup`.
    pub audit_retention_days: u32,
    /// `[esphome]` in config.toml.
    pub esphome: crate::engine::esphome::EsphomeOptions,
    /// The servers domain: health polling, thresholds, timeouts.
    pub servers: crate::engine::servers::ServerOptions,
    /// The deployments domain: port range, health and install timeouts.
    pub deploy: crate::engine::deploy::DeployOptions,
    /// A file holding the vault passphrase on its first line, for unattended
    /// runs (`HOMEDECK_PASSPHRASE_FILE`, or systemd's
    /// `$CREDENTIALS_DIRECTORY/homedeck-passphrase`). The one file the engine
    /// reads itself: the scheduler reads it only when a scheduled command
    /// meets a locked vault, so the passphrase is not kept in memory.
    pub passphrase_file: Option<PathBuf>,
    /// The daemon's housekeeping jobs (`[daemon]` in config.toml); off
    /// unless the host is `homedeck daemon`.
    pub housekeeping: crate::engine::scheduler::housekeeping::Housekeeping,
    /// The other places `homedeck doctor` looks at (config and log dirs, the socket).
    pub doctor: crate::engine::doctor::DoctorOptions,
    /// `[alerts]` in config.toml: the rules, how often they run, retention.
    pub alerts: crate::engine::alerts::rules::AlertsOptions,
    /// `[notify]` in config.toml: delivery settings and routes.
    pub notify: crate::engine::notify::NotifyOptions,
    /// `[ai]` in config.toml: the model provider, if any, and the context window.
    pub ai: crate::engine::ai::options::AiOptions,
    /// Each Home Assistant profile's call queue and circuit breaker.
    pub ha_guard: crate::engine::ha::guard::GuardOptions,
}

impl EngineOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        EngineOptions {
            data_dir: data_dir.into(),
            readonly: false,
            idle_lock_secs: 15 * 60,
            audit_retention_days: 365,
            esphome: Default::default(),
            servers: Default::default(),
            deploy: Default::default(),
            passphrase_file: None,
            housekeeping: Default::default(),
            doctor: Default::default(),
            alerts: Default::default(),
            notify: Default::default(),
            ai: Default::default(),
            ha_guard: Default::default(),
        }
    }
}

// ── live settings ──
// Settings a running engine takes on without a restart (the daemon's
// config reload). Everything else in `EngineOptions` — the data dir,
// read-only mode, whether health is polled at all, the credential file —
// is fixed for the life of the engine, because changing it under running
// work would leave that work in a state nobody chose.
//
// Each value is read where it is used (`inner.live.get().idle_lock_secs`,
// `inner.servers.opts.get()`), never copied into a long-lived task, so a
// reload applies at the next use: the next idle check, the next health
// poll, the next OTA or deployment step.

use crate::engine::esphome::EsphomeOptions;
use std::sync::RwLock;

/// One setting (or group) that can be replaced while readers use it.
/// Readers get a copy, so no lock is held across an await.
#[derive(Debug)]
pub struct Live<T>(RwLock<T>);

impl<T: Clone> Live<T> {
    pub fn new(value: T) -> Self {
        Live(RwLock::new(value))
    }

    pub fn get(&self) -> T {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, value: T) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = value;
    }
}

/// The live settings that belong to no domain runtime.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    pub idle_lock_secs: u64,
    pub audit_retention_days: u32,
    pub esphome: EsphomeOptions,
    /// The daemon's housekeeping jobs and when they run.
    pub housekeeping: crate::engine::scheduler::housekeeping::Housekeeping,
}

impl LiveSettings {
    pub fn from_options(opts: &EngineOptions) -> Self {
        LiveSettings { idle_lock_secs: opts.idle_lock_secs, audit_retention_days: opts.audit_retention_days, esphome: opts.esphome.clone(), housekeeping: opts.housekeeping.clone() }
    }
}

/// The settings of `opts` that apply live, in every place that reads them.
/// `poll_health` is kept as it was: starting or stopping the poller is a
/// restart.
pub(crate) fn apply_live(inner: &crate::engine::Inner, opts: &EngineOptions) {
    inner.live.set(LiveSettings::from_options(opts));
    let mut servers = opts.servers.clone();
    servers.poll_health = inner.opts.servers.poll_health;
    inner.servers.opts.set(servers);
    inner.deploy.opts.set(opts.deploy.clone());
    // New rules: evaluate them now.
    inner.alerts.opts.set(opts.alerts.clone());
    inner.alerts.wake.notify_one();
    inner.notify.opts.set(opts.notify.clone());
    inner.ai.opts.set(opts.ai.clone());
    // New housekeeping times: the scheduler looks again.
    crate::engine::scheduler::wake(inner);
}
