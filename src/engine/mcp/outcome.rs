//! What the MCP domain answers ([`McpOutcome`]) and broadcasts ([`McpEvent`]).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum McpOutcome {
    /// A refused tool call was recorded in the audit log.
    Refused { tool: String, reason: String },
}

impl McpOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Refused { tool, reason } => format!("{tool} refused: {reason}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum McpEvent {}
