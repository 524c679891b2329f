//! MCP over Streamable HTTP from `homedeck daemon` (`[mcp] listen`), with
//! the MCP Python SDK's Streamable HTTP client as the real client
//! (tests/peers/mcp_http_client.py): no, a non-bearer or a wrong token is
//! HTTP 401 saying why; a read token lists only read tools, calls a read
//! tool and is refused a write tool naming the missing class; a write token
//! writes; a token revoked mid-session is refused; every call and refusal is
//! audited as `token:NAME@mcp`; a canary secret and the token values reach
//! no response, audit entry or file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;

use daemon_common::Home;
use std::path::PathBuf;
use std::process::Command;

const CANARY: &str = "canary-mcp-http-8d21c4";

fn venv_python() -> PathBuf {
    daemon_common::mcp_venv::python()
}

fn create(home: &Home, name: &str, class: &str) -> String {
    let (ok, out, err) = home.hd(&["token", "create", name, "--class", class]);
    assert!(ok, "{err}");
    out.trim().to_string()
}

/// Turn the listener on at a free loopback port (config.toml exists once a
/// command has run).
fn listen_on_loopback(home: &Home) {
    let path = home.dir.path().join("config/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# listen = \"127.0.0.1:8766\""), "{text}");
    std::fs::write(&path, text.replace("# listen = \"127.0.0.1:8766\"", "listen = \"127.0.0.1:0\"")).unwrap();
}

/// The SDK client: `scenario` against `url` with `token`; what it saw, and
/// its whole stdout and stderr (checked for the canary).
fn client(home: &Home, scenario: &str, url: &str, token: &str, envs: &[(&str, String)]) -> (serde_json::Value, String) {
    let r = home.dir.path();
    let out = Command::new(venv_python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_http_client.py"))
        .args([scenario, url, token])
        .env("HOMEDECK_DATA_DIR", r.join("data"))
        .env("HOMEDECK_CONFIG_DIR", r.join("config"))
        .env("HOMEDECK_STATE_DIR", r.join("state"))
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "MCP HTTP client failed:\n{stdout}\n{stderr}");
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(seen.get("failed").is_none(), "{seen}\n{stderr}");
    // A revoked token's DELETE is refused (401) and may say so; an ended session must not.
    assert!(!stderr.contains("Session termination failed: 202"), "the SDK did not see its session end: {stderr}");
    (seen, format!("{stdout}{stderr}"))
}

fn answers(seen: &serde_json::Value) -> Vec<(bool, String)> {
    seen["calls"].as_array().unwrap().iter().map(|c| (c["error"].as_bool().unwrap(), c["text"].as_str().unwrap().to_string())).collect()
}

