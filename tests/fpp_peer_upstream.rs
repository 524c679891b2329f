#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Proves the in-test FPP peer against upstream, as tests/wled_peer_upstream.rs
//! does the WLED peer with python-wled: every endpoint the peer answers is
//! called over HTTP and its answer validated with openapi-core against FPP's
//! own REST API description (tests/fixtures/fpp/openapi.json), and with
//! jsonschema against the shape of upstream's example for that endpoint (or,
//! for `/api/fppd/status`, a real fppd answer) — after every playback
//! control too. Setup: tests/peers/fpp.sh.

mod lights_peer;

use lights_peer::fpp::FppPeer;
use std::path::Path;

fn python() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/peers/fpp-venv/bin/python");
    if !venv.exists() {
        let ok = std::process::Command::new("bash").arg(root.join("tests/peers/fpp.sh")).status().unwrap().success();
        assert!(ok && venv.exists(), "openapi-core is missing: run tests/peers/fpp.sh");
    }
    venv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fpp_peer_answer_conforms_to_fpps_api_description() {
    let py = python();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let peer = FppPeer::start().await;
    let base = format!("http://{}", peer.addr);
    let (script, fixtures) = (root.join("tests/peers/fpp_schema_check.py"), root.join("tests/fixtures"));
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(py).arg(script).arg(base).arg(fixtures).output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the FPP peer does not conform:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checked = report["checked"].as_array().unwrap();
    assert!(checked.len() >= 27, "every endpoint and every status after a control: {checked:?}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{stdout}");
}
