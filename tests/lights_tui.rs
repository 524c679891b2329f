//! The Lights pane through the real loop (`Driver`) against the in-test
//! WLED and FPP peers: an 80×24 snapshot with live and polled devices and
//! an FPP host, and a key sequence that drives a device and the FPP player.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod lights_peer;
mod tui_common;

use crossterm::event::KeyCode;
use homedeck::engine::Command;
use lights_peer::fpp::FppPeer;
use lights_peer::{WledPeer, fixtures};
use serde_json::json;
use std::time::Duration;
use tui_common::Harness;

/// Settle and redraw until `ok(screen)` (live state arrives on its own time).
async fn until(h: &mut Harness, ok: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        h.settle().await;
        let s = h.screen80();
        if ok(&s) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("screen never matched:\n{}", h.screen80());
}

/// Ports differ per run; the snapshot shows `127.0.0.1:NNNNN` instead.
fn stable(s: &str, peers: &[String]) -> String {
    let mut out = s.to_string();
    for addr in peers {
        let (host, port) = addr.split_once(':').unwrap();
        out = out.replace(addr.as_str(), &format!("{host}:{}", "N".repeat(port.len())));
    }
    out
}

struct Lights {
    h: Harness,
    porch: WledPeer,
    tree: WledPeer,
    fpp: FppPeer,
}

async fn setup() -> Lights {
    let mut h = Harness::new().await;
    let porch = WledPeer::start_as(&fixtures().join("wled/versions/16.0.0.json"), "020000000001").await;
    let tree = WledPeer::start_as(&fixtures().join("wled/rgbw.json"), "020000000002").await;
    let fpp = FppPeer::start().await;
    for (addr, name) in [(porch.address(), "porch"), (tree.address(), "tree")] {
        h.exec(Command::WledAdd { address: addr, name: Some(name.into()), site: None }).await;
    }
    h.exec(Command::FppAdd { address: fpp.addr.to_string(), name: Some("show".into()), site: None }).await;
    h.key(KeyCode::Char('4')).await;
    h.driver.key(crossterm::event::KeyEvent::new(KeyCode::Char('r'), crossterm::event::KeyModifiers::CONTROL));
    Lights { h, porch, tree, fpp }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lights_pane_snapshot() {
    let mut l = setup().await;
    let screen = until(&mut l.h, |s| s.contains("live") && s.contains("polling") && s.contains("Idle30")).await;
    let peers = [l.porch.address(), l.tree.address(), l.fpp.addr.to_string()];
    insta::assert_snapshot!("lights_pane", stable(&screen, &peers));
    // Every size draws without a panic, with devices and an FPP host on screen.
    for (w, h) in [(0, 0), (39, 9), (40, 10), (41, 11), (60, 14), (80, 24), (120, 40), (200, 60)] {
        l.h.screen(w, h);
    }
    // The detail of the RGBW device, with its presets and playlists.
    l.h.key(KeyCode::Char('j')).await;
    l.h.enter().await;
    let detail = until(&mut l.h, |s| s.contains("Presets:") && s.contains("▶")).await;
    insta::assert_snapshot!("lights_detail", stable(&detail, &peers));
    for (w, h) in [(40, 10), (41, 11), (200, 60)] {
        l.h.screen(w, h);
    }
    l.h.key(KeyCode::Esc).await;
    l.h.key(KeyCode::Char('t')).await;
    let s = l.h.screen80();
    assert!(s.contains("No light schedules"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_drive_devices_and_the_player() {
    let mut l = setup().await;
    until(&mut l.h, |s| s.contains("live") && s.contains("Idle30")).await;
    // porch is the first row.
    l.h.key(KeyCode::Char(' ')).await;
    assert_eq!(l.porch.state()["on"], json!(false));
    until(&mut l.h, |s| s.lines().any(|x| x.contains("porch") && x.contains("off"))).await;
    l.h.key(KeyCode::Char(' ')).await;
    assert_eq!(l.porch.state()["on"], json!(true));
    let bri = l.porch.state()["bri"].as_u64().unwrap();
    l.h.key(KeyCode::Char('+')).await;
    assert_eq!(l.porch.state()["bri"].as_u64().unwrap(), bri + 16);
    l.h.key(KeyCode::Char('-')).await;
    l.h.key(KeyCode::Char('-')).await;
    assert_eq!(l.porch.state()["bri"].as_u64().unwrap(), bri - 16);
    // The colour picker: amber (the dump's colour) → yellow → green.
    l.h.key(KeyCode::Char('c')).await;
    assert_eq!(l.porch.state()["seg"][0]["col"][0], json!([255, 220, 0]));
    until(&mut l.h, |s| !s.contains("working")).await;
    l.h.key(KeyCode::Char('c')).await;
    assert_eq!(l.porch.state()["seg"][0]["col"][0], json!([0, 255, 0]));
    // Effects need the device's own list: open it first.
    l.h.key(KeyCode::Char('e')).await;
    assert!(l.h.screen80().contains("open the device first"));
    l.h.enter().await;
    until(&mut l.h, |s| s.contains("effects ·")).await;
    l.h.key(KeyCode::Char('e')).await;
    assert_eq!(l.porch.state()["seg"][0]["fx"], json!(1));
    l.h.key(KeyCode::Char('E')).await;
    l.h.key(KeyCode::Char('E')).await;
    let last = l.porch.shared.device.lock().unwrap().effects.as_array().unwrap().len() - 1;
    assert_eq!(l.porch.state()["seg"][0]["fx"], json!(last));
    l.h.key(KeyCode::Char('p')).await;
    assert_eq!(l.porch.state()["seg"][0]["pal"], json!(1));
    l.h.key(KeyCode::Char('s')).await;
    assert_eq!(l.porch.state()["seg"][0]["sx"], json!(144));
    l.h.key(KeyCode::Char('>')).await;
    assert_eq!(l.porch.state()["ps"], json!(1));
    let s = until(&mut l.h, |s| s.contains("preset 1 My Preset")).await;
    assert!(s.contains("Solid") || s.contains("porch"), "{s}");
    l.h.key(KeyCode::Esc).await;

    // The FPP host is the third row: pause, resume, next item, stop.
    l.h.key(KeyCode::Char('G')).await;
    l.h.key(KeyCode::Char(' ')).await;
    assert_eq!(l.fpp.shared.lock().unwrap().status["status"], json!(5));
    until(&mut l.h, |s| s.contains("paused")).await;
    l.h.key(KeyCode::Char(' ')).await;
    assert_eq!(l.fpp.shared.lock().unwrap().status["status"], json!(1));
    l.h.key(KeyCode::Char('n')).await;
    assert_eq!(l.fpp.shared.lock().unwrap().status["current_playlist"]["index"], json!("9"));
    l.h.key(KeyCode::Char('x')).await;
    assert_eq!(l.fpp.shared.lock().unwrap().status["status"], json!(0));
    until(&mut l.h, |s| s.contains("idle")).await;

    // `D` removes, as in every pane: it asks first, and `y` removes.
    l.h.key(KeyCode::Char('D')).await;
    let s = l.h.screen80();
    assert!(s.contains("Remove light") && s.contains("Remove show"), "{s}");
    l.h.key(KeyCode::Char('y')).await;
    assert!(l.h.driver.app.panes.lights.hosts.is_empty(), "{}", l.h.screen80());
    drop(l.tree);
}
