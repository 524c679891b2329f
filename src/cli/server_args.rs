//! `homedeck server …` and `homedeck tailscale …` arguments.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ServerCmd {
    Add(ServerFields),
    Edit(ServerFields),
    List,
    Show {
        name: String,
    },
    Test {
        name: String,
    },
    Trust {
        name: String,
        /// The SHA256 fingerprint you checked on the server's console
        #[arg(long)]
        fingerprint: Option<String>,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    #[command(alias = "remove")]
    Rm {
        name: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Several words after `--` run as that exact argv (each word quoted); one word is read as a command line
    Exec {
        /// Server names, tag:T, site:S or all, comma-separated
        targets: String,
        /// Run the line with `sh -c` (pipes, globs, $VARS) instead of as a plain command
        #[arg(long)]
        shell: bool,
        /// Run commands that look dangerous (rm -rf, reboot, mkfs, dd …) without asking
        #[arg(long, short = 'y')]
        yes: bool,
        /// Stop each server's command after this many seconds
        #[arg(long, value_name = "SECS")]
        timeout: Option<u32>,
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    Health {
        name: Option<String>,
    },
    ImportSshConfig {
        /// [default: ~/.ssh/config]
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
    },
    Get {
        name: String,
        remote: String,
        local: PathBuf,
    },
    Put {
        name: String,
        local: PathBuf,
        remote: String,
    },
}

#[derive(Debug, Args)]
pub struct ServerFields {
    /// Server name: letters, digits, - _ . (1–63)
    pub name: String,
    /// Hostname or IP address, optionally with the port: nas.lan, 10.0.0.5:2222, [::1]:22
    #[arg(long)]
    pub host: Option<String>,
    /// SSH port [default: 22]
    #[arg(long)]
    pub port: Option<u32>,
    /// Login user [default: your user name]
    #[arg(long)]
    pub user: Option<String>,
    /// Import this private key into the vault (a passphrase-protected key is asked for once)
    #[arg(long, value_name = "PATH", conflicts_with_all = ["password", "agent"])]
    pub key_file: Option<PathBuf>,
    /// Log in with a password (prompted, or read from stdin) stored in the vault
    #[arg(long, conflicts_with = "agent")]
    pub password: bool,
    /// Log in with the keys of the running ssh-agent
    #[arg(long)]
    pub agent: bool,
    /// Use an existing vault secret (with --password, or a key secret)
    #[arg(long, value_name = "NAME")]
    pub secret: Option<String>,
    /// Tag (repeat or comma-separate)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Site (a homelab can have several homes); empty clears it on edit
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TailscaleCmd {
    Status {
        /// Read it on this server over SSH [default: this machine]
        #[arg(long)]
        server: Option<String>,
    },
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("server", "add", "server_add"),
    ("server", "edit", "server_edit"),
    ("server", "list", "server_list"),
    ("server", "show", "server_show"),
    ("server", "test", "server_test"),
    ("server", "trust", "server_trust"),
    ("server", "rm", "server_remove"),
    ("server", "exec", "server_exec"),
    ("server", "health", "server_health"),
    ("server", "import-ssh-config", "server_import_ssh_config"),
    ("server", "get", "server_get"),
    ("server", "put", "server_put"),
    ("tailscale", "status", "tailscale_status"),
];
