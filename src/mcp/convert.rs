//! Between the engine's tool types and the SDK's: MCP tools from
//! `ToolSpec`s, tool results from outcomes and errors. The SDK's types are
//! `non_exhaustive`, so they are built from their JSON shape.

use crate::engine::views::tools::{ToolSpec, outcome_json};
use crate::engine::{EngineError, Outcome, Preview};
use rmcp::model::{CallToolResult, ContentBlock as Content, Tool};
use serde_json::json;

pub(super) fn tool(spec: &ToolSpec) -> Option<Tool> {
    let value = json!({
        "name": spec.name,
        "title": spec.name.replace('_', " "),
        "description": spec.description,
        "inputSchema": spec.input_schema,
        "annotations": {
            "title": spec.name.replace('_', " "),
            "readOnlyHint": spec.hints.read_only,
            "destructiveHint": spec.hints.destructive,
            "idempotentHint": spec.hints.idempotent,
            "openWorldHint": spec.hints.open_world,
        },
        "_meta": { "homedeck/toolset": spec.toolset, "homedeck/class": spec.class.as_str() },
    });
    match serde_json::from_value(value) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::error!(tool = spec.name, error = %e, "tool could not be described to MCP");
            None
        }
    }
}

/// A finished command: its summary line, then the outcome as JSON (also as
/// structured content), secret values redacted.
pub(super) fn success(outcome: &Outcome) -> CallToolResult {
    let value = outcome_json(outcome);
    let text = format!("{}\n{}", outcome.summary(), serde_json::to_string_pretty(&value).unwrap_or_default());
    let mut result = CallToolResult::success(vec![Content::text(text)]);
    result.structured_content = Some(json!({ "summary": outcome.summary(), "outcome": value }));
    result
}

/// A dry run: the preview's card, then the preview as JSON (also as
/// structured content). A preview never holds a secret value.
pub(super) fn preview(p: &Preview) -> CallToolResult {
    let value = serde_json::to_value(p).unwrap_or_else(|e| json!(format!("the preview could not be encoded: {e}")));
    let text = format!("{}\n{}", p.lines().join("\n"), serde_json::to_string_pretty(&value).unwrap_or_default());
    let mut result = CallToolResult::success(vec![Content::text(text)]);
    result.structured_content = Some(json!({ "summary": p.summary, "dry_run": true, "preview": value }));
    result
}

/// A failed or refused call, as a tool error the model can read (the
/// engine's messages name the bad value and what was expected).
pub(super) fn failure(error: &EngineError) -> CallToolResult {
    CallToolResult::error(vec![Content::text(error.to_string())])
}

pub(super) fn refused(message: &str) -> CallToolResult {
    CallToolResult::error(vec![Content::text(message.to_string())])
}
