//! API tokens over MCP, with the real MCP Python SDK as the client
//! (tests/peers/mcp_client.py): `homedeck token create|list|show|revoke|
//! rotate`, a read token refused a write tool naming the missing permission,
//! a write token allowed it, deny globs, a rate limit with its retry time,
//! revoked and wrong tokens refused, wrong tokens throttled with a security
//! event, and the token's value in no audit entry or log line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;

use daemon_common::Home;
use std::path::PathBuf;
use std::process::Command;

fn venv_python() -> PathBuf {
    daemon_common::mcp_venv::python()
}

/// `homedeck token create …` → the printed value.
fn create(home: &Home, args: &[&str]) -> String {
    let mut all = vec!["token", "create"];
    all.extend_from_slice(args);
    let (ok, out, err) = home.hd(&all);
    assert!(ok, "{err}");
    let token = out.trim().to_string();
    assert!(token.starts_with("hd_") && token.len() == 67, "{out}");
    assert!(err.contains("not shown again"), "{err}");
    token
}

/// The SDK client making `calls` with `token`; each call's (error, text).
fn calls(home: &Home, token: &str, calls: serde_json::Value) -> Vec<(bool, String)> {
    let r = home.dir.path();
    let out = Command::new(venv_python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_client.py"))
        .args(["calls", env!("CARGO_BIN_EXE_homedeck"), r.join("data").to_str().unwrap()])
        .env("HOMEDECK_DATA_DIR", r.join("data"))
        .env("HOMEDECK_CONFIG_DIR", r.join("config"))
        .env("HOMEDECK_STATE_DIR", r.join("state"))
        .env("HOMEDECK_LOG", "trace")
        .env("HOMEDECK_MCP_TOKEN", token)
        .env("MCP_ARGS", "--toolsets default,sites")
        .env("CALLS", calls.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "MCP client failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    seen["calls"].as_array().unwrap().iter().map(|c| (c["error"].as_bool().unwrap(), c["text"].as_str().unwrap().to_string())).collect()
}

fn add_server(name: &str) -> serde_json::Value {
    serde_json::json!(["server_add", { "name": name, "host": "127.0.0.1", "port": 2222, "user": "u", "auth": "agent" }])
}

#[test]
fn token_classes_allow_deny_and_rates_decide_each_call() {
    let home = Home::new();
    let read = create(&home, &["reader", "--class", "read", "--rate", "3/min"]);
    let write = create(&home, &["writer", "--class", "dangerous", "--deny", "server_remove"]);
    let answers = calls(&home, &read, serde_json::json!([["server_list", {}], add_server("nas"), ["server_list", {}], ["server_list", {}]]));
    assert!(!answers[0].0, "{}", answers[0].1);
    assert!(answers[1].0 && answers[1].1.contains("permission denied") && answers[1].1.contains("class `write`"), "{}", answers[1].1);
    assert!(!answers[2].0, "{}", answers[2].1);
    // The fourth call in a minute (the refused write counts too) is over 3/min.
    assert!(answers[3].0 && answers[3].1.contains("rate limited") && answers[3].1.contains("retry in"), "{}", answers[3].1);

    let answers = calls(&home, &write, serde_json::json!([add_server("nas"), ["server_remove", { "name": "nas" }]]));
    assert!(!answers[0].0, "{}", answers[0].1);
    assert!(answers[1].0 && answers[1].1.contains("denied to API token writer by pattern server_remove"), "{}", answers[1].1);

    let (_, out, _) = home.hd(&["token", "list"]);
    assert!(out.contains("reader") && out.contains("uses 2") && out.contains("rate 3/min"), "{out}");
    let (_, audit, _) = home.hd(&["--json", "audit", "search", "--limit", "200"]);
    assert!(audit.contains("token:writer") && audit.contains("token_create"), "{audit}");
    assert!(audit.contains("refused: permission denied"), "{audit}");
    let everything = format!("{audit}{}", std::fs::read_to_string(home.dir.path().join("state/homedeck.log")).unwrap_or_default());
    for t in [&read, &write] {
        assert!(!everything.contains(t.as_str()), "a token's value reached the audit log or the log file");
    }
}

#[test]
fn revoked_rotated_and_wrong_tokens_are_refused_and_guessing_raises_an_event() {
    let home = Home::new();
    let old = create(&home, &["ci"]);
    let (ok, out, err) = home.hd(&["token", "rotate", "ci"]);
    assert!(ok, "{err}");
    let new = out.trim().to_string();
    assert_ne!(new, old);
    let mcp = |token: &str| {
        let r = home.dir.path();
        let o = Command::new(env!("CARGO_BIN_EXE_homedeck"))
            .arg("mcp")
            .env("HOMEDECK_DATA_DIR", r.join("data"))
            .env("HOMEDECK_CONFIG_DIR", r.join("config"))
            .env("HOMEDECK_STATE_DIR", r.join("state"))
            .env("HOMEDECK_MCP_TOKEN", token)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (ok, err) = mcp(&old);
    assert!(!ok && err.contains("invalid API token"), "{err}");
    assert!(!calls(&home, &new, serde_json::json!([["server_list", {}]]))[0].0);
    let (ok, _, err) = home.hd(&["token", "revoke", "ci"]);
    assert!(ok, "{err}");
    let (ok, err) = mcp(&new);
    assert!(!ok && err.contains("API token ci was revoked"), "{err}");

    // Guessing, against the daemon (which keeps the count): five wrong
    // tokens, then the peer is refused without a check and an event is raised.
    let _daemon = home.daemon();
    for i in 0..5 {
        let (ok, err) = mcp(&format!("hd_{i:064}"));
        assert!(!ok && err.contains("invalid API token"), "{err}");
    }
    let (ok, err) = mcp(&new);
    assert!(!ok && err.contains("too many wrong API tokens") && err.contains("retry in"), "{err}");
    let (_, out, _) = home.hd(&["--json", "events"]);
    assert!(out.contains("mcp_token_bruteforce"), "{out}");
}
