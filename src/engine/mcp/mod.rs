//! The engine's side of the MCP server: what a tool call needs from the
//! engine beyond the verb it runs.
//!
//! - `refused.rs`: records a call the MCP layer refused (read-only session,
//!   missing permission, rate limit), so a refusal is in the audit log like
//!   any call, as a failure naming why.
//! - `tokens.rs`: API tokens (`token create|list|show|revoke|rotate`).
//! - `authorize.rs`: `token_authorize` — class, allow/deny globs, expiry,
//!   revocation, rate; wrong tokens throttled per peer with a security event.
//! - `status.rs`: `mcp_status` — per-tool calls, errors and latency from the
//!   audit log, open sessions, Home Assistant circuit breakers.
//!
//! The protocol itself lives in the front end (`src/mcp/`); the tools it
//! offers come from `engine::tools`. None of these verbs is a tool.

pub(crate) mod authorize;
pub mod facade;
pub mod outcome;
pub(crate) mod refused;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod status;
pub(crate) mod tokens;

/// Rate windows and wrong-token counts.
pub(crate) type State = authorize::Runtime;
