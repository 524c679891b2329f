//! `homedeck deploy …` and `homedeck ha …` arguments.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum DeployCmd {
    /// Install Home Assistant on a server and start it (progress on stderr; Ctrl-C cancels and cleans up)
    Create(Box<CreateArgs>),
    /// Deployments with status, version, port and server
    List {
        /// Probe every deployment now (process + HTTP)
        #[arg(long)]
        health: bool,
    },
    /// Health of one deployment: process, HTTP, API, version, uptime
    Status { name: String },
    Start {
        name: String,
        /// Return once started, without waiting for health
        #[arg(long)]
        no_wait: bool,
    },
    Stop { name: String },
    Restart {
        name: String,
        #[arg(long)]
        no_wait: bool,
    },
    /// Upgrade to VERSION; rolls back by itself if the new version does not come up healthy
    Upgrade {
        name: String,
        version: String,
        /// Seconds the new version gets to come up healthy before the rollback (default: healthy_timeout_secs)
        #[arg(long, value_name = "SECS")]
        health_timeout: Option<u32>,
    },
    /// Delete a deployment (a final config backup is kept unless --no-backup)
    Rm {
        name: String,
        /// Do not keep a final config backup
        #[arg(long)]
        no_backup: bool,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Cancel the create, upgrade or restart running on a deployment
    Cancel { name: String },
    /// Home Assistant's log (several names: lines are prefixed with the name)
    Logs {
        #[arg(required = true, num_args = 1..)]
        names: Vec<String>,
        /// How many lines from the end
        #[arg(long, short = 'n', default_value_t = 200)]
        lines: u32,
        /// Keep printing new lines until Ctrl-C
        #[arg(long, short = 'f')]
        follow: bool,
        /// Only lines containing TEXT (case-insensitive)
        #[arg(long, value_name = "TEXT")]
        grep: Option<String>,
    },
    /// Edit, show, check and revert config files
    #[command(subcommand)]
    Config(ConfigCmd),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Deployment name: letters, digits, - and _
    pub name: String,
    /// The server to install on (see `homedeck server list`; `local` is this machine)
    #[arg(long)]
    pub server: String,
    /// Home Assistant version, e.g. 2024.3.3
    #[arg(long)]
    pub version: String,
    /// venv (pip into a Python virtualenv) or docker
    #[arg(long, default_value = "venv")]
    pub runtime: String,
    /// Port [default: the first free one of [deployments] ports in config.toml]
    #[arg(long)]
    pub port: Option<u16>,
    /// An existing or new Home Assistant config dir on the server [default: under ~/homedeck/deployments/NAME]
    #[arg(long = "ha-config-dir", value_name = "DIR")]
    pub ha_config_dir: Option<String>,
    /// Address HA listens on (e.g. 127.0.0.1) [default: all]
    #[arg(long)]
    pub bind: Option<String>,
    /// A wheelhouse dir on the server for pip --find-links
    #[arg(long)]
    pub find_links: Option<String>,
    /// auto, systemd or homedeck
    #[arg(long)]
    pub supervisor: Option<String>,
    /// Return once started, without waiting for health
    #[arg(long)]
    pub no_wait: bool,
    /// Directory on the server the deployment goes under [default: ~/homedeck/deployments]
    #[arg(long)]
    pub root: Option<String>,
    /// Python interpreter on the server for the venv [default: the newest python3 ≥ 3.11 found]
    #[arg(long)]
    pub python: Option<String>,
    /// The site (home) the deployment is at [default: its server's]
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Open a config file in $EDITOR; saved through homedeck (YAML checked, snapshot kept, HA config check run)
    Edit {
        name: String,
        #[arg(long, default_value = "configuration.yaml")]
        file: String,
    },
    /// Print a config file
    Show {
        name: String,
        #[arg(long, default_value = "configuration.yaml")]
        file: String,
    },
    /// Replace a config file with stdin (YAML checked, snapshot kept, HA config check run)
    Set {
        name: String,
        #[arg(long, default_value = "configuration.yaml")]
        file: String,
    },
    /// Run Home Assistant's config check
    Check { name: String },
    /// Put a config file back as it was before its last save
    Revert {
        name: String,
        #[arg(long, default_value = "configuration.yaml")]
        file: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HaCmd {
    /// Add a connection profile; the long-lived token is prompted (or piped on stdin) unless --token-secret names a vault secret
    Add {
        name: String,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        token_secret: Option<String>,
        /// The deployment this profile reaches (its URL is used when --url is not given)
        #[arg(long)]
        deployment: Option<String>,
        /// The site (home) the instance is at [default: its deployment's]
        #[arg(long)]
        site: Option<String>,
    },
    List,
    Rm {
        name: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Latency, version, location name and entity count
    Test { name: String },
    /// Entity states (filter: light. or *kitchen* or a substring)
    States {
        name: String,
        #[arg(long)]
        filter: Option<String>,
    },
    /// One entity's state history (`--since 2h`, `1d` or a date/time; default the last 24 h)
    History {
        name: String,
        /// The entity id, e.g. sensor.outdoor_temp
        entity: String,
        /// Start of the window: an age (2h, 1d) or a date or time [default: 24h]
        #[arg(long)]
        since: Option<String>,
        /// End of the window, as --since [default: now]
        #[arg(long)]
        until: Option<String>,
    },
    /// Print state changes live until Ctrl-C
    Watch {
        name: String,
        #[arg(long)]
        filter: Option<String>,
    },
    /// Call a service, e.g. `homedeck ha call home light.turn_off --entity light.porch`
    Call {
        name: String,
        service: String,
        #[arg(long)]
        entity: Option<String>,
        /// Extra service data as a JSON object
        #[arg(long)]
        data: Option<String>,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("deploy", "create", "deploy_create"),
    ("deploy", "list", "deploy_list"),
    ("deploy", "status", "deploy_status"),
    ("deploy", "start", "deploy_start"),
    ("deploy", "stop", "deploy_stop"),
    ("deploy", "restart", "deploy_restart"),
    ("deploy", "upgrade", "deploy_upgrade"),
    ("deploy", "rm", "deploy_remove"),
    ("deploy", "cancel", "deploy_cancel"),
    ("deploy", "logs", "deploy_logs"),
    ("ha", "add", "ha_add"),
    ("ha", "list", "ha_list"),
    ("ha", "rm", "ha_remove"),
    ("ha", "test", "ha_test"),
    ("ha", "states", "ha_states"),
    ("ha", "history", "ha_history"),
    ("ha", "watch", "ha_watch"),
    ("ha", "call", "ha_call"),
];
