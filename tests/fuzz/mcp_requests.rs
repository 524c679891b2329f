//! MCP requests as the server reads them: a JSON-RPC body (stdio line or
//! HTTP POST) decoded by the SDK (rmcp's `ClientJsonRpcMessage`), and for a
//! `tools/call` the part homedeck owns — the tool's name and arguments
//! turned into a `Command` (`tools::call`) and, on a refusal, the arguments
//! as the audit entry records them (`tools::audit_arguments`).
//!
//! Samples: one `tools/call` per tool homedeck offers, with arguments built
//! from the tool's own input schema (so most start valid), plus the other
//! requests a session sends (initialize, tools/list, ping, a notification).
//! A canary secret rides in every sample (a withheld secret argument where
//! the tool has one, an unknown argument otherwise); whatever a mutation
//! leaves in a secret argument never comes back in an error.

use crate::support::{self, mutated, names_something};
use homedeck::engine::views::tools;
use proptest::prelude::*;
use rmcp::model::{ClientJsonRpcMessage, ClientRequest, JsonRpcMessage};
use serde_json::{Map, Value, json};

const CANARY: &str = "mcp-fuzz-canary-9f3c1e";

/// A value of the schema's type for one property.
fn placeholder(schema: &Value) -> Value {
    if let Some(first) = ["anyOf", "oneOf"].iter().find_map(|k| schema.get(k).and_then(Value::as_array).and_then(|v| v.first())) {
        return placeholder(first);
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    let ty = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null),
        Some(t) => t.clone(),
        None => Value::Null,
    };
    match ty.as_str() {
        Some("string") => json!("porch"),
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => Value::Null,
    }
}

fn arguments(spec: &tools::ToolSpec) -> Map<String, Value> {
    let mut args = Map::new();
    if let Some(props) = spec.input_schema.get("properties").and_then(Value::as_object) {
        for (name, schema) in props {
            args.insert(name.clone(), placeholder(schema));
        }
    }
    let secret = spec.withheld.first().copied().unwrap_or("unknown_argument");
    args.insert(secret.into(), json!(CANARY));
    args
}

fn samples() -> Vec<Vec<u8>> {
    let mut out: Vec<Value> = tools::all_tools()
        .iter()
        .enumerate()
        .map(|(i, spec)| json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": spec.name, "arguments": arguments(spec)}}))
        .collect();
    out.push(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "1"}}}));
    out.push(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": "x"}}));
    out.push(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}));
    out.push(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    out.into_iter().map(|v| serde_json::to_vec(&v).unwrap()).collect()
}

proptest! {
    #![proptest_config(support::config(3000))]

    #[test]
    fn mcp_requests(body in mutated(samples())) {
        // The SDK's decoder: any answer but a panic is fine here.
        let Ok(JsonRpcMessage::Request(request)) = serde_json::from_slice::<ClientJsonRpcMessage>(&body) else {
            return Ok(());
        };
        let ClientRequest::CallToolRequest(call) = request.request else { return Ok(()) };
        let (name, args) = (call.params.name.to_string(), call.params.arguments);
        // The values given for the tool's secret arguments: never echoed.
        // (Other values are, on purpose: an error names the bad value, and
        // the audit records a device's name; a mutation that moves the
        // canary into `device` is no leak.)
        let withheld = tools::tool(&name).map(|t| t.withheld.clone()).unwrap_or_default();
        let secrets: Vec<String> = args
            .iter()
            .flatten()
            .filter(|(k, _)| withheld.contains(&k.as_str()))
            .map(|(_, v)| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            .filter(|v| v.len() >= 6)
            .collect();
        match tools::call(&name, args) {
            Ok((command, _dry_run)) => {
                prop_assert!(secrets.is_empty(), "{name}: a secret argument was accepted");
                // What a refusal would record: it must not panic.
                let _ = tools::audit_arguments(&command);
            }
            Err(e) => {
                let m = e.to_string();
                for v in &secrets {
                    prop_assert!(!m.contains(v.as_str()), "error holds a secret argument's value {v:?}: {m}");
                }
                prop_assert!(names_something(&m, &["tool", "arguments", "dry_run", "command"]), "{m:?}");
            }
        }
    }
}

/// The samples are what they claim: every tool's unmutated call decodes
/// through the SDK, and its only refusal is the canary argument (withheld
/// secret or unknown), named without its value.
#[test]
fn every_tool_sample_is_refused_for_its_canary_only() {
    let all = samples();
    let (mut checked, mut wrong) = (0, Vec::new());
    for body in &all {
        let message = serde_json::from_slice::<ClientJsonRpcMessage>(body);
        let Ok(JsonRpcMessage::Request(request)) = message else {
            assert!(message.is_ok(), "the SDK refused a sample: {}", String::from_utf8_lossy(body));
            continue;
        };
        let ClientRequest::CallToolRequest(call) = request.request else { continue };
        let spec = tools::tool(&call.params.name).unwrap();
        let err = tools::call(&call.params.name, call.params.arguments).err().map(|e| e.to_string()).unwrap_or_default();
        let secret = spec.withheld.first().copied().unwrap_or("unknown_argument");
        if !err.contains(secret) || err.contains(CANARY) {
            wrong.push(format!("{}: {err:?}", spec.name));
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{} of {checked} samples:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(checked, tools::all_tools().len());
}
