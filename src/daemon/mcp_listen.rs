//! The daemon's MCP listener from `[mcp]` in config.toml: started with the
//! daemon (a listener that cannot start stops the daemon with the reason,
//! rather than leaving clients to find nothing there), shown in `daemon
//! status` with a warning when it serves plain HTTP beyond loopback.
//! Changing `[mcp]` takes a daemon restart; a reload does not rebind.

use super::protocol::McpListenerInfo;
use super::server::Server;
use crate::config_mcp::McpConfig;
use crate::engine::EngineHandle;
use crate::mcp::http::{self, HttpListener, HttpSettings};
use anyhow::Result;

pub(super) async fn start(engine: &EngineHandle, config: &McpConfig, server: &Server) -> Result<Option<HttpListener>> {
    let Some(address) = config.address()? else { return Ok(None) };
    let settings = HttpSettings {
        address,
        tls: config.tls_cert.clone().zip(config.tls_key.clone()),
        toolsets: crate::engine::views::tools::ToolsetSelection::parse(&config.toolsets)?,
        hosts: config.hosts.clone(),
    };
    let listener = http::start(engine.clone(), settings).await?;
    let warning = (!listener.tls() && !address.ip().is_loopback()).then(|| {
        format!("MCP is served as plain HTTP on {address}, beyond loopback: bearer tokens cross the network in clear (set [mcp] tls_cert and tls_key)")
    });
    if let Some(w) = &warning {
        tracing::warn!("{w}");
        eprintln!("warning: {w}");
    }
    eprintln!("homedeck daemon serving MCP at {}", listener.url());
    server.set_mcp(McpListenerInfo { url: listener.url(), tls: listener.tls(), warning });
    Ok(Some(listener))
}
