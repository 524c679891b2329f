//! homedeck against the in-test WLED peer (real device dumps, firmware-like
//! state handling): every dump is read, control changes round-trip, presets
//! and playlists work by id and name, groups report per device, type errors
//! name the field, and live state arrives over /ws with polling fallback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use homedeck::engine::{LightsEvent, LightsOutcome};
use homedeck::engine::internals::lights::args::Flag;
use homedeck::engine::internals::lights::views::Link;
use homedeck::engine::internals::lights::wled::control::Power;
use homedeck::engine::{Command, EngineHandle, Event, Outcome};
use lights_peer::{WledPeer, fixtures, load, wled_dumps};
use serde_json::{Value, json};
use std::time::Duration;

fn set(target: &str) -> Command {
    Command::WledSet {
        target: target.into(),
        power: None,
        bri: None,
        color: None,
        effect: None,
        palette: None,
        speed: None,
        intensity: None,
        segment: None,
        transition: None,
    }
}

async fn add(e: &EngineHandle, peer: &WledPeer, name: &str) {
    common::run(e, Command::WledAdd { address: peer.address(), name: Some(name.into()), site: None }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_every_dump() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let mut peers = Vec::new();
    for (i, dump) in wled_dumps().iter().enumerate() {
        let peer = WledPeer::start_as(dump, &format!("02000000{i:04x}")).await;
        let name = format!("dev{i}");
        add(&e, &peer, &name).await;
        let d = load(dump);
        let Outcome::Lights(LightsOutcome::WledDetail { detail }) = common::run(&e, Command::WledState { device: name.clone() }).await.unwrap()
        else {
            panic!()
        };
        let file = dump.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(detail.info.ver, d["info"]["ver"].as_str().unwrap(), "{file}");
        assert_eq!(u64::from(detail.info.leds.count), d["info"]["leds"]["count"].as_u64().unwrap(), "{file}");
        assert_eq!(detail.effects.len(), d["effects"].as_array().unwrap().len(), "{file}");
        assert_eq!(detail.palettes.len(), d["palettes"].as_array().unwrap().len(), "{file}");
        assert_eq!(detail.state.bri as u64, d["state"]["bri"].as_u64().unwrap(), "{file}");
        assert_eq!(detail.device.mac, format!("02000000{i:04x}"), "{file}");
        assert_eq!(detail.device.version, d["info"]["ver"].as_str().unwrap(), "{file}");
        let kind = match file.as_str() {
            "rgbw.json" => "rgbw",
            "cct.json" => "cct",
            _ => detail.device.kind.as_str(),
        };
        assert_eq!(detail.device.kind, kind, "{file}");
        peers.push(peer);
    }
    let Outcome::Lights(LightsOutcome::WledDevices { devices }) = common::run(&e, Command::WledList {}).await.unwrap() else { panic!() };
    assert_eq!(devices.len(), peers.len());
    assert!(devices.iter().all(|r| r.device.online && r.live.as_ref().is_some_and(|l| l.link == Link::Polled)));
    // An effect name comes from the device's own list.
    assert!(devices.iter().any(|r| r.live.as_ref().unwrap().effect == "Solid"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_changes_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/versions/0.15.3.json")).await;
    add(&e, &peer, "porch").await;

    let mut c = set("porch");
    if let Command::WledSet { power, bri, color, effect, palette, speed, intensity, transition, .. } = &mut c {
        *power = Some(Power::On);
        *bri = Some(77);
        *color = Some("#102030".into());
        *effect = Some("breathe".into());
        *palette = Some("Party".into());
        *speed = Some(12);
        *intensity = Some(34);
        *transition = Some(15);
    }
    let Outcome::Lights(LightsOutcome::WledResults { results, .. }) = common::run(&e, c).await.unwrap() else { panic!() };
    let state = results[0].state.clone().unwrap();
    let s = peer.state();
    assert_eq!((s["on"].clone(), s["bri"].clone(), s["transition"].clone()), (json!(true), json!(77), json!(15)));
    assert_eq!(s["seg"][0]["col"][0], json!([16, 32, 48]));
    let effects = load(&fixtures().join("wled/versions/0.15.3.json"))["effects"].clone();
    let fx = effects.as_array().unwrap().iter().position(|n| n == "Breathe").unwrap();
    assert_eq!(s["seg"][0]["fx"], json!(fx));
    assert_eq!((s["seg"][0]["sx"].clone(), s["seg"][0]["ix"].clone()), (json!(12), json!(34)));
    // What homedeck reports is what the device says it did.
    assert_eq!(state.bri, 77);
    assert_eq!(state.seg[0].fx, Some(fx as u16));

    // Toggle, then one segment only.
    let mut c = set("porch");
    if let Command::WledSet { power, .. } = &mut c {
        *power = Some(Power::Toggle);
    }
    common::run(&e, c).await.unwrap();
    assert_eq!(peer.state()["on"], json!(false));
    let mut c = set("porch");
    if let Command::WledSet { segment, power, color, .. } = &mut c {
        *segment = Some(0);
        *power = Some(Power::Off);
        *color = Some("amber".into());
    }
    common::run(&e, c).await.unwrap();
    assert_eq!(peer.state()["seg"][0]["on"], json!(false));
    assert_eq!(peer.state()["seg"][0]["col"][0], json!([255, 160, 0]));

    // Refusals name the bad value and change nothing.
    let before = peer.state();
    for (field, bad) in [("effect", "Nope"), ("palette", "Plaid"), ("color", "mauve")] {
        let mut c = set("porch");
        if let Command::WledSet { effect, palette, color, .. } = &mut c {
            match field {
                "effect" => *effect = Some(bad.into()),
                "palette" => *palette = Some(bad.into()),
                _ => *color = Some(bad.into()),
            }
        }
        let err = common::run(&e, c).await.unwrap_err().to_string();
        assert!(err.contains(field) && err.contains(bad), "{err}");
    }
    let mut c = set("porch");
    if let Command::WledSet { segment, bri, .. } = &mut c {
        *segment = Some(7);
        *bri = Some(1);
    }
    assert!(common::run(&e, c).await.unwrap_err().to_string().contains("segment"));
    assert_eq!(peer.state(), before);
    // Every change, and every refusal, is in the audit log.
    let audit = common::audit_all(&e).await;
    assert!(audit.iter().filter(|a| a.action == "wled_set").count() >= 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_and_playlists() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/rgbw.json")).await;
    add(&e, &peer, "tree").await;
    let Outcome::Lights(LightsOutcome::WledPresets { presets, .. }) =
        common::run(&e, Command::WledPresetList { device: "tree".into() }).await.unwrap()
    else {
        panic!()
    };
    let plain: Vec<_> = presets.iter().filter(|p| p.playlist.is_none()).collect();
    let lists: Vec<_> = presets.iter().filter(|p| p.playlist.is_some()).collect();
    assert!(!plain.is_empty() && !lists.is_empty(), "{presets:?}");

    common::run(&e, Command::WledPresetApply { target: "tree".into(), preset: plain[1].name.clone() }).await.unwrap();
    assert_eq!(peer.state()["ps"], json!(plain[1].id));
    common::run(&e, Command::WledPlaylistStart { target: "tree".into(), playlist: lists[0].id.to_string() }).await.unwrap();
    assert_eq!(peer.state()["pl"], json!(lists[0].id));
    let first = peer.state()["ps"].clone();
    common::run(&e, Command::WledPlaylistNext { target: "tree".into() }).await.unwrap();
    let entries = lists[0].playlist.as_ref().unwrap().presets.clone();
    if entries.len() > 1 {
        assert_ne!(peer.state()["ps"], first);
    }
    common::run(&e, Command::WledPlaylistStop { target: "tree".into() }).await.unwrap();
    assert_eq!(peer.state()["pl"], json!(-1));
    // A plain preset is not a playlist.
    let err = common::run(&e, Command::WledPlaylistStart { target: "tree".into(), playlist: plain[0].id.to_string() })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("plain preset"), "{err}");

    // Save the current state as preset 42, then delete it.
    let Outcome::Lights(LightsOutcome::WledPresets { presets, .. }) =
        common::run(&e, Command::WledPresetSave { device: "tree".into(), id: 42, name: "Evening glow".into() })
            .await
            .unwrap()
    else {
        panic!()
    };
    assert!(presets.iter().any(|p| p.id == 42 && p.name == "Evening glow"));
    assert_eq!(peer.presets()["42"]["n"], "Evening glow");
    common::run(&e, Command::WledPresetDelete { device: "tree".into(), id: 42 }).await.unwrap();
    assert!(peer.presets().get("42").is_none());
    let err = common::run(&e, Command::WledPresetDelete { device: "tree".into(), id: 42 }).await.unwrap_err();
    assert!(err.to_string().contains("42"));

    // The export is what the device serves.
    let Outcome::Lights(LightsOutcome::WledExported { export }) = common::run(&e, Command::WledExport { device: "tree".into() }).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(export.presets, peer.presets());
    assert_eq!(export.cfg["hw"]["led"]["total"], json!(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_report_per_device() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let a = WledPeer::start_as(&fixtures().join("wled/rgb.json"), "020000000001").await;
    let b = WledPeer::start_as(&fixtures().join("wled/cct.json"), "020000000002").await;
    let c = WledPeer::start(&fixtures().join("wled/versions/16.0.0.json")).await;
    // The same MAC twice is the same device.
    let twin = WledPeer::start_as(&fixtures().join("wled/rgb.json"), "020000000001").await;
    add(&e, &a, "a").await;
    let err = common::run(&e, Command::WledAdd { address: twin.address(), name: None, site: None }).await.unwrap_err();
    assert!(err.to_string().contains("020000000001") && err.to_string().contains("\"a\""), "{err}");
    add(&e, &b, "b").await;
    add(&e, &c, "c").await;
    common::run(&e, Command::WledGroupSet { name: "yard".into(), members: "a, b,c".into() }).await.unwrap();
    let err = common::run(&e, Command::WledGroupSet { name: "bad".into(), members: "a,zz".into() }).await.unwrap_err();
    assert!(err.to_string().contains("zz"));
    c.shared.offline.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut cmd = set("yard");
    if let Command::WledSet { bri, .. } = &mut cmd {
        *bri = Some(99);
    }
    let Outcome::Lights(LightsOutcome::WledResults { results, .. }) = common::run(&e, cmd).await.unwrap() else { panic!() };
    assert_eq!(results.len(), 3);
    let ok: Vec<&str> = results.iter().filter(|r| r.ok).map(|r| r.device.as_str()).collect();
    assert_eq!(ok, vec!["a", "b"]);
    assert!(results[2].message.contains("503"), "{}", results[2].message);
    assert_eq!((a.state()["bri"].clone(), b.state()["bri"].clone()), (json!(99), json!(99)));
    // All failed → an error naming each.
    a.shared.offline.store(true, std::sync::atomic::Ordering::Relaxed);
    b.shared.offline.store(true, std::sync::atomic::Ordering::Relaxed);
    let err = common::run(&e, Command::WledPlaylistNext { target: "yard".into() }).await.unwrap_err().to_string();
    assert!(err.contains("a:") && err.contains("c:"), "{err}");
    let Outcome::Lights(LightsOutcome::WledDevices { devices }) = common::run(&e, Command::WledList {}).await.unwrap() else { panic!() };
    assert!(devices.iter().all(|r| !r.device.online && r.live.as_ref().unwrap().link == Link::Offline));
}

/// A dump changed by `f`, served by a peer, added to a fresh engine.
async fn add_mutated(f: impl FnOnce(&mut Value)) -> Result<(), String> {
    let mut dump = load(&fixtures().join("wled/versions/0.15.0.json"));
    f(&mut dump);
    let presets = load(&fixtures().join("wled/presets.json"));
    let peer = WledPeer::serve("127.0.0.1:0", lights_peer::wled_state::Device::from_dump(&dump, &presets)).await;
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    common::run(&e, Command::WledAdd { address: peer.address(), name: Some("x".into()), site: None }).await.map(|_| ()).map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_missing_and_wrong_fields() {
    // Fields from a future firmware are ignored.
    add_mutated(|d| {
        d["state"]["hologram"] = json!({"on": true});
        d["info"]["leds"]["quantum"] = json!([1, 2]);
        d["state"]["seg"][0]["newopt"] = json!("x");
    })
    .await
    .unwrap();
    // Optional fields may be missing.
    add_mutated(|d| {
        for k in ["transition", "ps", "pl", "mainseg", "nl", "udpn"] {
            d["state"].as_object_mut().unwrap().remove(k);
        }
        for k in ["wifi", "fs", "arch", "uptime", "ip", "leds"] {
            d["info"].as_object_mut().unwrap().remove(k);
        }
        d["state"]["seg"][0].as_object_mut().unwrap().remove("col");
    })
    .await
    .unwrap();
    // Wrong types are refused with the field's path.
    for (path, f) in [
        ("wled.state.bri", Box::new(|d: &mut Value| d["state"]["bri"] = json!("high")) as Box<dyn FnOnce(&mut Value)>),
        ("wled.state.seg[0].col[0]", Box::new(|d: &mut Value| d["state"]["seg"][0]["col"][0] = json!("zz"))),
        ("wled.info.leds.count", Box::new(|d: &mut Value| d["info"]["leds"]["count"] = json!(-3))),
        ("wled.state.on", Box::new(|d: &mut Value| d["state"]["on"] = json!("yes"))),
        ("wled.effects", Box::new(|d: &mut Value| d["effects"] = json!({"0": "Solid"}))),
    ] {
        let err = add_mutated(f).await.unwrap_err();
        assert!(err.contains(path), "{path}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_state_over_ws_with_polling_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let peer = WledPeer::start(&fixtures().join("wled/rgb_websocket.json")).await;
    add(&e, &peer, "desk").await;
    let mut rx = e.subscribe();
    common::run(&e, Command::LightsWatch {}).await.unwrap();
    let wait = |want: Box<dyn Fn(&homedeck::engine::internals::lights::views::LiveState) -> bool + Send>| {
        let mut rx = e.subscribe();
        async move {
            tokio::time::timeout(Duration::from_secs(20), async {
                loop {
                    if let Ok(Event::Lights(LightsEvent::WledLive { device, live })) = rx.recv().await
                        && device == "desk"
                        && want(&live)
                    {
                        return live;
                    }
                }
            })
            .await
            .expect("live state did not arrive")
        }
    };
    // A change made on the device arrives over /ws.
    let w = wait(Box::new(|l| l.link == Link::Live && l.bri == 13));
    tokio::time::sleep(Duration::from_millis(300)).await;
    peer.shared.change(&json!({"bri": 13}));
    w.await;
    assert!(peer.shared.ws_connects.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    // The socket goes away: /json/si is polled, then /ws comes back.
    let w = wait(Box::new(|l| l.link == Link::Polling));
    peer.shared.ws_down.store(true, std::sync::atomic::Ordering::Relaxed);
    w.await;
    let w = wait(Box::new(|l| l.link == Link::Live && l.bri == 14));
    peer.shared.ws_down.store(false, std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    peer.shared.change(&json!({"bri": 14}));
    w.await;
    // The device goes offline entirely.
    let w = wait(Box::new(|l| l.link == Link::Offline));
    peer.shared.offline.store(true, std::sync::atomic::Ordering::Relaxed);
    w.await;
    let Outcome::Lights(LightsOutcome::WledDevices { devices }) = common::run(&e, Command::WledList {}).await.unwrap() else { panic!() };
    assert_eq!(devices[0].live.as_ref().unwrap().link, Link::Offline);
    assert!(!devices[0].device.online);
    drop(rx.try_recv());
    let _ = Flag(true);
}
