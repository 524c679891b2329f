#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Backups of light controllers against the in-test WLED and FPP peers
//! (`tests/lights_peer`, served from real device data): back up, change
//! the device through its own API, restore, and the device serves what it
//! served before; and a restore to an offline device that stops cleanly.

mod backup_common;
mod common;
mod lights_peer;

use homedeck::engine::BackupOutcome;
use backup_common::*;
use common::run;
use homedeck::engine::{Command, Outcome};
use lights_peer::fixtures;
use lights_peer::fpp::FppPeer;
use lights_peer::WledPeer;
use serde_json::{Value, json};

fn device_source(name: &str, kind: &str, device: &str) -> Command {
    with(source_add(name, kind, std::path::Path::new("/")), |c| {
        if let Command::BackupSourceAdd { path, live, .. } = c {
            *path = None;
            *live = Some(device.into());
        }
    })
}

async fn http(method: &str, url: &str, body: Option<(&str, Vec<u8>)>) -> Vec<u8> {
    let c = reqwest::Client::new();
    let mut r = if method == "POST" { c.post(url) } else { c.get(url) };
    if let Some((ct, b)) = body {
        r = r.header("content-type", ct).body(b);
    }
    let resp = r.send().await.unwrap();
    assert!(resp.status().is_success(), "{method} {url}: {}", resp.status());
    resp.bytes().await.unwrap().to_vec()
}

async fn get_json(url: &str) -> Value {
    serde_json::from_slice(&http("GET", url, None).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wled_presets_and_cfg_are_pushed_back_on_restore() {
    let t = tempfile::tempdir().unwrap();
    let e = common::open(&t.path().join("data"));
    let peer = WledPeer::start(&fixtures().join("wled/versions/0.15.1.json")).await;
    let base = format!("http://{}", peer.address());
    run(&e, Command::WledAdd { address: peer.address(), name: Some("porch".into()), site: None }).await.unwrap();
    run(&e, device_source("porch-cfg", "wled", "porch")).await.unwrap();
    let (presets0, cfg0) = (get_json(&format!("{base}/presets.json")).await, get_json(&format!("{base}/json/cfg")).await);
    let entry = create(&e, "porch-cfg", None).await;
    assert!(!entry.encrypted(), "WLED sources are not secret-bearing");

    // Change the device the way a user would: save a preset, rename it in cfg.
    http("POST", &format!("{base}/json/state"), Some(("application/json", br#"{"psave":42,"n":"Party"}"#.to_vec()))).await;
    http("POST", &format!("{base}/json/cfg"), Some(("application/json", br#"{"id":{"name":"Renamed"}}"#.to_vec()))).await;
    assert_ne!(get_json(&format!("{base}/presets.json")).await, presets0);
    assert_ne!(get_json(&format!("{base}/json/cfg")).await, cfg0);

    let Outcome::Backup(BackupOutcome::BackupPreview { preview }) = run(&e, restore(entry.id, None, false)).await.unwrap() else { panic!() };
    assert_eq!(preview.changed, vec!["cfg.json".to_string(), "presets.json".to_string()], "{preview:?}");
    assert!(preview.target.contains("porch"), "{preview:?}");
    let Outcome::Backup(BackupOutcome::BackupRestored { pre_restore, .. }) = run(&e, restore(entry.id, None, true)).await.unwrap() else { panic!() };
    assert!(pre_restore.is_some(), "a pre-restore backup of the device is taken");
    assert_eq!(get_json(&format!("{base}/presets.json")).await, presets0);
    assert_eq!(get_json(&format!("{base}/json/cfg")).await, cfg0);
    // Restoring the pre-restore backup brings the changed state back.
    run(&e, restore(pre_restore.unwrap(), None, true)).await.unwrap();
    assert_eq!(get_json(&format!("{base}/json/cfg")).await["id"]["name"], json!("Renamed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fpp_config_files_and_playlists_round_trip() {
    let t = tempfile::tempdir().unwrap();
    let e = common::open(&t.path().join("data"));
    let fpp = FppPeer::start().await;
    let base = format!("http://{}", fpp.addr);
    // A config file in a subdirectory, uploaded the way FPP documents it.
    http("POST", &format!("{base}/api/configfile/outputs/co-pixelStrings.json"), Some(("text/plain", br#"{"channelOutputs":[{"type":"RPIWS281X","enabled":1}]}"#.to_vec()))).await;
    run(&e, Command::FppAdd { address: fpp.addr.to_string(), name: Some("show".into()), site: None }).await.unwrap();
    run(&e, device_source("show-cfg", "fpp", "show")).await.unwrap();
    let before = fpp.shared.lock().unwrap().config.clone();
    let playlists0 = fpp.shared.lock().unwrap().playlist_bodies.clone();
    let entry = create(&e, "show-cfg", None).await;
    assert_eq!(entry.files as usize, before.len() + playlists0.len(), "{entry:?}");

    // Change a config file and a playlist through the API.
    http("POST", &format!("{base}/api/configfile/schedule.json"), Some(("text/plain", b"[]".to_vec()))).await;
    http("POST", &format!("{base}/api/configfile/outputs/co-pixelStrings.json"), Some(("text/plain", b"{}".to_vec()))).await;
    let name = playlists0.keys().next().unwrap().clone();
    let pl_url = format!("{base}/api/playlist/{}", name.replace(' ', "%20"));
    http("POST", &pl_url, Some(("application/json", br#"{"mainPlaylist":[]}"#.to_vec()))).await;

    let Outcome::Backup(BackupOutcome::BackupPreview { preview }) = run(&e, restore(entry.id, None, false)).await.unwrap() else { panic!() };
    assert!(preview.changed.contains(&"fpp/config/schedule.json".to_string()), "{preview:?}");
    assert!(preview.changed.contains(&format!("fpp/playlists/{name}.json")), "{preview:?}");
    run(&e, restore(entry.id, None, true)).await.unwrap();
    assert_eq!(fpp.shared.lock().unwrap().config, before);
    assert_eq!(fpp.shared.lock().unwrap().playlist_bodies, playlists0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_to_an_offline_device_fails_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let e = common::open(&t.path().join("data"));
    let peer = WledPeer::start(&fixtures().join("wled/rgbw.json")).await;
    let base = format!("http://{}", peer.address());
    run(&e, Command::WledAdd { address: peer.address(), name: Some("tree".into()), site: None }).await.unwrap();
    run(&e, device_source("tree-cfg", "wled", "tree")).await.unwrap();
    let entry = create(&e, "tree-cfg", None).await;
    http("POST", &format!("{base}/json/cfg"), Some(("application/json", br#"{"id":{"name":"Changed"}}"#.to_vec()))).await;
    let changed = get_json(&format!("{base}/json/cfg")).await;
    // The device is offline: the restore stops before anything is pushed,
    // and the error names the device and what it answered.
    peer.shared.offline.store(true, std::sync::atomic::Ordering::Relaxed);
    let err = run(&e, restore(entry.id, None, true)).await.unwrap_err().to_string();
    assert!(err.contains("503") || err.contains("did not answer"), "{err}");
    peer.shared.offline.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(get_json(&format!("{base}/json/cfg")).await, changed, "nothing half-pushed");
}
