//! `homedeck mcp`: the MCP server over stdio (see `src/mcp/`), and the human
//! output of the MCP domain's records.

use crate::engine::{EngineOptions, Frontend, McpOutcome};
use crate::handle::{Opened, attach_or_open};
use anyhow::Result;
use clap::Args;

/// An API token for a stdio session (`homedeck token create`), from the
/// environment so it never shows in `ps`.
pub const TOKEN_ENV: &str = "HOMEDECK_MCP_TOKEN";

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct McpArgs {
    #[command(subcommand)]
    pub action: Option<McpCmd>,
    /// Toolsets to offer, comma-separated: default, all, or names (servers, deploy, ha, audit, lights, esphome, backup, vault, sites, scheduler)
    #[arg(long, default_value = "default", value_name = "LIST")]
    pub toolsets: String,
}

#[derive(Debug, clap::Subcommand)]
pub enum McpCmd {
    /// Per-tool MCP calls, errors and p50/p99 latency from the audit log, and who called
    Status {
        /// How far back: an age (30m, 24h, 7d) or a date
        #[arg(long, default_value = "24h", value_name = "AGE")]
        since: String,
    },
}

/// Serve MCP on stdin/stdout until the client closes it. The engine is the
/// running daemon's (or console's) when one hosts the data dir, else opened
/// here and shared on the socket like any CLI command's, so the console can
/// still attach. stdout carries only protocol frames; logs go to the log file.
pub async fn run(args: McpArgs, opts: EngineOptions, json: bool) -> Result<()> {
    if let Some(McpCmd::Status { since }) = args.action {
        let Opened { handle, server } = attach_or_open(opts, Frontend::Cli, crate::daemon::protocol::HostKind::Cli, false).await?;
        let result = super::mcp_status::run(&super::Session::new(handle, json), since).await;
        if let Some(server) = server {
            server.shutdown(std::time::Duration::from_secs(10)).await;
        }
        return result;
    }
    let toolsets = crate::engine::views::tools::ToolsetSelection::parse(&args.toolsets)?;
    let readonly = opts.readonly;
    let Opened { handle, server } = attach_or_open(opts, Frontend::Mcp, crate::daemon::protocol::HostKind::Cli, false).await?;
    // Optional over stdio: with a token, every call is checked against it.
    let token = std::env::var(TOKEN_ENV).ok().filter(|t| !t.trim().is_empty()).map(|t| crate::engine::SecretValue::new(t.trim()));
    let settings = crate::mcp::Settings { toolsets, readonly, token };
    let result = crate::mcp::serve_stdio(handle, settings).await;
    if let Some(server) = server {
        server.shutdown(std::time::Duration::from_secs(10)).await;
    }
    result
}

/// The human output of the MCP domain: a new token's value once, tokens as
/// lines.
impl super::output::Human for McpOutcome {
    fn human(&self) {
        match self {
            McpOutcome::TokenCreated { token, secret } => {
                println!("{}", secret.expose());
                eprintln!("API token {} (class {}): copy it now, it is not shown again", token.name, token.class.as_str());
            }
            McpOutcome::TokenList { tokens } => {
                if tokens.is_empty() {
                    println!("no API tokens — create one with `homedeck token create NAME --class read`");
                }
                for t in tokens {
                    println!("{}", line(t));
                }
            }
            McpOutcome::TokenShow { token } => println!("{}", line(token)),
            other => println!("{}", other.summary()),
        }
    }
}

fn line(t: &crate::engine::views::mcp::TokenView) -> String {
    let when = |d: Option<chrono::DateTime<chrono::Utc>>, none: &str| d.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| none.into());
    let state = if t.revoked.is_some() { " REVOKED" } else { "" };
    format!(
        "{}{state}  class {}  allow {}  deny {}  rate {}  created {}  expires {}  last used {}  uses {}",
        t.name,
        t.class.as_str(),
        if t.allow.is_empty() { "*".into() } else { t.allow.join(",") },
        if t.deny.is_empty() { "-".into() } else { t.deny.join(",") },
        t.rate.clone().unwrap_or_else(|| "-".into()),
        when(Some(t.created), "-"),
        when(t.expires, "never"),
        when(t.last_used, "never"),
        t.uses
    )
}
