#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! The server's share of an MCP tools/call over Streamable HTTP (issue 17),
//! without the Python SDK: the engine in this process, the daemon's
//! listener (`mcp::http::start`, bearer-token gate, rmcp's session
//! routing) on 127.0.0.1, and a Rust client (reqwest, keep-alive,
//! TCP_NODELAY) whose own cost is a few µs. `benches/mcp.sh` times the same
//! call with the SDK; the difference is the client's.
//!
//! Timed, 2,000 each after 50 warm-ups: a request the gate answers 401
//! (hyper and the client, no MCP, no engine); `tools/call server_list`
//! until its JSON-RPC answer has arrived (what a client waits for); the
//! same until the response stream has ended. Then the load: CLIENTS
//! sessions at once (each its own client, connection and session, one
//! read token between them) × PER calls: throughput, median and p99,
//! errors, and the audit entries of that token counted (none lost).
//!
//! Run: `cargo bench --bench mcp_http`. Medians go in docs/benchmarks.md.

use homedeck::engine::views::tools::ToolsetSelection;
use homedeck::engine::{Actor, AuditOutcome, Command, EngineHandle, EngineOptions, Frontend, McpOutcome, Outcome};
use homedeck::mcp::http::{HttpSettings, start};
use std::time::Instant;

const CALLS: usize = 2000;
const WARM: usize = 50;
const CLIENTS: usize = 10;
const PER: usize = 1000;

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 99 / 100).saturating_sub(1)])
}

async fn post(http: &reqwest::Client, url: &str, headers: &[(&str, String)], body: &serde_json::Value) -> reqwest::Response {
    let mut req = http.post(url).header("accept", "application/json, text/event-stream").json(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.unwrap()
}

/// Read the SSE answer until the event carrying JSON-RPC id `id` is whole
/// (`whole`: on to the end of the stream).
async fn answer(mut r: reqwest::Response, id: u64, whole: bool) -> String {
    let needle = format!("\"id\":{id}");
    let mut text = String::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if !whole && text.contains(&needle) && text.trim_end_matches(' ').ends_with("\n\n") {
            break;
        }
    }
    assert!(text.contains(&needle), "{text}");
    text
}

/// Initialize a session with `token` and say it is initialized: the
/// headers every later request of that session carries.
async fn open_session(http: &reqwest::Client, url: &str, token: &str, client: &str) -> [(&'static str, String); 3] {
    let auth = ("authorization", format!("Bearer {token}"));
    let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": client, "version": "1"}}});
    let r = post(http, url, std::slice::from_ref(&auth), &init).await;
    let session = r.headers()["mcp-session-id"].to_str().unwrap().to_string();
    answer(r, 1, false).await;
    let headers = [auth, ("mcp-session-id", session), ("mcp-protocol-version", "2025-06-18".into())];
    let done = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let _ = post(http, url, &headers, &done).await.bytes().await;
    headers
}

/// One session: initialize, then `per` calls of server_list, each timed.
/// Returns the times (ms) of the calls answered and the count of failures.
async fn session_calls(url: String, token: String, per: usize) -> (Vec<f64>, usize) {
    let http = reqwest::Client::builder().tcp_nodelay(true).pool_max_idle_per_host(1).build().unwrap();
    let headers = open_session(&http, &url, &token, "load").await;
    let call = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "server_list", "arguments": {}}});
    let (mut times, mut errors) = (Vec::with_capacity(per), 0);
    for _ in 0..per {
        let t = Instant::now();
        let r = post(&http, &url, &headers, &call).await;
        if r.status() != 200 {
            errors += 1;
            continue;
        }
        let text = answer(r, 2, false).await;
        if text.contains("\"isError\":true") || !text.contains("local") {
            errors += 1;
            continue;
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (times, errors)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let actor = Actor { user: "bench".into(), frontend: Frontend::Cli };
    let engine = EngineHandle::open(EngineOptions::new(dir.path().join("data")), &actor).unwrap();
    let made = Command::TokenCreate { name: "bench".into(), class: Some("read".into()), allow: None, deny: None, expires: None, rate: None };
    let Outcome::Mcp(McpOutcome::TokenCreated { secret, .. }) = engine.execute(made, actor.clone()).await.unwrap() else { panic!("token_create") };
    let made = Command::TokenCreate { name: "load".into(), class: Some("read".into()), allow: None, deny: None, expires: None, rate: None };
    let Outcome::Mcp(McpOutcome::TokenCreated { secret: load, .. }) = engine.execute(made, actor.clone()).await.unwrap() else { panic!("token_create") };
    let settings = HttpSettings { address: "127.0.0.1:0".parse().unwrap(), tls: None, toolsets: ToolsetSelection::default(), hosts: Vec::new() };
    let listener = start(engine.clone(), settings).await.unwrap();
    let url = listener.url();
    let http = reqwest::Client::builder().tcp_nodelay(true).pool_max_idle_per_host(1).build().unwrap();

    let mut floor = Vec::new();
    for i in 0..CALLS + WARM {
        let t = Instant::now();
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let _ = r.bytes().await.unwrap();
        if i >= WARM {
            floor.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }

    let headers = open_session(&http, &url, secret.expose(), "bench").await;

    let call = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "server_list", "arguments": {}}});
    let (mut first, mut whole) = (Vec::new(), Vec::new());
    for i in 0..2 * (CALLS + WARM) {
        let to_end = i % 2 == 1;
        let t = Instant::now();
        let text = answer(post(&http, &url, &headers, &call).await, 2, to_end).await;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        assert!(text.contains("local"), "{text}");
        if i >= 2 * WARM {
            if to_end { whole.push(ms) } else { first.push(ms) }
        }
    }
    let rows = [("401 from the gate (no MCP, no engine)", floor), ("tools/call, answer received", first), ("tools/call, stream ended", whole)];
    for (what, v) in rows {
        let (m, p) = median(v);
        println!("mcp_http {what}: median {m:.3} ms, p99 {p:.3} ms ({CALLS} requests, Rust client)");
    }

    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS).map(|_| tokio::spawn(session_calls(url.clone(), load.expose().to_string(), PER))).collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (times, e) = t.await.unwrap();
        all.extend(times);
        errors += e;
    }
    let wall = started.elapsed().as_secs_f64();
    let answered = all.len();
    let search = Command::AuditSearch {
        category: None,
        min_severity: None,
        status: None,
        actor: Some("token:load".into()),
        resource: None,
        since: None,
        until: None,
        text: None,
        limit: Some(100_000),
        before: None,
    };
    let Outcome::Audit(AuditOutcome::AuditPage { page }) = engine.execute(search, actor).await.unwrap() else { panic!("audit_search") };
    let (m, p) = median(all);
    println!(
        "mcp_http load, {CLIENTS} sessions x {PER} calls: {:.0} calls/s, median {m:.3} ms, p99 {p:.3} ms, {errors} errors, {} of {} calls audited",
        answered as f64 / wall,
        page.entries.len(),
        CLIENTS * PER
    );
    listener.shutdown();
}
