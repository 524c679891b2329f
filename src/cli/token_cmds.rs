//! `homedeck token create|list|show|revoke|rotate`: API tokens for MCP
//! clients. A new or rotated token's value is printed once; homedeck keeps
//! only its hash.

use super::Session;
use crate::engine::Command;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token; its value (hd_…) is printed once
    Create {
        /// The token's name, e.g. laptop-claude (the audit log shows token:NAME)
        name: String,
        /// read, write or dangerous: the most a call with it may do
        #[arg(long, default_value = "read")]
        class: String,
        /// Only these tools (globs such as server_* ; repeat or comma-separate)
        #[arg(long, value_name = "GLOB", num_args = 1..)]
        allow: Vec<String>,
        /// Never these tools (globs; repeat or comma-separate)
        #[arg(long, value_name = "GLOB", num_args = 1..)]
        deny: Vec<String>,
        /// Expiry: 30d, 12h, 90m or never
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
        /// Calls allowed per period: 60/min, 10/s, 1000/h
        #[arg(long, value_name = "N/PERIOD")]
        rate: Option<String>,
    },
    /// Every token: class, allow/deny, created, expires, last used, use count
    List,
    /// One token's settings and use
    Show {
        /// The token's name
        name: String,
    },
    /// Revoke a token: every later call with it is refused
    Revoke {
        /// The token's name
        name: String,
    },
    /// Give a token a new value (printed once); the old value stops working
    Rotate {
        /// The token's name
        name: String,
    },
}

fn joined(v: Vec<String>) -> Option<String> {
    (!v.is_empty()).then(|| v.join(","))
}

pub async fn run(s: &Session, cmd: TokenCmd) -> Result<()> {
    let command = match cmd {
        TokenCmd::Create { name, class, allow, deny, expires, rate } => {
            Command::TokenCreate { name, class: Some(class), allow: joined(allow), deny: joined(deny), expires, rate }
        }
        TokenCmd::List => Command::TokenList {},
        TokenCmd::Show { name } => Command::TokenShow { name },
        TokenCmd::Revoke { name } => Command::TokenRevoke { name },
        TokenCmd::Rotate { name } => Command::TokenRotate { name },
    };
    s.print(&s.exec(command).await?)
}
