//! The settings the engine itself needs. Front ends fill these from the
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
        }
    }
}
