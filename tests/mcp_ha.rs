//! Home Assistant tools over MCP against a real Home Assistant Core 2024.3.3
//! (deployed by homedeck over SSH to a real sshd on 127.0.0.1, with
//! `history:` on), called by the MCP Python SDK's Streamable HTTP client
//! through `homedeck daemon`: `ha_states` with a filter, `ha_history` of an
//! entity over a window, then the profile's circuit breaker — HA stopped →
//! calls fail, the breaker opens and calls are refused at once without
//! touching the network (timed) → `homedeck mcp status` shows it open →
//! HA started again → half-open → one call goes through → closed.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `common` (the engine and sshd helpers) and `daemon_common` (the daemon and
// CLI helpers) both include tests/common/cli_env.rs.
#![allow(clippy::duplicate_mod)]

mod common;
mod daemon_common;
mod deploy_common;

use common::run;
use common::sshd::Sshd;
use daemon_common::Home;
use deploy_common::*;
use homedeck::engine::{Command, DeployOutcome, McpOutcome, Outcome, SecretValue};
use std::time::{Duration, Instant};

/// The SDK client's `calls` scenario; each call's (error, text, ms).
fn calls(url: &str, token: &str, calls: serde_json::Value) -> Vec<(bool, String, f64)> {
    let out = std::process::Command::new(daemon_common::mcp_venv::python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_http_client.py"))
        .args(["calls", url, token])
        .env("CALLS", calls.to_string())
        .env("GO_ON", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(seen.get("failed").is_none(), "{seen}");
    seen["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["error"].as_bool().unwrap(), c["text"].as_str().unwrap().to_string(), c["ms"].as_f64().unwrap()))
        .collect()
}

/// `homedeck --json mcp status`'s breaker of profile `home`.
fn breaker(home: &Home) -> serde_json::Value {
    let (ok, out, err) = home.hd(&["--json", "mcp", "status"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["breakers"].as_array().unwrap().iter().find(|b| b["profile"] == "home").cloned().unwrap_or_else(|| panic!("no breaker for home: {v}"))
}

/// Wait until the breaker's state is `state` (a condition with a deadline).
fn until_breaker(home: &Home, state: &str, within: Duration) -> serde_json::Value {
    let deadline = Instant::now() + within;
    loop {
        let b = breaker(home);
        if b["state"] == state {
            return b;
        }
        assert!(Instant::now() < deadline, "breaker never became {state}: {b}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Deploy HA with `history:` on, onboard it, add profile `home`, post
/// three states of a probe entity and make a read API token; returns the
/// deployment's port and the token.
async fn home_assistant(dir: &std::path::Path, d: &Sshd, wheels: &std::path::Path, root: &std::path::Path) -> (u16, String) {
    let e = engine(dir);
    server(&e, d).await;
    let o = run(&e, create("home", root, wheels)).await.unwrap();
    let Outcome::Deploy(DeployOutcome::Deployment { view }) = &o else { panic!("{o:?}") };
    let port = view.deployment.port;
    let config = std::fs::read_to_string(format!("{}/configuration.yaml", view.deployment.config_dir)).unwrap();
    assert!(!config.contains("default_config"), "{config}");
    let content = format!("{config}history:\n");
    run(&e, Command::DeployConfigWrite { name: "home".into(), path: None, content, check: Some(true) }).await.unwrap();
    run(&e, Command::DeployRestart { name: "home".into(), wait: Some(true) }).await.unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let token = onboard(&base).await;
    run(
        &e,
        Command::HaAdd { name: "home".into(), url: None, token_secret: None, token: Some(SecretValue::new(token.clone())), deployment: Some("home".into()), site: None },
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for v in ["1", "2", "3"] {
        let r = http
            .post(format!("{base}/api/states/sensor.homedeck_probe"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"state": v, "attributes": {"friendly_name": "Probe"}}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{r:?}");
    }
    let made = Command::TokenCreate { name: "ops".into(), class: Some("read".into()), allow: None, deny: None, expires: None, rate: None };
    let Outcome::Mcp(McpOutcome::TokenCreated { secret, .. }) = run(&e, made).await.unwrap() else { panic!("token_create") };
    (port, secret.expose().to_string())
}

#[test]
fn ha_tools_over_mcp_and_the_circuit_breaker_of_a_stopped_home_assistant() {
    let wheels = wheelhouse();
    let home = Home::new();
    // The daemon unlocks the vault the test engine created.
    std::fs::write(home.dir.path().join("pass"), format!("{}\n", common::PASS)).unwrap();
    let d = Sshd::start(&home.dir.path().join("sshd"));
    let root = home.dir.path().join("deployments");
    let _reaper = Reaper(root.clone());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let (port, token) = rt.block_on(home_assistant(home.dir.path(), &d, &wheels, &root));
    drop(rt);

    // Any command writes the default config.toml; then the listener is turned on.
    let (ok, _, err) = home.hd(&["daemon", "status"]);
    assert!(ok, "{err}");
    let path = home.dir.path().join("config/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("# listen = \"127.0.0.1:8766\"", "listen = \"127.0.0.1:0\"")).unwrap();
    let _daemon = home.daemon();
    let (ok, _, err) = home.hd(&["vault", "unlock"]);
    assert!(ok, "{err}");
    let url = home.status()["mcp"]["url"].as_str().unwrap().to_string();

    // States with a filter, and the probe's history over the last hour (the
    // recorder writes in the background: asked again until all three show).
    let states = serde_json::json!([["ha_states", {"name": "home", "filter": "sensor.homedeck_"}]]);
    let a = calls(&url, &token, states);
    assert!(!a[0].0 && a[0].1.contains("sensor.homedeck_probe") && a[0].1.contains("\"state\": \"3\""), "{}", a[0].1);
    let history = serde_json::json!([["ha_history", {"name": "home", "entity": "sensor.homedeck_probe", "since": "1h"}]]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let a = calls(&url, &token, history.clone());
        assert!(!a[0].0, "{}", a[0].1);
        let seen: Vec<&str> = ["\"state\": \"1\"", "\"state\": \"2\"", "\"state\": \"3\""].into_iter().filter(|s| a[0].1.contains(s)).collect();
        if seen.len() == 3 {
            assert!(a[0].1.contains("sensor.homedeck_probe, 3 states") || a[0].1.contains("states"), "{}", a[0].1);
            break;
        }
        assert!(Instant::now() < deadline, "the history never held all three states: {}", a[0].1);
        std::thread::sleep(Duration::from_millis(500));
    }
    let bad = calls(&url, &token, serde_json::json!([["ha_history", {"name": "home", "entity": "not an entity"}]]));
    assert!(bad[0].0 && bad[0].1.contains("an entity id such as light.porch"), "{}", bad[0].1);
    assert_eq!(breaker(&home)["state"], "closed");

    // HA stopped: the first calls fail reaching it, then the breaker opens
    // and refuses without calling.
    let (ok, _, err) = home.hd(&["deploy", "stop", "home"]);
    assert!(ok, "{err}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while listening(port) {
        assert!(Instant::now() < deadline, "HA still listens on {port} after deploy stop");
        std::thread::sleep(Duration::from_millis(200));
    }
    let five = serde_json::json!([["ha_states", {"name": "home"}], ["ha_states", {"name": "home"}], ["ha_states", {"name": "home"}], ["ha_states", {"name": "home"}], ["ha_states", {"name": "home"}]]);
    let a = calls(&url, &token, five);
    for (err, text, _) in &a[..3] {
        assert!(*err && text.contains("did not answer"), "{text}");
    }
    for (err, text, ms) in &a[3..] {
        assert!(*err && text.contains("circuit breaker open") && text.contains("not called"), "{text}");
        eprintln!("refused by the open breaker in {ms:.1} ms");
        assert!(*ms < 500.0, "an open breaker answers at once, not after a network timeout: {ms} ms");
    }
    let b = breaker(&home);
    assert_eq!(b["state"], "open", "{b}");
    assert!(b["failures"].as_u64().unwrap() >= 3 && b["rejected"].as_u64().unwrap() >= 2, "{b}");
    let (ok, human, _) = home.hd(&["mcp", "status"]);
    assert!(ok && human.contains("HA PROFILE") && human.contains("open"), "{human}");

    // HA started again: once the open time is over the breaker is half-open;
    // the next call is the trial, goes through, and closes it.
    let (ok, _, err) = home.hd(&["deploy", "start", "home"]);
    assert!(ok, "{err}");
    until_breaker(&home, "half_open", Duration::from_secs(60));
    // (States posted over REST do not survive HA's restart: any entity will do.)
    let a = calls(&url, &token, serde_json::json!([["ha_states", {"name": "home"}]]));
    assert!(!a[0].0 && a[0].1.starts_with("home: ") && !a[0].1.starts_with("home: 0 entities"), "{}", a[0].1);
    let b = breaker(&home);
    assert_eq!((b["state"].as_str(), b["failures"].as_u64()), (Some("closed"), Some(0)), "{b}");
}
