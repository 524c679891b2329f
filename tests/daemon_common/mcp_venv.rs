//! The MCP Python SDK the MCP tests drive: the venv of tests/peers/mcp.sh
//! (or `HOMEDECK_MCP_VENV`), set up on first use when a test runs alone.

use std::path::PathBuf;
use std::process::Command;

/// The venv's python, after running tests/peers/mcp.sh if it is missing.
pub fn python() -> PathBuf {
    let venv = std::env::var_os("HOMEDECK_MCP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/homedeck-peers/mcp-venv"));
    let py = venv.join("bin/python");
    if !py.exists() {
        let ok = Command::new("bash").arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp.sh")).status().unwrap();
        assert!(ok.success(), "tests/peers/mcp.sh failed");
    }
    py
}
