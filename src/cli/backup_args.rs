//! `homedeck backup …` arguments.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum BackupCmd {
    /// Back a source up now (archive, read back, verify, catalog)
    Create { source: String },
    /// The catalog, newest first
    List {
        /// One source, or site:NAME for every source at a site
        #[arg(long)]
        source: Option<String>,
    },
    /// Re-read archives and check every hash (all, or one id)
    Verify { id: Option<u64> },
    /// Restore a backup: shows what changes, asks, then restores with rollback
    Restore {
        /// Backup id from `backup list`
        id: Option<u64>,
        /// An archive file instead of a catalogued backup
        #[arg(long, value_name = "ARCHIVE")]
        file: Option<PathBuf>,
        /// Restore into this directory [default: the source's path]
        #[arg(long)]
        target: Option<PathBuf>,
        /// Restore only this file (path inside the source)
        #[arg(long)]
        only: Option<String>,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Forget old backups of a source, restic-style
    Forget(ForgetArgs),
    /// Cron schedules per source
    #[command(subcommand)]
    Schedule(ScheduleCmd),
    /// Export homedeck's whole state to an encrypted file
    Export { path: PathBuf },
    /// Import an export, replacing homedeck's whole state
    Import {
        path: PathBuf,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Snapshots of watched files (all, or of one file)
    Snapshots { file: Option<String> },
    /// Unified diff between two snapshots (or a snapshot and the file now)
    Diff { a: u64, b: Option<u64> },
    /// Watched files: watch, unwatch, take, restore
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
    /// Backup sources
    #[command(subcommand)]
    Source(SourceCmd),
    /// Remote repositories (SFTP on a server)
    #[command(subcommand)]
    Repo(RepoCmd),
    /// Running jobs
    Jobs,
    /// Cancel a running job
    Cancel { job: u64 },
    /// Run schedules and snapshot watched files until Ctrl-C
    Watch,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    pub source: String,
    #[arg(long)]
    pub keep_last: Option<u32>,
    #[arg(long)]
    pub keep_hourly: Option<u32>,
    #[arg(long)]
    pub keep_daily: Option<u32>,
    #[arg(long)]
    pub keep_weekly: Option<u32>,
    #[arg(long)]
    pub keep_monthly: Option<u32>,
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    List,
    Add {
        name: String,
        source: String,
        /// Five cron fields, e.g. "0 3 * * *"
        cron: String,
        #[arg(long)]
        tz: Option<String>,
        #[arg(long)]
        keep_last: Option<u32>,
        #[arg(long)]
        keep_hourly: Option<u32>,
        #[arg(long)]
        keep_daily: Option<u32>,
        #[arg(long)]
        keep_weekly: Option<u32>,
        #[arg(long)]
        keep_monthly: Option<u32>,
    },
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    Watch { file: PathBuf },
    Unwatch { file: PathBuf },
    Take { file: PathBuf },
    Restore {
        id: u64,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SourceCmd {
    List,
    Add(Box<SourceAddArgs>),
    Remove {
        name: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct SourceAddArgs {
    pub name: String,
    /// dir, ha_config, node_red, zigbee2mqtt, wled or fpp
    #[arg(long)]
    pub kind: String,
    /// The directory (absolute)
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Node-RED editor URL, for live flows and the post-restore deployment
    #[arg(long)]
    pub url: Option<String>,
    /// Node-RED adminAuth user
    #[arg(long)]
    pub user: Option<String>,
    /// Vault secret holding the Node-RED admin password
    #[arg(long)]
    pub password_secret: Option<String>,
    /// Zigbee2MQTT's MQTT broker host:port
    #[arg(long)]
    pub mqtt: Option<String>,
    /// Zigbee2MQTT base topic [default: zigbee2mqtt]
    #[arg(long)]
    pub topic: Option<String>,
    /// WLED device or FPP host name
    #[arg(long)]
    pub device: Option<String>,
    /// Names to leave out, comma-separated
    #[arg(long)]
    pub exclude: Option<String>,
    /// Home Assistant: leave out the recorder database
    #[arg(long)]
    pub exclude_db: bool,
    /// Encrypt (default: on for node_red, zigbee2mqtt, ha_config)
    #[arg(long)]
    pub encrypt: Option<bool>,
    /// Vault secret the archive key comes from (else a password each run)
    #[arg(long)]
    pub key_secret: Option<String>,
    /// Vault secret holding the backup password, used when none is given (scheduled runs)
    #[arg(long, conflicts_with = "key_secret")]
    pub backup_password_secret: Option<String>,
    /// zstd (default) or gzip
    #[arg(long)]
    pub compression: Option<String>,
    /// Repository name [default: local]
    #[arg(long)]
    pub repo: Option<String>,
    /// Shell command run in the target after a restore; failure rolls back
    #[arg(long)]
    pub health: Option<String>,
    /// The server the path is on (over SFTP/SSH; sent as path=SERVER:/dir) [default: local]
    #[arg(long)]
    pub server: Option<String>,
    /// The site (home) the source is at [default: its server's or device's]
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RepoCmd {
    List,
    /// A directory on a server: NAME SERVER /abs/path
    Add { name: String, server: String, path: String },
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("backup", "create", "backup_create"),
    ("backup", "list", "backup_list"),
    ("backup", "verify", "backup_verify"),
    ("backup", "restore", "backup_restore"),
    ("backup", "forget", "backup_forget"),
    ("backup", "export", "backup_export"),
    ("backup", "import", "backup_import"),
    ("backup", "snapshots", "backup_snapshots"),
    ("backup", "diff", "backup_diff"),
    ("backup", "jobs", "backup_jobs"),
    ("backup", "cancel", "backup_cancel"),
    ("backup", "watch", "backup_watch"),
];
