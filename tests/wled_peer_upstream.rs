//! Proves the in-test WLED peer with the upstream client: python-wled
//! (PyPI `wled`) reads every real dump through it, changes master and
//! segment state, applies a preset and a playlist, and hears a change over
//! `/ws`. Runs in a private network namespace because python-wled only
//! talks to port 80. Setup: tests/peers/wled.sh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod lights_peer;

use lights_peer::{WledPeer, load, netns, wled_dumps};
use serde_json::Value;
use std::path::Path;

fn python() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/peers/wled-venv/bin/python");
    if !venv.exists() {
        let ok = std::process::Command::new("bash").arg(root.join("tests/peers/wled.sh")).status().unwrap().success();
        assert!(ok && venv.exists(), "python-wled is missing: run tests/peers/wled.sh");
    }
    venv
}

#[test]
fn python_wled_reads_and_drives_every_dump() {
    if netns::enter("python_wled_inner") {
        unreachable!("the inner test runs by name");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs inside a private network namespace, started by python_wled_reads_and_drives_every_dump"]
async fn python_wled_inner() {
    let py = python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/wled_client_check.py");
    let mut checked = 0;
    for (i, dump) in wled_dumps().iter().enumerate() {
        let host = format!("127.0.0.{}", i + 2);
        let peer = WledPeer::start_on(&format!("{host}:80"), dump).await;
        let (py2, script2, host2) = (py.clone(), script.clone(), host.clone());
        let out = tokio::task::spawn_blocking(move || std::process::Command::new(py2).arg(script2).arg(host2).output())
            .await
            .unwrap()
            .unwrap();
        let name = dump.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            out.status.success(),
            "python-wled failed on {name}:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = load(dump);
        assert_eq!(seen["leds"], d["info"]["leds"]["count"], "{name}");
        // python-wled leaves out the firmware's reserved slots, as homedeck does.
        let real = d["effects"].as_array().unwrap().iter().filter(|e| !matches!(e.as_str(), Some("RSVD" | "-"))).count();
        assert_eq!(seen["effects"].as_u64().unwrap() as usize, real, "{name}");
        assert_eq!(seen["off"], false, "{name}");
        assert_eq!(seen["on_bri"], serde_json::json!([true, 42]), "{name}");
        assert_eq!(seen["segment"][0], serde_json::json!([1, 2, 3]), "{name}");
        assert_eq!(seen["segment"][1], 1, "{name}");
        assert_eq!(seen["segment"][2], 99, "{name}");
        assert_eq!(seen["segment"][3], 77, "{name}");
        let p = &seen["preset_applied"];
        assert_eq!(p[0], p[1], "preset applied by id on {name}: {seen}");
        let pl = &seen["playlist_started"];
        assert_eq!(pl[0], pl[1], "playlist started on {name}: {seen}");
        if d["info"]["ws"] == -1 {
            // Built without WebSocket support: the peer has no /ws either.
            assert_eq!(seen["ws_brightness"], "unsupported", "{name}");
        } else {
            assert_eq!(seen["ws_brightness"], 201, "{name}");
            // The peer's own state agrees with what the client saw.
            assert_eq!(peer.state()["bri"], 201);
        }
        drop(peer);
        checked += 1;
    }
    assert!(checked >= 13, "every dump: {checked}");
}
