//! The MCP `ServerHandler`: one per session (a stdio client, later one per
//! HTTP session). Calls run through the same [`Handle`] the console and the
//! CLI use; the engine audits each one as `USER@mcp`.

use super::http::Caller;
use super::{Settings, convert, resources};
use crate::engine::views::tools::{self, ToolSpec};
use crate::engine::{Actor, Command};
use crate::handle::Handle;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, InitializeRequestParams, InitializeResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use crate::engine::views::mcp::SessionTicket;
use serde_json::json;
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct HomedeckMcp {
    handle: Handle,
    actor: Actor,
    settings: Settings,
    /// The tools this session offers, as the SDK's type (built once per
    /// listener: rmcp makes a handler per HTTP session and per tool-schema
    /// lookup, so building them here cost every request).
    tools: Arc<Vec<(&'static ToolSpec, Tool)>>,
    http: bool,
    /// Counts this session in `mcp_status` from `initialize` until its last
    /// clone is dropped (handlers made for a lookup are never counted).
    ticket: Arc<OnceLock<SessionTicket>>,
}

/// The tools a session with these settings offers, as the SDK's type.
pub fn offered(settings: &Settings, readonly: bool) -> Arc<Vec<(&'static ToolSpec, Tool)>> {
    let readonly = settings.readonly || readonly;
    Arc::new(
        tools::tools_in(&settings.toolsets)
            .into_iter()
            .filter(|t| !readonly || t.hints.read_only)
            .filter_map(|t| convert::tool(t).map(|m| (t, m)))
            .collect(),
    )
}

impl HomedeckMcp {
    pub fn new(handle: Handle, actor: Actor, settings: Settings) -> Self {
        let tools = offered(&settings, handle.readonly());
        Self::with_tools(handle, actor, settings, tools, false)
    }

    /// A session over HTTP (`http`) or stdio with a tool list built before.
    pub fn with_tools(handle: Handle, actor: Actor, settings: Settings, tools: Arc<Vec<(&'static ToolSpec, Tool)>>, http: bool) -> Self {
        HomedeckMcp { handle, actor, settings, tools, http, ticket: Arc::default() }
    }

    /// Count this session as open on the engine (in-process engines only:
    /// an attached stdio session is its own process's).
    fn count_session(&self) {
        if let Handle::Local(engine) = &self.handle {
            let _ = self.ticket.set(engine.mcp_session(self.http));
        }
    }

    fn readonly(&self) -> bool {
        self.settings.readonly || self.handle.readonly()
    }

    /// Run one call as this session's actor (stdio).
    pub async fn call(&self, name: &str, arguments: Option<serde_json::Map<String, serde_json::Value>>) -> CallToolResult {
        let who = Who { actor: self.actor.clone(), token: self.settings.token.clone(), peer: "stdio".into() };
        self.call_as(&who, name, arguments).await
    }

    /// Run one call: refused here (unknown, outside the session's toolsets,
    /// a write in a read-only session, not permitted to the token) and
    /// recorded, or run by the engine, all as `who`.
    async fn call_as(&self, who: &Who, name: &str, arguments: Option<serde_json::Map<String, serde_json::Value>>) -> CallToolResult {
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
            return self.refuse(who, name, &msg, None).await;
        }
        let (command, dry_run) = match tools::call(name, arguments) {
            Ok(c) => c,
            Err(e) => return convert::failure(&e),
        };
        if let Some(token) = &who.token {
            let check = Command::TokenAuthorize {
                token: token.clone(),
                tool: Some(name.to_string()),
                peer: Some(who.peer.clone()),
                dry_run: Some(dry_run),
            };
            if let Err(e) = self.handle.execute(check, who.actor.clone()).await {
                let args = tools::audit_arguments(&command);
                let mut result = self.refuse(who, name, &e.to_string(), Some(args)).await;
                if let crate::engine::EngineError::RateLimited { retry_after_ms, .. } = e {
                    // The wait, machine-readable, beside the message naming it.
                    result.structured_content = Some(json!({ "error": "rate_limited", "retry_after_ms": retry_after_ms }));
                }
                return result;
            }
        }
        // A dry run changes nothing: it is a read, allowed in a read-only
        // session and to a read token, and audited as `<tool>_preview`.
        if dry_run {
            return match self.handle.preview(command, who.actor.clone()).await {
                Ok(preview) => convert::preview(&preview),
                Err(e) => convert::failure(&e),
            };
        }
        if self.readonly() && !spec.hints.read_only {
            let msg = format!(
                "{name} is a {} tool and this MCP session is read-only (--readonly or `readonly = true`): permission `{}` is missing",
                spec.class.as_str(),
                spec.class.as_str()
            );
            let args = tools::audit_arguments(&command);
            return self.refuse(who, name, &msg, Some(args)).await;
        }
        match self.handle.execute(command, who.actor.clone()).await {
            Ok(outcome) => convert::success(&outcome),
            Err(e) => convert::failure(&e),
        }
    }

    /// Record a refusal in the audit log, then answer with it.
    async fn refuse(&self, who: &Who, tool: &str, reason: &str, arguments: Option<String>) -> CallToolResult {
        let record = Command::McpRefused { tool: tool.to_string(), reason: reason.to_string(), arguments };
        if let Err(e) = self.handle.execute(record, who.actor.clone()).await {
            tracing::error!(error = %e, tool, "could not record a refused MCP call");
        }
        convert::refused(reason)
    }
}

/// Who a call runs as: the session's actor and token (stdio), or the HTTP
/// request's bearer token (`token:NAME@mcp`, checked with its peer address).
struct Who {
    actor: Actor,
    token: Option<crate::engine::SecretValue>,
    peer: String,
}

/// Classes nest: read < write < dangerous.
fn rank(p: crate::engine::Permission) -> u8 {
    use crate::engine::Permission;
    match p {
        Permission::Read => 0,
        Permission::Write => 1,
        Permission::Dangerous => 2,
    }
}

/// The HTTP gate's caller, when this request came over HTTP.
fn http_caller(context: &RequestContext<RoleServer>) -> Option<&Caller> {
    context.extensions.get::<http::request::Parts>().and_then(|p| p.extensions.get::<Caller>())
}

impl ServerHandler for HomedeckMcp {
    fn get_info(&self) -> ServerConfig {
        let caps = ServerCapabilities::builder().enable_tools().enable_resources().build();
        ServerConfig::new(caps)
            .with_server_info(Implementation::new("homedeck", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "homedeck runs a Home Assistant homelab: servers, deployments, Home Assistant, devices, backups. \
                 Tools are homedeck's own verbs; read tools change nothing, write tools change state; \
                 a write tool called with dry_run=true returns the engine's preview (targets, current → new values, diff, undo) and changes nothing. \
                 Secret values are never accepted or shown: name vault secrets instead.",
            )
    }

    async fn initialize(&self, request: InitializeRequestParams, context: RequestContext<RoleServer>) -> Result<InitializeResult, ErrorData> {
        self.count_session();
        context.peer.set_peer_info(request.clone());
        self.negotiate_initialize(&request)
    }

    async fn list_tools(&self, _request: Option<PaginatedRequestParams>, context: RequestContext<RoleServer>) -> Result<ListToolsResult, ErrorData> {
        // Over HTTP, only the tools the token's class covers (its allow and
        // deny lists are still checked per call).
        let class = http_caller(&context).map(|c| rank(c.class));
        let tools: Vec<&Tool> = self.tools.iter().filter(|(s, _)| class.is_none_or(|c| rank(s.class) <= c)).map(|(_, t)| t).collect();
        serde_json::from_value(json!({ "tools": tools })).map_err(|e| ErrorData::internal_error(format!("tools/list: {e}"), None))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|(s, _)| s.name == name).map(|(_, t)| t.clone())
    }

    async fn call_tool(&self, request: CallToolRequestParams, context: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        let result = match http_caller(&context) {
            Some(c) => {
                let who = Who { actor: c.actor(), token: Some(c.token.clone()), peer: c.peer.clone() };
                self.call_as(&who, &request.name, request.arguments).await
            }
            None => self.call(&request.name, request.arguments).await,
        };
        Ok(result.into())
    }

    async fn list_resources(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListResourcesResult, ErrorData> {
        let list: Vec<_> = resources::VIEWS
            .iter()
            .map(|v| json!({ "uri": v.uri, "name": v.name, "description": v.description, "mimeType": "application/json" }))
            .collect();
        serde_json::from_value(json!({ "resources": list })).map_err(|e| ErrorData::internal_error(format!("resources/list: {e}"), None))
    }

    async fn read_resource(&self, request: ReadResourceRequestParams, context: RequestContext<RoleServer>) -> Result<ReadResourceResponse, ErrorData> {
        let actor = http_caller(&context).map(Caller::actor).unwrap_or_else(|| self.actor.clone());
        let Some(view) = resources::find(&request.uri) else {
            let known: Vec<&str> = resources::VIEWS.iter().map(|v| v.uri).collect();
            return Err(ErrorData::resource_not_found(format!("no resource {:?}; expected one of {}", request.uri, known.join(", ")), None));
        };
        let outcome = self.handle.execute(view.command(), actor).await.map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let text = serde_json::to_string_pretty(&tools::outcome_json(&outcome)).unwrap_or_default();
        let result: ReadResourceResult = serde_json::from_value(json!({
            "contents": [{ "uri": view.uri, "mimeType": "application/json", "text": text }]
        }))
        .map_err(|e| ErrorData::internal_error(format!("resources/read: {e}"), None))?;
        Ok(result.into())
    }
}
