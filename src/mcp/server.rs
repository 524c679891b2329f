//! The MCP `ServerHandler`: one per session (a stdio client, later one per
//! HTTP session). Calls run through the same [`Handle`] the console and the
//! CLI use; the engine audits each one as `USER@mcp`.

use super::{Settings, convert, resources};
use crate::engine::views::tools::{self, ToolSpec};
use crate::engine::{Actor, Command};
use crate::handle::Handle;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::json;

#[derive(Clone)]
pub struct HomedeckMcp {
    handle: Handle,
    actor: Actor,
    settings: Settings,
    /// The tools this session offers, as the SDK's type (built once).
    tools: Vec<(&'static ToolSpec, Tool)>,
}

impl HomedeckMcp {
    pub fn new(handle: Handle, actor: Actor, settings: Settings) -> Self {
        let readonly = settings.readonly || handle.readonly();
        let tools = tools::tools_in(&settings.toolsets)
            .into_iter()
            .filter(|t| !readonly || t.hints.read_only)
            .filter_map(|t| convert::tool(t).map(|m| (t, m)))
            .collect();
        HomedeckMcp { handle, actor, settings, tools }
    }

    fn readonly(&self) -> bool {
        self.settings.readonly || self.handle.readonly()
    }

    /// Run one call: refused here (unknown, outside the session's toolsets,
    /// a write in a read-only session) and recorded, or run by the engine.
    pub async fn call(&self, name: &str, arguments: Option<serde_json::Map<String, serde_json::Value>>) -> CallToolResult {
        let Some(spec) = tools::tool(name) else {
            let known = self.tools.len();
            return convert::refused(&format!("no tool named {name:?}: this session offers {known} tools (see tools/list)"));
        };
        if !self.settings.toolsets.contains(&spec.toolset) {
            let msg = format!(
                "tool {name} is in toolset {:?}, which this session does not offer (offered: {}); start homedeck mcp with --toolsets {}",
                spec.toolset,
                self.settings.toolsets.names().join(", "),
                spec.toolset
            );
            return self.refuse(name, &msg, None).await;
        }
        let command = match tools::command_for_call(name, arguments) {
            Ok(c) => c,
            Err(e) => return convert::failure(&e),
        };
        if let Some(token) = &self.settings.token {
            let check = Command::TokenAuthorize { token: token.clone(), tool: Some(name.to_string()), peer: Some("stdio".into()) };
            if let Err(e) = self.handle.execute(check, self.actor.clone()).await {
                let args = tools::audit_arguments(&command);
                return self.refuse(name, &e.to_string(), Some(args)).await;
            }
        }
        if self.readonly() && !spec.hints.read_only {
            let msg = format!(
                "{name} is a {} tool and this MCP session is read-only (--readonly or `readonly = true`): permission `{}` is missing",
                spec.class.as_str(),
                spec.class.as_str()
            );
            let args = tools::audit_arguments(&command);
            return self.refuse(name, &msg, Some(args)).await;
        }
        match self.handle.execute(command, self.actor.clone()).await {
            Ok(outcome) => convert::success(&outcome),
            Err(e) => convert::failure(&e),
        }
    }

    /// Record a refusal in the audit log, then answer with it.
    async fn refuse(&self, tool: &str, reason: &str, arguments: Option<String>) -> CallToolResult {
        let record = Command::McpRefused { tool: tool.to_string(), reason: reason.to_string(), arguments };
        if let Err(e) = self.handle.execute(record, self.actor.clone()).await {
            tracing::error!(error = %e, tool, "could not record a refused MCP call");
        }
        convert::refused(reason)
    }
}

impl ServerHandler for HomedeckMcp {
    fn get_info(&self) -> ServerConfig {
        let caps = ServerCapabilities::builder().enable_tools().enable_resources().build();
        ServerConfig::new(caps)
            .with_server_info(Implementation::new("homedeck", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "homedeck runs a Home Assistant homelab: servers, deployments, Home Assistant, devices, backups. \
                 Tools are homedeck's own verbs; read tools change nothing, write tools change state (no dry-run preview yet). \
                 Secret values are never accepted or shown: name vault secrets instead.",
            )
    }

    async fn list_tools(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListToolsResult, ErrorData> {
        let tools: Vec<&Tool> = self.tools.iter().map(|(_, t)| t).collect();
        serde_json::from_value(json!({ "tools": tools })).map_err(|e| ErrorData::internal_error(format!("tools/list: {e}"), None))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|(s, _)| s.name == name).map(|(_, t)| t.clone())
    }

    async fn call_tool(&self, request: CallToolRequestParams, _context: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        Ok(self.call(&request.name, request.arguments).await.into())
    }

    async fn list_resources(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListResourcesResult, ErrorData> {
        let list: Vec<_> = resources::VIEWS
            .iter()
            .map(|v| json!({ "uri": v.uri, "name": v.name, "description": v.description, "mimeType": "application/json" }))
            .collect();
        serde_json::from_value(json!({ "resources": list })).map_err(|e| ErrorData::internal_error(format!("resources/list: {e}"), None))
    }

    async fn read_resource(&self, request: ReadResourceRequestParams, _context: RequestContext<RoleServer>) -> Result<ReadResourceResponse, ErrorData> {
        let Some(view) = resources::find(&request.uri) else {
            let known: Vec<&str> = resources::VIEWS.iter().map(|v| v.uri).collect();
            return Err(ErrorData::resource_not_found(format!("no resource {:?}; expected one of {}", request.uri, known.join(", ")), None));
        };
        let outcome = self.handle.execute(view.command(), self.actor.clone()).await.map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let text = serde_json::to_string_pretty(&tools::outcome_json(&outcome)).unwrap_or_default();
        let result: ReadResourceResult = serde_json::from_value(json!({
            "contents": [{ "uri": view.uri, "mimeType": "application/json", "text": text }]
        }))
        .map_err(|e| ErrorData::internal_error(format!("resources/read: {e}"), None))?;
        Ok(result.into())
    }
}
