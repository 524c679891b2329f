//! `[mcp]` in config.toml: the daemon's MCP listener over Streamable HTTP
//! (off unless `listen` is set), its TLS files and the toolsets it offers.
//! Checked when the config is read, so a typo names the key and the value
//! before the daemon starts.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpConfig {
    /// `"127.0.0.1:8766"`: where `homedeck daemon` serves MCP. Absent: no listener.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// PEM certificate chain and private key: the listener speaks HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address beyond loopback (bearer tokens cross
    /// the network in clear). Off: such a listener is refused at start.
    pub insecure_plain_http: bool,
    /// Host names clients may use in `Host:` besides loopback and the
    /// listen address (DNS-rebinding protection), e.g. `["deck.lan"]`.
    pub hosts: Vec<String>,
    /// Toolsets offered over HTTP, as `homedeck mcp --toolsets`.
    pub toolsets: String,
}

impl Default for McpConfig {
    fn default() -> Self {
        McpConfig { listen: None, tls_cert: None, tls_key: None, insecure_plain_http: false, hosts: Vec::new(), toolsets: "default".into() }
    }
}

/// What a first run writes for `[mcp]`.
pub const DEFAULT_TEXT: &str = r#"
[mcp]
# Serve MCP over Streamable HTTP from `homedeck daemon` at this address
# (every request needs `Authorization: Bearer hd_…`, see `homedeck token`).
# Off while commented out.
# listen = "127.0.0.1:8766"
# Beyond loopback: HTTPS with these PEM files (plain HTTP is refused unless
# insecure_plain_http = true).
# tls_cert = "/etc/homedeck/mcp.crt"
# tls_key = "/etc/homedeck/mcp.key"
insecure_plain_http = false
# Host names clients may use besides loopback and the listen address.
hosts = []
# Toolsets offered over HTTP: default, all, or names (see `homedeck mcp --help`).
toolsets = "default"
"#;

impl McpConfig {
    /// The listen address, parsed; `None` when the listener is off.
    pub fn address(&self) -> Result<Option<SocketAddr>> {
        let Some(text) = &self.listen else { return Ok(None) };
        match text.trim().parse::<SocketAddr>() {
            Ok(a) => Ok(Some(a)),
            Err(_) => bail!("mcp.listen = {text:?} — expected an IP address and port, e.g. \"127.0.0.1:8766\" or \"[::1]:8766\""),
        }
    }

    pub fn validate(&self) -> Result<()> {
        let address = self.address()?;
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => bail!("mcp.tls_cert is set but mcp.tls_key is not — expected both PEM files, or neither"),
            (None, Some(_)) => bail!("mcp.tls_key is set but mcp.tls_cert is not — expected both PEM files, or neither"),
            _ => {}
        }
        if let Some(a) = address
            && !a.ip().is_loopback()
            && self.tls_cert.is_none()
            && !self.insecure_plain_http
        {
            bail!(
                "mcp.listen = \"{a}\" is beyond loopback without TLS — bearer tokens would cross the network in clear; \
                 set mcp.tls_cert and mcp.tls_key (PEM files), listen on 127.0.0.1, or set mcp.insecure_plain_http = true"
            );
        }
        for h in &self.hosts {
            if h.trim().is_empty() || h.contains(['/', ' ']) {
                bail!("mcp.hosts has {h:?} — expected host names like \"deck.lan\" or \"deck.lan:8766\"");
            }
        }
        crate::engine::views::tools::ToolsetSelection::parse(&self.toolsets).map_err(|e| anyhow::anyhow!("mcp.toolsets = {:?} — {e}", self.toolsets))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn parse(text: &str) -> Result<McpConfig> {
        let c: McpConfig = toml::from_str(text)?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn off_by_default_and_loopback_needs_no_tls() {
        assert_eq!(parse("").unwrap().address().unwrap(), None);
        let c = parse("listen = \"127.0.0.1:8766\"").unwrap();
        assert_eq!(c.address().unwrap().unwrap().port(), 8766);
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse("listen = \"localhost\"").unwrap_err().to_string();
        assert!(e.contains("mcp.listen = \"localhost\"") && e.contains("127.0.0.1:8766"), "{e}");
        let e = parse("listen = \"0.0.0.0:8766\"").unwrap_err().to_string();
        assert!(e.contains("beyond loopback without TLS") && e.contains("tls_cert"), "{e}");
        assert!(parse("listen = \"0.0.0.0:8766\"\ninsecure_plain_http = true").is_ok());
        let e = parse("listen = \"0.0.0.0:8766\"\ntls_cert = \"/x.crt\"").unwrap_err().to_string();
        assert!(e.contains("mcp.tls_key is not"), "{e}");
        assert!(parse("toolsets = \"nope\"").unwrap_err().to_string().contains("mcp.toolsets"));
    }
}
