//! Shared by the deployment tests: a real sshd on 127.0.0.1 as the server,
//! the HA wheelhouse from tests/peers/homeassistant.sh, Home Assistant's own
//! onboarding to get a long-lived token.
#![allow(dead_code)]

use crate::common::sshd::Sshd;
use crate::common::{self, run};
use homedeck::engine::internals::deploy::DeployOptions;
use homedeck::engine::internals::ha::ws::Ws;
use homedeck::engine::{Command, EngineHandle, EngineOptions, Event, SecretValue};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const VERSION: &str = "2024.3.3";

/// Run the idempotent peer setup (builds the wheelhouse the first time).
pub fn wheelhouse() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new("bash")
        .arg(root.join("tests/peers/homeassistant.sh"))
        .status()
        .expect("run tests/peers/homeassistant.sh");
    assert!(status.success(), "tests/peers/homeassistant.sh failed: Home Assistant {VERSION} wheels are needed");
    let dir = root.join(format!("target/peers/ha/wheels-{VERSION}"));
    assert!(dir.join(".complete").exists(), "no wheelhouse at {}: run tests/peers/homeassistant.sh", dir.display());
    dir
}

pub fn engine(dir: &Path) -> EngineHandle {
    let mut opts = EngineOptions::new(dir.join("data"));
    opts.deploy = DeployOptions { healthy_timeout: Duration::from_secs(300), ..Default::default() };
    common::open_with(opts)
}

/// Vault + a server `box` that is the real sshd, logged in with a vault key.
pub async fn server(e: &EngineHandle, d: &Sshd) {
    common::init(e).await;
    run(e, d.server_add("box")).await.expect("add server");
}

pub fn create(name: &str, root: &Path, wheels: &Path) -> Command {
    Command::DeployCreate {
        name: name.into(),
        server: "box".into(),
        version: VERSION.into(),
        runtime: None,
        port: None,
        config_dir: None,
        bind: Some("127.0.0.1".into()),
        find_links: Some(wheels.display().to_string()),
        supervisor: None,
        wait: None,
        root: Some(root.display().to_string()),
        python: None,
        site: None,
    }
}

/// Onboard a fresh HA (first user), then mint a long-lived token over the
/// WebSocket API — what a person does in the web UI on first start.
pub async fn onboard(base: &str) -> String {
    let http = reqwest::Client::new();
    let client_id = format!("{base}/");
    let user: serde_json::Value = http
        .post(format!("{base}/api/onboarding/users"))
        .json(&serde_json::json!({
            "client_id": client_id, "name": "Test Owner", "username": "owner",
            "password": "a-long-test-password", "language": "en"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = user["auth_code"].as_str().unwrap_or_else(|| panic!("onboarding answered {user}"));
    let tok: serde_json::Value = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "authorization_code"), ("code", code), ("client_id", &client_id)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tok["access_token"].as_str().unwrap_or_else(|| panic!("token answered {tok}"));
    let mut ws = Ws::connect("test", base, &SecretValue::new(access)).await.unwrap();
    let lltoken = ws
        .call(serde_json::json!({"type": "auth/long_lived_access_token", "client_name": "homedeck-test", "lifespan": 30}))
        .await
        .unwrap();
    lltoken.as_str().unwrap().to_string()
}

/// Wait for an event matching `f` (panics after `secs`).
pub async fn expect_event(rx: &mut tokio::sync::broadcast::Receiver<Event>, secs: u64, mut f: impl FnMut(&Event) -> bool) -> Event {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(ev)) if f(&ev) => return ev,
            Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(e)) => panic!("event stream ended: {e}"),
            Err(_) => panic!("no matching event within {secs} s"),
        }
    }
}

/// Stops every supervisor and Home Assistant under `root` when dropped, so a
/// failing test leaves no process behind (declare it after the TempDir).
pub struct Reaper(pub PathBuf);

impl Drop for Reaper {
    fn drop(&mut self) {
        let Ok(dirs) = std::fs::read_dir(&self.0) else { return };
        for d in dirs.flatten() {
            for f in ["supervisor.pid", "hass.pid"] {
                if let Ok(pid) = std::fs::read_to_string(d.path().join("run").join(f)) {
                    let _ = std::process::Command::new("kill").arg("-KILL").arg(pid.trim()).status();
                }
            }
        }
    }
}

/// Is anything listening on the port?
pub fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}
