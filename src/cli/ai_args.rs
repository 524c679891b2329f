//! `homedeck ai …`: the arguments of the assistant's subcommands (run by
//! `ai_cmds.rs`, printed by `ai_output.rs`).

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AiCmd {
    /// Ask in plain words; prints the reply as it streams, what ran, and the proposals
    Ask {
        /// What you want, e.g. "restart ha on nas" or "what is down?"
        text: String,
        /// Go on in this conversation [default: a new one]
        #[arg(long)]
        conversation: Option<u64>,
        /// What "this" refers to, e.g. server:nas or wled:porch
        #[arg(long)]
        context: Option<String>,
        /// Confirm and run every proposal that is not dangerous
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Confirm a proposal and run it
    Confirm {
        /// The proposal's id, as `ai ask` or `ai show` prints it
        id: u64,
        /// A dangerous proposal's command name, typed back
        #[arg(long)]
        typed: Option<String>,
    },
    /// Reject a proposal: it never runs
    Reject {
        /// The proposal's id
        id: u64,
    },
    /// Propose the inverse of a done action (confirm it like any proposal)
    Undo {
        /// The action's id, as `ai show` prints it
        id: u64,
    },
    /// List conversations, newest first
    Conversations,
    /// One conversation with its actions
    Show {
        /// The conversation's id
        id: u64,
    },
    /// Give a conversation a title
    Rename {
        /// The conversation's id
        id: u64,
        /// The new title
        title: String,
    },
    /// Delete a conversation and its action records
    Delete {
        /// The conversation's id
        id: u64,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Print a conversation as Markdown
    Export {
        /// The conversation's id
        id: u64,
    },
    /// Check the configured provider: latency, models, tool calling
    Test,
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("ai", "ask", "ai_ask"),
    ("ai", "confirm", "ai_confirm"),
    ("ai", "reject", "ai_reject"),
    ("ai", "undo", "ai_undo"),
    ("ai", "conversations", "ai_conversations"),
    ("ai", "show", "ai_show"),
    ("ai", "rename", "ai_rename"),
    ("ai", "delete", "ai_delete"),
    ("ai", "export", "ai_export"),
    ("ai", "test", "ai_test"),
];