fn audit_entries(home: &Home) -> (Vec<serde_json::Value>, String) {
    let (ok, out, err) = home.hd(&["--json", "audit", "search", "--limit", "200"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v.pointer("/page/entries").or(v.get("entries")).and_then(|e| e.as_array()).cloned().unwrap_or_default();
    (list, out)
}

/// The daemon's MCP URL from `daemon status --json`.
fn mcp_url(home: &Home) -> String {
    listener_url(home, false)
}

fn listener_url(home: &Home, tls: bool) -> String {
    let status = home.status();
    assert_eq!(status["mcp"]["tls"], tls, "{status}");
    assert!(status["mcp"].get("warning").is_none(), "{status}");
    let url = status["mcp"]["url"].as_str().unwrap_or_else(|| panic!("no MCP listener in {status}")).to_string();
    let scheme = if tls { "https" } else { "http" };
    assert!(url.starts_with(&format!("{scheme}://127.0.0.1:")) && url.ends_with("/mcp"), "{url}");
    url
}

/// `[mcp]` on loopback with `tls_cert`/`tls_key`.
fn listen_with_tls(home: &Home, cert: &std::path::Path, key: &std::path::Path) {
    listen_on_loopback(home);
    let path = home.dir.path().join("config/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let tls = format!("tls_cert = {:?}\ntls_key = {:?}", cert.display().to_string(), key.display().to_string());
    std::fs::write(&path, text.replace("# tls_cert = \"/etc/homedeck/mcp.crt\"", &tls)).unwrap();
}

#[test]
fn http_clients_need_a_bearer_token_and_each_call_is_checked_and_audited() {
    let home = Home::new();
    let reader = create(&home, "reader", "read");
    let writer = create(&home, "writer", "write");
    listen_on_loopback(&home);
    let _daemon = home.daemon();
    let url = mcp_url(&home);
    let (ok, human, _) = home.hd(&["daemon", "status"]);
    assert!(ok && human.contains(&format!("mcp       {url}")), "{human}");

    let (raw, _) = client(&home, "raw", &url, "", &[]);
    for (case, says) in [("none", "missing API token"), ("basic", "not a bearer token"), ("wrong", "invalid API token")] {
        assert_eq!(raw[case]["status"], 401, "{raw}");
        assert!(raw[case]["body"].as_str().unwrap().contains(says), "{case}: {raw}");
        assert!(raw[case]["challenge"].as_str().unwrap().starts_with("Bearer realm=\"homedeck\""), "{raw}");
    }

    let add = serde_json::json!(["server_add", { "name": "nas", "host": "127.0.0.1", "port": 2222, "user": "u", "auth": "agent" }]);
    let ha = serde_json::json!(["ha_add", { "name": "h", "url": "http://127.0.0.1:9", "token": CANARY }]);
    let calls = serde_json::json!([["server_list", {}], add, ha]);
    let (seen, said_to_reader) = client(&home, "calls", &url, &reader, &[("CALLS", calls.to_string())]);
    assert_eq!(seen["server"], "homedeck");
    let tools: Vec<&str> = seen["tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tools.contains(&"server_list") && !tools.contains(&"server_add"), "a read token lists only read tools: {tools:?}");
    let a = answers(&seen);
    assert!(!a[0].0 && a[0].1.contains("local"), "{}", a[0].1);
    assert!(a[1].0 && a[1].1.contains("permission denied") && a[1].1.contains("needs class `write`"), "{}", a[1].1);
    assert!(a[2].0, "a secret argument is never accepted: {}", a[2].1);

    let (seen, said_to_writer) = client(&home, "calls", &url, &writer, &[("CALLS", serde_json::json!([add]).to_string())]);
    assert!(seen["tools"].as_array().unwrap().iter().any(|t| t == "server_add"));
    let a = answers(&seen);
    assert!(!a[0].0, "{}", a[0].1);

    let (entries, log) = audit_entries(&home);
    let by = |action: &str, actor: &str| {
        entries.iter().filter(|e| e["action"] == action && e["actor"]["user"] == actor && e["actor"]["frontend"] == "mcp").cloned().collect::<Vec<_>>()
    };
    assert!(by("server_list", "token:reader").iter().any(|e| e["status"] == "success"), "{log}");
    let refused = by("server_add", "token:reader");
    assert!(refused.iter().any(|e| e["status"] == "failure" && e["error"].as_str().unwrap_or("").contains("refused: permission denied")), "{log}");
    assert!(by("server_add", "token:writer").iter().any(|e| e["status"] == "success"), "{log}");
    let (ok, out, err) = home.hd(&["server", "list"]);
    assert!(ok && out.contains("nas"), "{out}{err}");

    let written = home.everything_written();
    for said in [&said_to_reader, &said_to_writer, &log, &written] {
        assert!(!said.contains(CANARY), "the canary reached a response, the audit log or a file");
        assert!(!said.contains(&reader) && !said.contains(&writer), "a token's value reached a response, the audit log or a file");
    }
}

#[test]
fn a_token_revoked_mid_session_is_refused_on_its_next_request() {
    let home = Home::new();
    let token = create(&home, "agent", "read");
    listen_on_loopback(&home);
    let _daemon = home.daemon();
    let url = mcp_url(&home);
    let revoke = serde_json::json!([env!("CARGO_BIN_EXE_homedeck"), "token", "revoke", "agent"]).to_string();
    let calls = serde_json::json!([["server_list", {}], ["server_list", {}]]).to_string();
    let (seen, _) = client(&home, "calls", &url, &token, &[("CALLS", calls), ("REVOKE_AFTER", "1".into()), ("REVOKE_CMD", revoke)]);
    let a = answers(&seen);
    assert!(!a[0].0, "{}", a[0].1);
    assert!(a.len() == 2 && a[1].0, "the call after the revocation was not refused: {a:?}");
    // The HTTP answer says why.
    let (raw, _) = client(&home, "raw", &url, &token, &[]);
    assert_eq!(raw["given"]["status"], 401, "{raw}");
    assert!(raw["given"]["body"].as_str().unwrap().contains("API token agent was revoked"), "{raw}");
    let (entries, log) = audit_entries(&home);
    assert!(entries.iter().any(|e| e["action"] == "token_revoke" && e["status"] == "success"), "{log}");
    let reads = entries.iter().filter(|e| e["action"] == "server_list" && e["actor"]["user"] == "token:agent").count();
    assert_eq!(reads, 1, "only the call before the revocation ran: {log}");
}

#[test]
fn https_from_pem_files_and_unreadable_ones_stop_the_start() {
    let home = Home::new();
    let token = create(&home, "tls", "read");
    let (cert, key) = (home.dir.path().join("mcp.crt"), home.dir.path().join("mcp.key"));
    std::fs::write(&cert, "not a certificate\n").unwrap();
    std::fs::write(&key, "not a key\n").unwrap();
    listen_with_tls(&home, &cert, &key);
    let out = home.spawn(&["daemon"]).wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("mcp.tls_cert") && err.contains("mcp.crt"), "{err}");

    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let _daemon = home.daemon();
    let url = listener_url(&home, true);
    let ca = [("MCP_CA", cert.display().to_string())];
    let (raw, _) = client(&home, "raw", &url, "", &ca);
    assert_eq!(raw["none"]["status"], 401, "{raw}");
    let calls = serde_json::json!([["server_list", {}]]).to_string();
    let (seen, _) = client(&home, "calls", &url, &token, &[("CALLS", calls), ca[0].clone()]);
    let a = answers(&seen);
    assert!(!a[0].0 && a[0].1.contains("local"), "{}", a[0].1);
}

#[test]
fn tokens_over_their_rate_and_peers_guessing_tokens_get_429_with_retry_after() {
    let home = Home::new();
    let (ok, out, err) = home.hd(&["token", "create", "limited", "--class", "read", "--rate", "2/min"]);
    assert!(ok, "{err}");
    let limited = out.trim().to_string();
    listen_on_loopback(&home);
    let _daemon = home.daemon();
    let url = mcp_url(&home);

    // The SDK: two calls fit the rate; the third is answered with HTTP 429
    // and a JSON-RPC error, which the SDK raises as the call's error
    // (naming the wait), and the session goes on.
    let calls = serde_json::json!([["server_list", {}], ["server_list", {}], ["server_list", {}], ["server_list", {}]]).to_string();
    let (seen, _) = client(&home, "calls", &url, &limited, &[("CALLS", calls), ("GO_ON", "1".into())]);
    let c = seen["calls"].as_array().unwrap();
    assert!(!c[0]["error"].as_bool().unwrap() && !c[1]["error"].as_bool().unwrap(), "{seen}");
    for refused in &c[2..] {
        let text = refused["text"].as_str().unwrap();
        assert!(refused["raised"] == true && text.contains("rate limited: API token limited is over its rate") && text.contains("retry in"), "{seen}");
    }
    // A plain HTTP client sees the status and Retry-After.
    let (raw, _) = client(&home, "rawcall", &url, &limited, &[]);
    assert_eq!(raw["status"], 429, "{raw}");
    let wait: u64 = raw["retry_after"].as_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{raw}");
    let body: serde_json::Value = serde_json::from_str(raw["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["id"], 7, "{body}");
    let ms = body["error"]["data"]["retry_after_ms"].as_u64().unwrap();
    assert!(ms > (wait - 1) * 1000 && ms <= wait * 1000, "Retry-After {wait} s rounds up {ms} ms: {body}");
    // Each refused call is in the audit log as a refusal of that tool.
    let (entries, log) = audit_entries(&home);
    let refused = entries
        .iter()
        .filter(|e| e["action"] == "server_list" && e["actor"]["user"] == "token:limited" && e["status"] == "failure")
        .filter(|e| e["error"].as_str().unwrap_or("").contains("refused: rate limited"))
        .count();
    assert_eq!(refused, 3, "{log}");

    // Wrong tokens: 401 until the peer is throttled, then 429 with Retry-After
    // (every request from it, a good token's too, until the block ends).
    let (raw, _) = client(&home, "brute", &url, "", &[("TIMES", "6".into())]);
    let answers = raw["answers"].as_array().unwrap();
    assert!(answers[..4].iter().all(|a| a["status"] == 401), "{raw}");
    let last = &answers[5];
    assert_eq!(last["status"], 429, "{raw}");
    let wait: u64 = last["retry_after"].as_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{raw}");
    assert!(last["body"].as_str().unwrap().contains("too many wrong API tokens from 127.0.0.1"), "{raw}");
    let (ok, events, _) = home.hd(&["--json", "events"]);
    assert!(ok && events.contains("mcp_token_bruteforce"), "{events}");
}
