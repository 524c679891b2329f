//! What the MCP domain answers ([`McpOutcome`]) and broadcasts ([`McpEvent`]).

use crate::engine::command_table::Permission;
use crate::engine::secret_value::SecretValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An API token as shown: never its value or hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenView {
    pub name: String,
    pub class: Permission,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub rate: Option<String>,
    pub last_used: Option<DateTime<Utc>>,
    pub uses: u64,
    pub revoked: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum McpOutcome {
    /// A refused tool call was recorded in the audit log.
    Refused { tool: String, reason: String },
    /// A token was created or rotated: `secret` is shown this once.
    TokenCreated { token: TokenView, secret: SecretValue },
    TokenList { tokens: Vec<TokenView> },
    TokenShow { token: TokenView },
    TokenRevoked { name: String },
    /// `mcp_status`.
    Status { status: crate::engine::mcp::status::McpStatus },
    /// The token may make the call (or is valid, when no tool was named).
    Authorized {
        name: String,
        class: Permission,
        /// Asked without a tool: the token's rate window is full, so a call
        /// now would be refused; its next call fits in this many ms.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate_limited_ms: Option<u64>,
    },
}

impl McpOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Refused { tool, reason } => format!("{tool} refused: {reason}"),
            Self::TokenCreated { token, .. } => format!("API token {} (class {})", token.name, token.class.as_str()),
            Self::TokenList { tokens } => crate::engine::text::plural(tokens.len(), "API token", "API tokens"),
            Self::TokenShow { token } => format!("API token {}", token.name),
            Self::TokenRevoked { name } => format!("API token {name} revoked"),
            Self::Status { status } => format!(
                "MCP since {}: {}, {} open session(s), {}",
                status.since,
                crate::engine::text::plural(status.calls as usize, "call", "calls"),
                status.sessions.http + status.sessions.stdio,
                crate::engine::text::plural(status.breakers.len(), "Home Assistant breaker", "Home Assistant breakers")
            ),
            Self::Authorized { name, class, rate_limited_ms: None } => format!("API token {name} (class {}) allowed", class.as_str()),
            Self::Authorized { name, class, rate_limited_ms: Some(ms) } => {
                format!("API token {name} (class {}) is valid but over its rate for {ms} ms", class.as_str())
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum McpEvent {}
