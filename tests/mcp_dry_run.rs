//! MCP write tools with `dry_run: true` (issue 17), driven by the real MCP
//! Python SDK (tests/peers/mcp_client.py): the answer is the engine's
//! preview, nothing changes, the call is audited as `<tool>_preview` (a
//! read), and since a dry run changes nothing a read token and a read-only
//! session may make one, while the same call without `dry_run` is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;

use daemon_common::Home;
use serde_json::json;
use std::process::Command;

/// The SDK client making `calls` (with `token`, and `global` homedeck
/// arguments); each call's (error, text).
fn calls(home: &Home, token: Option<&str>, global: &[&str], calls: serde_json::Value) -> Vec<(bool, String)> {
    let r = home.dir.path();
    let mut cmd = Command::new(daemon_common::mcp_venv::python());
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_client.py"))
        .args(["calls", env!("CARGO_BIN_EXE_homedeck"), r.join("data").to_str().unwrap()])
        .args(global)
        .env("HOMEDECK_DATA_DIR", r.join("data"))
        .env("HOMEDECK_CONFIG_DIR", r.join("config"))
        .env("HOMEDECK_STATE_DIR", r.join("state"))
        .env("MCP_ARGS", "--toolsets default,sites")
        .env("CALLS", calls.to_string());
    if let Some(t) = token {
        cmd.env("HOMEDECK_MCP_TOKEN", t);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "MCP client failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    seen["calls"].as_array().unwrap().iter().map(|c| (c["error"].as_bool().unwrap(), c["text"].as_str().unwrap().to_string())).collect()
}

fn audit(home: &Home) -> Vec<serde_json::Value> {
    let (ok, out, err) = home.hd(&["--json", "audit", "search", "--limit", "500"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.pointer("/page/entries").or(v.get("entries")).cloned().unwrap_or(v).as_array().cloned().unwrap_or_default()
}

fn add_nas(dry_run: Option<bool>) -> serde_json::Value {
    let mut args = json!({ "name": "nas", "host": "127.0.0.1", "port": 2222, "user": "u", "auth": "agent", "site": "cabin" });
    if let Some(d) = dry_run {
        args["dry_run"] = json!(d);
    }
    json!(["server_add", args])
}

#[test]
fn a_read_token_may_dry_run_a_write_tool_and_nothing_changes() {
    let home = Home::new();
    let (ok, out, err) = home.hd(&["token", "create", "looker", "--class", "read"]);
    assert!(ok, "{err}");
    let token = out.trim().to_string();

    let answers = calls(&home, Some(&token), &[], json!([add_nas(Some(true)), add_nas(None), add_nas(Some(false)), ["server_add", { "name": "x", "dry_run": "yes" }]]));
    let (error, text) = &answers[0];
    assert!(!error, "{text}");
    assert!(text.starts_with("server_add (write): add server nas at 127.0.0.1"), "{text}");
    assert!(text.contains("nas site: (none) → cabin") && text.contains("undo: server_remove name=nas"), "{text}");
    assert!(text.contains("\"dry_run\"") || text.contains("\"changes\""), "the preview as JSON too: {text}");
    // Without dry_run (or with false) the same token is refused the write.
    for (error, text) in &answers[1..3] {
        assert!(*error && text.contains("permission denied") && text.contains("class `write`"), "{text}");
    }
    let (error, text) = &answers[3];
    assert!(*error && text.contains("dry_run") && text.contains("true or false"), "{text}");

    let (_, list, _) = home.hd(&["server", "list"]);
    assert!(!list.contains("nas"), "{list}");
    let log = audit(&home);
    let previews: Vec<_> = log.iter().filter(|e| e["action"] == "server_add_preview").collect();
    assert_eq!(previews.len(), 1, "{log:?}");
    assert_eq!(previews[0]["status"], "success");
    assert_eq!(previews[0]["actor"]["frontend"], "mcp");
    assert!(previews[0]["changes"].to_string().contains("duration_ms"));
    assert!(!log.iter().any(|e| e["action"] == "server_add" && e["status"] == "success"), "{log:?}");
    assert!(!log.iter().any(|e| e.to_string().contains(&token)), "the token reached the audit log");
}

#[test]
fn a_readonly_session_dry_runs_a_dangerous_tool_with_the_daemon_hosting() {
    let home = Home::new();
    let _daemon = home.daemon();
    let (ok, _, err) = home.hd(&["server", "add", "web1", "--host", "127.0.0.1:2222", "--agent", "--tag", "web"]);
    assert!(ok, "{err}");
    let exec = json!(["server_exec", { "targets": "tag:web", "line": "reboot", "dry_run": true }]);
    let remove = json!(["server_remove", { "name": "web1", "dry_run": true }]);
    let real = json!(["server_remove", { "name": "web1" }]);
    let answers = calls(&home, None, &["--readonly"], json!([exec, remove, real]));
    let (error, text) = &answers[0];
    assert!(!error && text.contains("targets (1): web1") && text.contains("cannot be known before it runs"), "{text}");
    assert!(text.contains("needs confirmation"), "reboot looks dangerous: {text}");
    let (error, text) = &answers[1];
    assert!(!error && text.starts_with("server_remove (dangerous)"), "{text}");
    let (error, text) = &answers[2];
    assert!(*error && text.contains("read-only"), "{text}");
    let (_, list, _) = home.hd(&["server", "list"]);
    assert!(list.contains("web1"), "{list}");
    let log = audit(&home);
    assert!(log.iter().any(|e| e["action"] == "server_exec_preview"), "{log:?}");
    assert!(!log.iter().any(|e| e["action"] == "server_exec"), "{log:?}");
}
