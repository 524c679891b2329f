//! The command line. Subcommand help texts come from the engine's command
//! table (see `with_table_docs`), so `homedeck secret add --help` and the
//! palette describe a verb in the same words.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "homedeck", version, about = "A keyboard-driven terminal console for running a Home Assistant homelab.",
    long_about = "A keyboard-driven terminal console for running a Home Assistant homelab.\n\nRun without a subcommand to open the console. Subcommands drive the same engine from scripts; add --json for machine-readable output.")]
// Listed apart in every subcommand's help, after its own options.
#[command(next_help_heading = "Global options")]
pub struct Cli {
    /// Where the database lives [default: $XDG_DATA_HOME/homedeck]
    #[arg(long, global = true, env = "HOMEDECK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where config.toml, keymap.toml and themes/ live [default: $XDG_CONFIG_HOME/homedeck]
    #[arg(long, global = true, env = "HOMEDECK_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Refuse every command that changes state
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Print machine-readable JSON instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Show what a command that changes state would do (the engine's preview) and change nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Attach to the homedeck daemon on this server (a name from the Servers inventory) through SSH
    #[arg(long, global = true, value_name = "SERVER")]
    pub remote: Option<String>,
    /// The daemon's socket path on the --remote server [default: its user's data dir's homedeck.sock]
    #[arg(long, global = true, value_name = "PATH", requires = "remote")]
    pub remote_socket: Option<String>,
    /// Start even when the data dir is open to other users or owned by another user
    #[arg(long, global = true)]
    pub insecure_permissions: bool,
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Create, unlock-check, lock and re-key the secrets vault
    #[command(subcommand)]
    Vault(VaultCmd),
    /// Store, list, reveal, rotate and revoke secrets
    #[command(subcommand)]
    Secret(SecretCmd),
    /// Search and prune the audit log
    #[command(subcommand)]
    Audit(AuditCmd),
    /// List, follow and respond to security events
    Events(EventsArgs),
    /// Run the engine headless (for systemd); `daemon status`, `daemon stop`
    Daemon(DaemonArgs),
    /// Serve MCP on stdin/stdout for an AI client (tools from the command table); `mcp status`
    Mcp(super::mcp_cmds::McpArgs),
    /// API tokens for MCP clients: create (printed once), list, show, revoke, rotate
    #[command(subcommand)]
    Token(super::token_cmds::TokenCmd),
    /// List every engine command with its permission class
    Commands,
    /// Run any engine command by name: `homedeck run secret_show name=ha-token`
    Run(RunArgs),
    /// Every schedule of every kind (backups, lights): next and last run, waiting for unlock
    #[command(subcommand)]
    Schedule(super::schedule_cmds::ScheduleCmd),
    /// Is everything all right, and what happened since you last looked
    Overview(super::overview_cmds::OverviewArgs),
    // Every domain's own subcommands (`server`, `esphome`, `wled`, `backup`,
    // `deploy` …), declared by `domain_subcommands!` in `cli/mod.rs`.
    #[command(flatten)]
    Domain(super::DomainSub),

    /// Check the store, the backup catalog, permissions, lock and socket; --repair fixes what is safe
    Doctor(super::doctor_cmds::DoctorArgs),

    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum VaultCmd {
    Init,
    Status,
    /// Check the passphrase and unlock (the CLI relocks when it exits)
    Unlock,
    Lock,
    Passwd,
}

#[derive(Debug, Subcommand)]
pub enum SecretCmd {
    /// The value is prompted on the terminal, or read from stdin when piped
    Add {
        /// Secret name: letters, digits and - _ . : / @ (1–64 characters)
        name: String,
        #[arg(long, short = 't', value_name = "TYPE", help = "api_key, password, token, certificate or ssh_key")]
        kind: String,
        /// Days until rotation falls due
        #[arg(long, value_name = "DAYS")]
        rotate_every: Option<u32>,
        #[arg(long)]
        note: Option<String>,
    },
    List,
    Show { name: String },
    Reveal { name: String },
    /// The new value is prompted, or read from stdin when piped
    Rotate { name: String },
    Rotation {
        name: String,
        /// Days between rotations, 0 to 3650; 0 turns reminders off
        #[arg(allow_hyphen_values = true, value_parser = clap::value_parser!(u32).range(0..=3650))]
        days: u32,
    },
    Due,
    Revoke {
        name: String,
        #[arg(long)]
        reason: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    Search(Box<AuditSearchArgs>),
    Cleanup {
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u32>,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct AuditSearchArgs {
    /// vault, secret, audit, security, system, server, esphome, lights, backup or deploy
    #[arg(long)]
    pub category: Option<String>,
    /// info, low, medium, high, critical (this and above)
    #[arg(long)]
    pub severity: Option<String>,
    /// success, failure, cancelled or declined
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub actor: Option<String>,
    #[arg(long)]
    pub resource: Option<String>,
    /// A date, an RFC 3339 time, or an age like 24h, 7d
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub until: Option<String>,
    /// Free text in action, description, error or resource
    pub text: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Cursor printed at the end of the previous page
    #[arg(long)]
    pub before: Option<String>,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    #[command(subcommand)]
    pub action: Option<DaemonCmd>,
}

#[derive(Debug, Subcommand)]
pub enum DaemonCmd {
    /// Whether a homedeck hosts the data dir: pid, since, version, attached clients
    Status,
    /// Ask the daemon to stop, and wait until it has
    Stop,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub action: Option<EventsCmd>,
    /// pending, investigating, resolved or false_positive
    #[arg(long)]
    pub status: Option<String>,
    /// Keep printing every engine event of the homedeck hosting the data
    /// dir (one JSON object per line with --json; see docs/events.md)
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// With --follow: only events of this type (repeat or comma-separate), e.g. audit,secrets_changed
    #[arg(long = "kind", value_name = "K", value_delimiter = ',', requires = "follow")]
    pub kinds: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum EventsCmd {
    Show { id: u64 },
    /// Move an event along pending → investigating → resolved | false_positive
    Respond {
        id: u64,
        status: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Command name from `homedeck commands`
    pub name: String,
    /// key=value arguments; secret arguments are prompted
    pub args: Vec<String>,
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Which table row documents which subcommand.
const DOCS: &[(&str, &str, &str)] = &[
    ("vault", "init", "vault_init"),
    ("vault", "status", "vault_status"),
    ("vault", "unlock", "vault_unlock"),
    ("vault", "lock", "vault_lock"),
    ("vault", "passwd", "vault_change_passphrase"),
    ("secret", "add", "secret_add"),
    ("secret", "list", "secret_list"),
    ("secret", "show", "secret_show"),
    ("secret", "reveal", "secret_reveal"),
    ("secret", "rotate", "secret_rotate"),
    ("secret", "rotation", "secret_set_rotation"),
    ("secret", "due", "secret_rotation_due"),
    ("secret", "revoke", "secret_revoke"),
    ("audit", "search", "audit_search"),
    ("audit", "cleanup", "audit_cleanup"),
];

/// Fill subcommand `about` texts from the engine's command table.
pub fn with_table_docs(mut cmd: clap::Command) -> clap::Command {
    let domains = super::server_args::DOCS.iter().chain(super::schedule_cmds::DOCS).chain(super::site_args::DOCS).chain(super::lights_args::DOCS).chain(super::backup_args::DOCS).chain(super::deploy_args::DOCS).chain(super::alert_args::DOCS).chain(super::notify_args::DOCS).chain(super::ai_args::DOCS);
    for (sub, name) in super::overview_cmds::DOCS {
        if let Some(spec) = crate::engine::command::spec(name) {
            cmd = cmd.mut_subcommand(sub, |s| s.about(spec.summary()));
        }
    }
    for (group, sub, name) in DOCS.iter().chain(domains) {
        if let Some(spec) = crate::engine::command::spec(name) {
            cmd = cmd.mut_subcommand(group, |g| g.mut_subcommand(sub, |s| s.about(spec.summary())));
        }
    }
    super::help_text::fill(cmd)
}
