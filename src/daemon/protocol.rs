//! What crosses the daemon socket. Every frame is one JSON object inside a
//! length-delimited frame (see `codec`), tagged by `"frame"`.
//!
//! The order is fixed: the client says [`ClientFrame::Hello`] first, the
//! server answers [`ServerFrame::Hello`] (or an [`ServerFrame::Error`] and
//! closes). After that the client sends requests, the server sends responses
//! (matched by id, in any order: requests run concurrently), events (if the
//! client asked for them) and `lagged` when a slow client missed events.
//!
//! The hello and error frames must stay readable by every future version:
//! they are how two versions find out that they cannot talk. Everything else
//! may change with [`PROTOCOL_VERSION`].

use crate::engine::{Command, EngineError, Event, Frontend, Outcome, Preview};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bumped whenever a frame, `Command`, `Outcome` or `Event` changes shape.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame either side accepts. A claimed length above this is
/// refused from the 4-byte prefix alone, before anything is allocated.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The front ends a client may say it is. The engine's other front ends
/// (`daemon`, `engine`) are the host's own and never come over the wire.
pub const CLIENT_FRONTENDS: &str = "tui, cli, mcp or ai";

/// Client → server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ClientFrame {
    /// First frame. `frontend` is a string, not a [`Frontend`], so a bad one
    /// can be quoted back in the error.
    Hello { protocol: u32, frontend: String, events: bool },
    /// Run one command. `command` is kept as JSON here and decoded by
    /// [`decode_command`], so an unknown name can be reported by name.
    Request { id: u64, command: serde_json::Value },
    /// What `command` would do, without doing it ([`ServerFrame::Previewed`]).
    /// Added without a version bump, as `tunnel` was: an older host answers
    /// it with an error frame, which names it.
    Preview { id: u64, command: serde_json::Value },
    /// Ask for [`ServerFrame::Status`].
    Status {},
    /// Ask a `homedeck daemon` to stop (a console hosting in-process refuses).
    Stop {},
    /// Instead of a hello: open an SSH tunnel to `socket` (default: the
    /// login user's homedeck socket) on the inventory's `server` and relay
    /// this connection's bytes to it once [`ServerFrame::Tunnel`] says so
    /// (`--remote` from a process attached to this host, which has the
    /// inventory and the vault). Added without a version bump: hellos are
    /// unchanged, and an older host answers this frame with an error.
    Tunnel {
        protocol: u32,
        frontend: String,
        server: String,
        socket: Option<String>,
        /// A console reattaching: its failures are not audited one by one.
        #[serde(default)]
        reattach: bool,
    },
}

/// Which kind of process hosts the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// `homedeck daemon`: headless, runs schedules unattended.
    Daemon,
    /// A console that opened the engine in-process and shares it.
    Console,
    /// A CLI command that opened the engine in-process for its own run.
    Cli,
}

impl HostKind {
    pub fn describe(self) -> &'static str {
        match self {
            HostKind::Daemon => "homedeck daemon",
            HostKind::Console => "console hosting in-process",
            HostKind::Cli => "CLI command hosting in-process",
        }
    }
}

/// What the server says about itself in its hello.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerHello {
    pub protocol: u32,
    pub pid: u32,
    pub started_at: DateTime<Utc>,
    /// homedeck's own version (Cargo.toml).
    pub version: String,
    pub host: HostKind,
    /// The host refuses writes (`--readonly` / `readonly = true`).
    pub readonly: bool,
    /// The host's `[audit] retention_days` (the CLI's default for cleanup).
    pub audit_retention_days: u32,
}

/// One attached client, as `daemon status` lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientInfo {
    pub frontend: Frontend,
    pub user: String,
    pub pid: Option<i32>,
    pub since: DateTime<Utc>,
}

/// `homedeck daemon status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostStatus {
    #[serde(flatten)]
    pub hello: ServerHello,
    pub data_dir: String,
    pub socket: String,
    pub clients: Vec<ClientInfo>,
    /// Every schedule with its next and last run and its state
    /// (`scheduler_status`); `None` if the engine could not say.
    pub schedules: Option<Vec<crate::engine::views::scheduler::JobView>>,
    /// The last config reload (SIGHUP or a change to config.toml); `None`
    /// until one happens, and for hosts that do not reload.
    #[serde(default)]
    pub reload: Option<ReloadInfo>,
    /// The daemon's MCP listener (`[mcp] listen`); `None` when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<McpListenerInfo>,
}

