//! The engine's side of the MCP server: what a tool call needs from the
//! engine beyond the verb it runs. `refused.rs` records a call the MCP
//! layer refused (read-only session, missing permission, rate limit), so a
//! refusal is in the audit log like any call, as a failure naming why.
//!
//! The protocol itself lives in the front end (`src/mcp/`); the tools it
//! offers come from `engine::tools`.

pub mod facade;
pub mod outcome;
pub(crate) mod refused;
pub(crate) mod route;

/// No runtime state yet.
pub(crate) type State = ();
