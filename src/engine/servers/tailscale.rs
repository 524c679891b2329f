//! `tailscale status --json`, read here or on a server over SSH. The JSON is
//! read field by field: unknown fields are ignored, missing ones left empty,
//! and a field of the wrong type is treated as missing — one odd peer never
//! hides the whole tailnet.

use crate::engine::ServersOutcome;
use super::runner::{self, Program};
use super::store as servers;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Inner, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub host_name: String,
    pub dns_name: String,
    pub os: String,
    pub ips: Vec<String>,
    pub online: bool,
    pub active: bool,
    pub exit_node: bool,
    pub exit_node_option: bool,
    pub last_seen: Option<String>,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub relay: String,
    pub cur_addr: String,
    pub key_expiry: Option<String>,
    pub expired: bool,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub read_on: String,
    pub version: String,
    pub backend_state: String,
    pub tailnet: String,
    pub magic_dns_suffix: String,
    pub this_node: Node,
    pub peers: Vec<Node>,
    pub exit_node: Option<String>,
    pub health: Vec<String>,
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}
fn b(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}
fn list(v: &Value, k: &str) -> Vec<String> {
    v.get(k).and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
}
/// Tailscale's zero time means "never".
fn time(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).filter(|t| !t.starts_with("0001-01-01")).map(String::from)
}

fn node(v: &Value) -> Node {
    Node {
        id: s(v, "ID"),
        host_name: s(v, "HostName"),
        dns_name: s(v, "DNSName"),
        os: s(v, "OS"),
        ips: list(v, "TailscaleIPs"),
        online: b(v, "Online"),
        active: b(v, "Active"),
        exit_node: b(v, "ExitNode"),
        exit_node_option: b(v, "ExitNodeOption"),
        last_seen: time(v, "LastSeen"),
        rx_bytes: v.get("RxBytes").and_then(Value::as_u64).unwrap_or(0),
        tx_bytes: v.get("TxBytes").and_then(Value::as_u64).unwrap_or(0),
        relay: s(v, "Relay"),
        cur_addr: s(v, "CurAddr"),
        key_expiry: time(v, "KeyExpiry"),
        expired: b(v, "Expired"),
        tags: list(v, "Tags"),
    }
}

pub fn parse(text: &str, read_on: &str) -> EngineResult<Status> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let start: String = text.chars().take(60).collect();
        EngineError::invalid("tailscale status", start, &format!("the JSON of `tailscale status --json` ({e})"))
    })?;
    if !v.is_object() {
        return Err(EngineError::invalid("tailscale status", text.chars().take(60).collect::<String>(), "a JSON object"));
    }
    let mut peers: Vec<Node> = v.get("Peer").and_then(Value::as_object).map(|m| m.values().map(node).collect()).unwrap_or_default();
    peers.sort_by(|a, b| b.online.cmp(&a.online).then(a.host_name.cmp(&b.host_name)));
    let exit_node = peers.iter().find(|p| p.exit_node).map(|p| p.host_name.clone());
    Ok(Status {
        read_on: read_on.to_string(),
        version: s(&v, "Version"),
        backend_state: s(&v, "BackendState"),
        tailnet: v.get("CurrentTailnet").map(|t| s(t, "Name")).unwrap_or_default(),
        magic_dns_suffix: s(&v, "MagicDNSSuffix"),
        this_node: v.get("Self").map(node).unwrap_or_default(),
        peers,
        exit_node,
        health: list(&v, "Health"),
    })
}

pub(crate) async fn status(inner: &Inner, actor: &Actor, server: Option<String>) -> EngineResult<Outcome> {
    let server = servers::get(&inner.store, server.as_deref().unwrap_or(super::model::LOCAL))?;
    let program = Program::Argv(vec!["tailscale".into(), "status".into(), "--json".into()]);
    let timeout = inner.servers.opts.get().connect_timeout * 2;
    let (st, out, err) = match runner::capture(inner, &server, actor, &program, true, timeout).await {
        Err(EngineError::RemoteShellMissing { server, .. }) => {
            return Err(EngineError::Remote { server, detail: "tailscale is not installed (`tailscale` command not found)".into() });
        }
        other => other?,
    };
    if out.trim().is_empty() {
        let why = if err.trim().is_empty() { format!("exit {:?}", st.exit_code) } else { err.trim().to_string() };
        return Err(EngineError::Remote { server: server.name.clone(), detail: format!("`tailscale status --json` printed nothing: {why}") });
    }
    Ok(Outcome::Servers(ServersOutcome::Tailscale { status: Box::new(parse(&out, &server.name)?) }))
}
