//! `homedeck mcp` over stdio, driven by the real MCP Python SDK
//! (tests/peers/mcp_client.py in the venv of tests/peers/mcp.sh): initialize,
//! tools/list with every schema checked by jsonschema, resources, a read
//! tool, refusals (secret argument, toolset not offered, --readonly), a
//! write tool while the daemon hosts the data dir, and a canary secret that
//! never reaches a response, a log line or the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;

use daemon_common::Home;
use std::path::PathBuf;
use std::process::Command;

const CANARY: &str = "canary-mcp-5c1e0f77";

fn venv_python() -> PathBuf {
    daemon_common::mcp_venv::python()
}

/// Run the SDK client's scenario against this home; its JSON report.
fn client(home: &Home, scenario: &str, global: &[&str], mcp_args: &str) -> serde_json::Value {
    let r = home.dir.path();
    let out = Command::new(venv_python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_client.py"))
        .args([scenario, env!("CARGO_BIN_EXE_homedeck"), r.join("data").to_str().unwrap()])
        .args(global)
        .env("HOMEDECK_DATA_DIR", r.join("data"))
        .env("HOMEDECK_CONFIG_DIR", r.join("config"))
        .env("HOMEDECK_STATE_DIR", r.join("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", r.join("pass"))
        .env("HOMEDECK_LOG", "trace")
        .env("MCP_ARGS", mcp_args)
        .env("CANARY", CANARY)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "MCP client failed:\n{stdout}\n{stderr}");
    assert!(!stdout.contains(CANARY) && !stderr.contains(CANARY), "canary in the client's view");
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

/// Audit entries as the CLI prints them with --json.
fn audit(home: &Home) -> String {
    let (ok, out, err) = home.hd(&["--json", "audit", "search", "--limit", "200"]);
    assert!(ok, "{err}");
    out
}

#[test]
fn an_sdk_client_lists_checks_and_calls_tools_and_every_call_is_audited() {
    let home = Home::new();
    let seen = client(&home, "full", &[], "");
    assert_eq!(seen["server"], "homedeck");
    let tools: Vec<&str> = seen["tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tools.len() <= 40 && tools.contains(&"server_list") && tools.contains(&"ha_states"), "{tools:?}");
    assert!(!tools.iter().any(|t| ["secret_reveal", "vault_unlock", "site_set", "wled_set"].contains(t)), "{tools:?}");
    assert_eq!(seen["server_list_read_only"], true);
    assert_eq!(seen["server_remove_destructive"], true);
    assert!(seen["resources"].as_array().unwrap().iter().any(|r| r == "homedeck://servers"));
    assert_eq!(seen["read_error"], false);
    assert_eq!(seen["audit_error"], false);
    assert!(seen["texts"][1].as_str().unwrap().contains("local"), "{}", seen["texts"][1]);
    assert_eq!(seen["notfound_error"], true);
    assert!(seen["notfound_text"].as_str().unwrap().contains("no-such-server"));
    assert_eq!(seen["secret_arg_error"], true);
    assert_eq!(seen["outside_toolsets_error"], true);
    assert!(seen["outside_toolsets_text"].as_str().unwrap().contains("--toolsets sites"));

    let log = audit(&home);
    let entries: serde_json::Value = serde_json::from_str(&log).unwrap();
    let entries = entries.pointer("/page/entries").or(entries.get("entries")).cloned().unwrap_or(entries.clone());
    let list = entries.as_array().unwrap_or_else(|| panic!("no entries in {log}"));
    let by = |action: &str| list.iter().filter(|e| e["action"] == action).cloned().collect::<Vec<_>>();
    // Reads are audited too, as USER@mcp with their arguments and duration.
    let reads = by("server_list");
    assert!(!reads.is_empty() && reads.iter().all(|e| e["actor"]["frontend"] == "mcp" && e["status"] == "success"), "{log}");
    assert!(reads[0]["changes"].to_string().contains("duration_ms"));
    // A failed read is a failure; a refused call is a failure saying why.
    assert!(by("server_show").iter().any(|e| e["status"] == "failure"), "{log}");
    let refused = by("site_set");
    assert!(refused.iter().any(|e| e["status"] == "failure" && e["error"].as_str().unwrap_or("").starts_with("refused")), "{log}");
    assert!(!home.everything_written().contains(CANARY), "the canary reached a file homedeck wrote");

    // `mcp status` sums the same entries per tool.
    let (ok, out, err) = home.hd(&["--json", "mcp", "status"]);
    assert!(ok, "{err}");
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(status["tools"]["server_list"]["calls"].as_u64().unwrap() >= 2, "{out}");
    assert_eq!(status["tools"]["server_list"]["errors"], 0, "{out}");
    assert!(status["tools"]["server_list"]["p50_ms"].as_f64().unwrap() > 0.0, "{out}");
    assert!(status["tools"]["server_show"]["errors"].as_u64().unwrap() >= 1, "{out}");
    assert!(status["tools"]["site_set"]["errors"].as_u64().unwrap() >= 1, "{out}");
    let (ok, out, _) = home.hd(&["mcp", "status", "--since", "1h"]);
    assert!(ok && out.contains("server_list") && out.contains("P99 MS"), "{out}");
}

#[test]
fn a_readonly_session_offers_only_reads_and_refuses_a_write_with_an_audit_entry() {
    let home = Home::new();
    let seen = client(&home, "readonly", &["--readonly"], "");
    let tools: Vec<&str> = seen["tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tools.contains(&"server_list") && !tools.contains(&"server_remove") && !tools.contains(&"ha_call"), "{tools:?}");
    assert_eq!(seen["write_error"], true);
    let text = seen["write_text"].as_str().unwrap();
    assert!(text.contains("read-only") && text.contains("permission `dangerous`"), "{text}");
    assert_eq!(seen["read_error"], false);
    let log = audit(&home);
    assert!(log.contains("server_remove") && log.contains("refused: server_remove is a dangerous tool"), "{log}");
    // The built-in server is still there.
    let (_, out, _) = home.hd(&["server", "list"]);
    assert!(out.contains("local"), "{out}");
}

#[test]
fn mcp_attaches_to_the_running_daemon_and_a_write_goes_through_it() {
    let home = Home::new();
    let _daemon = home.daemon();
    let seen = client(&home, "write", &[], "--toolsets default,sites");
    assert_eq!(seen["write_error"], false, "{}", seen["write_text"]);
    assert!(seen["write_text"].as_str().unwrap().contains("nas"), "{}", seen["write_text"]);
    let (_, out, _) = home.hd(&["server", "list"]);
    assert!(out.contains("nas") && out.contains("cabin"), "{out}");
    // The daemon still hosts the data dir: the console or CLI is never locked out.
    assert_eq!(home.status()["running"], true);
    let log = audit(&home);
    assert!(log.contains("server_add") && log.contains("\"frontend\": \"mcp\""), "{log}");
}
