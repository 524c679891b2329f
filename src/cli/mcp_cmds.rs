//! `homedeck mcp`: the MCP server over stdio (see `src/mcp/`), and the human
//! output of the MCP domain's records.

use crate::engine::{EngineOptions, Frontend, McpOutcome};
use crate::handle::{Opened, attach_or_open};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Toolsets to offer, comma-separated: default, all, or names (servers, deploy, ha, audit, lights, esphome, backup, vault, sites, scheduler)
    #[arg(long, default_value = "default", value_name = "LIST")]
    pub toolsets: String,
}

/// Serve MCP on stdin/stdout until the client closes it. The engine is the
/// running daemon's (or console's) when one hosts the data dir, else opened
/// here and shared on the socket like any CLI command's, so the console can
/// still attach. stdout carries only protocol frames; logs go to the log file.
pub async fn run(args: McpArgs, opts: EngineOptions) -> Result<()> {
    let toolsets = crate::engine::views::tools::ToolsetSelection::parse(&args.toolsets)?;
    let readonly = opts.readonly;
    let Opened { handle, server } = attach_or_open(opts, Frontend::Mcp, crate::daemon::protocol::HostKind::Cli, false).await?;
    let settings = crate::mcp::Settings { toolsets, readonly };
    let result = crate::mcp::serve_stdio(handle, settings).await;
    if let Some(server) = server {
        server.shutdown(std::time::Duration::from_secs(10)).await;
    }
    result
}

/// The human output of the MCP domain's records.
impl super::output::Human for McpOutcome {
    fn human(&self) {
        println!("{}", self.summary());
    }
}
