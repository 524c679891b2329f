//! The MCP server: outside AI clients drive homedeck through the same verbs
//! as the console, with the official Rust SDK (`rmcp`) speaking the protocol.
//!
//! - `server.rs`: the `ServerHandler` — initialize, tools/list, tools/call,
//!   resources/list and resources/read — over a [`Handle`] (the engine in
//!   this process, or the daemon this process attached to).
//! - `convert.rs`: an engine `ToolSpec` → an MCP tool; outcomes and errors →
//!   tool results (secret values redacted).
//! - `resources.rs`: read-only views (servers, devices, audit search).
//! - `http.rs`: Streamable HTTP for `homedeck daemon` (`[mcp] listen`),
//!   behind a bearer-token gate; `tls.rs`: its HTTPS from PEM files.
//!
//! Tools come from `engine::views::tools`, the generator the AI pane uses
//! too. Every call reaches the engine as `USER@mcp` and is audited there
//! (reads included); a call refused here (read-only session) is recorded
//! with `mcp_refused`, so the audit log tells the truth either way.

mod convert;
pub mod http;
mod resources;
mod server;
mod tls;

use crate::engine::views::tools::ToolsetSelection;
use crate::handle::Handle;
use rmcp::ServiceExt;

pub use server::HomedeckMcp;

/// What one MCP session offers.
#[derive(Debug, Clone)]
pub struct Settings {
    pub toolsets: ToolsetSelection,
    /// Only read tools are offered and any other call is refused.
    pub readonly: bool,
    /// An API token every call is checked against (`token_authorize`):
    /// optional over stdio (`HOMEDECK_MCP_TOKEN`).
    pub token: Option<crate::engine::SecretValue>,
}

/// Serve one client on stdin/stdout until it closes the stream.
pub async fn serve_stdio(handle: Handle, settings: Settings) -> anyhow::Result<()> {
    let mut actor = crate::engine::Actor::current(crate::engine::Frontend::Mcp);
    if let Some(token) = &settings.token {
        // A wrong, expired or revoked token ends the session before it starts.
        let check = crate::engine::Command::TokenAuthorize { token: token.clone(), tool: None, peer: Some("stdio".into()), dry_run: None };
        match handle.execute(check, actor.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))? {
            // In-process the token's name is the actor; attached, the host names it from the socket.
            crate::engine::Outcome::Mcp(crate::engine::McpOutcome::Authorized { name, .. }) => actor.user = format!("token:{name}"),
            other => anyhow::bail!("unexpected answer to a token check: {}", other.summary()),
        }
    }
    let service = HomedeckMcp::new(handle, actor, settings);
    let running = service.serve(rmcp::transport::stdio()).await.map_err(|e| anyhow::anyhow!("MCP session did not start: {e}"))?;
    let reason = running.waiting().await.map_err(|e| anyhow::anyhow!("MCP session ended with an error: {e}"))?;
    tracing::info!(?reason, "MCP stdio session ended");
    Ok(())
}
