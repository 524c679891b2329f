#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! End to end: the real binary in tmux at 80×24 with no model provider, so
//! the offline interpreter answers. A request typed into pane 8 becomes a
//! proposal card against the real WLED peer (added with the real CLI);
//! nothing changes until `y`, then the device is at 30 %.

#[path = "daemon_common/tmux.rs"]
mod tmux;
mod lights_peer;

use lights_peer::{WledPeer, fixtures};
use std::process::Command;
use std::time::{Duration, Instant};
use tmux::Tmux;

fn homedeck(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_homedeck"))
        .env("HOMEDECK_DATA_DIR", root.join("data"))
        .env("HOMEDECK_CONFIG_DIR", root.join("config"))
        .env("HOMEDECK_STATE_DIR", root.join("state"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_request_is_proposed_and_y_sets_the_wled_peer() {
    let root = tempfile::tempdir().unwrap();
    let peer = WledPeer::start(&fixtures().join("wled").join("rgb.json")).await;
    let out = homedeck(root.path(), &["wled", "add", &peer.address(), "--name", "porch"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = peer.state()["bri"].as_u64().unwrap();
    assert_ne!(before, 77);

    let t = Tmux::start(root.path(), "ai", (80, 24), false);
    t.wait_for("Overview");
    t.keys(&["8"]);
    t.wait_for("offline interpreter answers");
    t.tmux(&["send-keys", "-l", "turn the porch WLED to 30 %"]);
    t.keys(&["Enter"]);
    let s = t.wait_for("· proposed");
    assert!(s.contains("wled_set target=porch") && s.contains("porch brightness"), "{s}");
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before, "nothing runs before the confirm");

    t.keys(&["y"]);
    t.wait_for("· done");
    let deadline = Instant::now() + Duration::from_secs(10);
    while peer.state()["bri"].as_u64().unwrap() != 77 {
        assert!(Instant::now() < deadline, "the peer never reached 77: {}", peer.state());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The audit says who: the user, through the AI front end.
    let audit = homedeck(root.path(), &["audit", "search", "--json"]);
    let text = String::from_utf8_lossy(&audit.stdout);
    assert!(text.contains("wled_set") && text.contains("\"ai\""), "{text}");
    t.keys(&["Escape", "q"]);
}
