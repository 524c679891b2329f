//! `homedeck alert …`: the arguments of the alerts subcommands (run by
//! `alert_cmds.rs`, printed by `alert_output.rs`).

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AlertCmd {
    /// Alerts, newest first (default: the active ones, open or acknowledged)
    List {
        /// open (unacknowledged), acknowledged, resolved, active or all
        #[arg(long, short = 'f', value_name = "FILTER")]
        filter: Option<String>,
        /// Show at most this many (1–10000, default 200)
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
    /// One alert: its evidence, acknowledgement and the earlier alerts of its rule and target
    Show {
        /// The alert's id (from `alert list`)
        id: u64,
    },
    /// Acknowledge an open alert with a note
    Ack {
        /// The alert's id (from `alert list`)
        id: u64,
        /// What is being done about it (recorded with who and when)
        #[arg(long, short = 'm', value_name = "TEXT")]
        note: String,
    },
    /// Silence a rule, a target, or a rule on a target for a while
    Silence {
        /// The rule to silence (a name from `alert rules`)
        #[arg(long, value_name = "RULE")]
        rule: Option<String>,
        /// The target to silence (a server, device, schedule … name)
        #[arg(long, value_name = "NAME")]
        target: Option<String>,
        /// How long: 30m, 2h, 1d …
        #[arg(long = "for", value_name = "DURATION")]
        duration: String,
        /// Why (kept with the silence)
        #[arg(long, short = 'm', value_name = "TEXT")]
        note: Option<String>,
    },
    /// End a silence early
    Unsilence {
        /// The silence's id (from `alert rules` or `alert silence`)
        id: u64,
    },
    /// The rules in force (from config.toml) and the silences still running
    Rules,
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("alert", "list", "alert_list"),
    ("alert", "show", "alert_show"),
    ("alert", "ack", "alert_ack"),
    ("alert", "silence", "alert_silence"),
    ("alert", "unsilence", "alert_unsilence"),
    ("alert", "rules", "alert_rules"),
];