/// Where the daemon serves MCP over HTTP, for `daemon status`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct McpListenerInfo {
    pub url: String,
    pub tls: bool,
    /// Set when bound beyond loopback without TLS (`insecure_plain_http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// How the last config reload went, for `daemon status`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReloadInfo {
    pub at: DateTime<Utc>,
    /// `SIGHUP` or `config.toml changed`.
    pub trigger: String,
    /// False: the file did not parse or a value was out of range; the
    /// settings in force are the ones before it.
    pub ok: bool,
    /// What a person reads: what changed, or why it was refused (with the
    /// line, for a file that does not parse).
    pub message: String,
    /// Settings that changed and were applied (`vault.idle_lock_secs` …).
    #[serde(default)]
    pub applied: Vec<String>,
    /// Settings that changed but take effect only when the daemon restarts.
    #[serde(default)]
    pub needs_restart: Vec<String>,
    /// Settings a console reads when it starts (theme, reveal time, scrollback).
    #[serde(default)]
    pub for_consoles: Vec<String>,
}

/// Server → client.
// Frames live for one send or one receive; boxing the big variants would
// cost an allocation per frame to save stack nobody holds on to.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ServerFrame {
    Hello(ServerHello),
    Response { id: u64, result: Result<Outcome, EngineError> },
    /// The answer to [`ClientFrame::Preview`].
    Previewed { id: u64, result: Result<Preview, EngineError> },
    Event { event: Event },
    /// This client fell behind and `missed` events were dropped for it:
    /// reload whatever it shows.
    Lagged { missed: u64 },
    Status { status: Box<HostStatus> },
    /// The daemon accepted a stop request and is shutting down.
    Stopping {},
    /// The client did something wrong (or cannot be served); the server
    /// closes the connection after sending this.
    Error { message: String },
    /// The answer to [`ClientFrame::Tunnel`]: `Ok(remote socket path)`, after
    /// which every further byte is the remote daemon's; or the engine's
    /// error (typed, so the client can unlock the vault and ask again).
    Tunnel { result: Result<String, EngineError> },
}

/// A hello's front end, checked: only the front ends that attach.
pub fn parse_frontend(name: &str) -> Result<Frontend, String> {
    match name {
        "tui" => Ok(Frontend::Tui),
        "cli" => Ok(Frontend::Cli),
        "mcp" => Ok(Frontend::Mcp),
        "ai" => Ok(Frontend::Ai),
        other => Err(format!("unknown front end {other:?} in hello — expected {CLIENT_FRONTENDS}")),
    }
}

/// The message both sides give when protocol versions differ.
pub fn version_mismatch(server: u32, client: u32) -> String {
    format!(
        "protocol mismatch: the homedeck serving this data dir speaks protocol {server} (homedeck {}), this client speaks protocol {client} — run the same homedeck version for both (restart the daemon after an upgrade)",
        env!("CARGO_PKG_VERSION"),
    )
}

/// A request's command, or a message naming what was wrong with it.
pub fn decode_command(value: serde_json::Value) -> Result<Command, String> {
    let name = match value.get("command") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("request has \"command\": {other} — expected a command name string")),
        None => return Err("request has no \"command\" field — expected {\"command\": NAME, …args}".to_string()),
    };
    if !crate::engine::COMMANDS.iter().any(|c| c.name == name) {
        return Err(format!("unknown command {name:?} — expected one of the names `homedeck commands` lists"));
    }
    serde_json::from_value(value).map_err(|e| format!("bad arguments for command {name:?}: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_is_named() {
        let err = decode_command(serde_json::json!({"command": "launch_rockets"})).unwrap_err();
        assert!(err.contains("\"launch_rockets\""), "{err}");
        let err = decode_command(serde_json::json!({"command": 3})).unwrap_err();
        assert!(err.contains("command name string"), "{err}");
        assert!(decode_command(serde_json::json!({"command": "secret_list"})).is_ok());
    }

    #[test]
    fn frontends_are_checked() {
        assert_eq!(parse_frontend("cli").unwrap(), Frontend::Cli);
        let err = parse_frontend("daemon").unwrap_err();
        assert!(err.contains("\"daemon\"") && err.contains("tui, cli"), "{err}");
    }

    #[test]
    fn a_tunnel_request_defaults_to_audited_and_its_answer_keeps_the_error_typed() {
        let f: ClientFrame =
            serde_json::from_str(r#"{"frame":"tunnel","protocol":1,"frontend":"cli","server":"cabin","socket":null}"#).unwrap();
        assert!(matches!(f, ClientFrame::Tunnel { reattach: false, ref server, socket: None, .. } if server == "cabin"));
        let f = ServerFrame::Tunnel { result: Err(EngineError::VaultLocked) };
        let back: ServerFrame = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert!(matches!(back, ServerFrame::Tunnel { result: Err(EngineError::VaultLocked) }));
    }

    #[test]
    fn frames_round_trip_with_their_tag() {
        let f = ServerFrame::Lagged { missed: 7 };
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(text, r#"{"frame":"lagged","missed":7}"#);
        let f = ServerFrame::Response { id: 1, result: Err(EngineError::VaultLocked) };
        let back: ServerFrame = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert!(matches!(back, ServerFrame::Response { id: 1, result: Err(EngineError::VaultLocked) }));
    }
}
