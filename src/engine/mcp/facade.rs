//! MCP: this domain's façade, `engine::views::mcp` (what front ends may name).

pub use crate::engine::mcp::outcome::{McpEvent, McpOutcome, TokenView};
pub use crate::engine::mcp::status::{McpStatus, SessionCounts, SessionTicket, ToolStats};
pub use crate::engine::ha::guard::{BreakerState, BreakerView};
