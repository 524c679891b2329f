//! `homedeck notify …`: the arguments of the notification subcommands (run
//! by `notify_cmds.rs`, printed by `notify_output.rs`).

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum NotifyCmd {
    /// The routes in config.toml, with queued and dead-lettered deliveries
    Routes,
    /// Send a test notification on a route now and wait for the answer
    Test {
        /// The route's name from [[notify.routes]]
        route: String,
    },
    /// Queue a notification on a route (or every route)
    Send {
        /// The title (the email subject, the push notification's heading)
        title: String,
        /// The text under it
        #[arg(long)]
        body: Option<String>,
        /// Only this route [default: every route]
        #[arg(long)]
        route: Option<String>,
        /// info, low, medium, high or critical [default: info]
        #[arg(long)]
        severity: Option<String>,
    },
    /// Queued deliveries (next attempt, last error) and the dead-letter list
    Queue,
    /// Queue a dead-lettered delivery again with fresh attempts
    Retry {
        /// The delivery's id, as `notify queue` shows it (#12 or 12)
        id: String,
    },
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("notify", "routes", "notify_routes"),
    ("notify", "test", "notify_test"),
    ("notify", "send", "notify_send"),
    ("notify", "queue", "notify_queue"),
    ("notify", "retry", "notify_retry"),
];
