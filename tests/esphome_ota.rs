#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! OTA against the espota2 receiver of the device peer: success (SHA256 and
//! MD5 auth, gzip), wrong password, MD5 mismatch, the device dropping mid
//! upload, platform mismatch, and a bulk update of ten devices where one
//! fails — each audited.

mod common;
mod esphome_common;

use homedeck::engine::EsphomeOutcome;
use common::{add, audit_all, init, open_with, run};
use esphome_common::{Peer, firmware};
use homedeck::engine::internals::esphome::OtaStatus;
use homedeck::engine::{Command, EngineHandle, EngineOptions, Outcome};

fn engine(dir: &std::path::Path) -> EngineHandle {
    let mut o = EngineOptions::new(dir);
    o.esphome.confirm_secs = 10;
    o.esphome.api_timeout_secs = 3;
    open_with(o)
}

async fn add_device(e: &EngineHandle, name: &str, peer: &Peer, password_secret: Option<&str>, platform: &str) {
    run(
        e,
        Command::EsphomeAdd {
            name: name.into(),
            host: "127.0.0.1".into(),
            port: Some(peer.api),
            key_secret: None,
            ota_port: Some(peer.ota),
            ota_password_secret: password_secret.map(String::from),
            platform: Some(platform.into()),
            site: None,
        },
    )
    .await
    .unwrap();
}

async fn import(e: &EngineHandle, path: &std::path::Path, version: &str, platform: &str) {
    run(e, Command::EsphomeFirmwareImport { path: path.display().to_string(), version: version.into(), platform: platform.into() })
        .await
        .unwrap();
}

async fn ota(e: &EngineHandle, device: &str, fw: &str) -> Result<Outcome, String> {
    run(e, Command::EsphomeOta { device: device.into(), firmware: fw.into(), confirm_secs: None }).await.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_updates_and_their_failures() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir.path().join("data"));
    init(&e).await;
    add(&e, "ota-pw", "letmein").await;
    add(&e, "ota-wrong", "nope").await;
    let fw = firmware(dir.path(), "2026.3.0", 400_000);
    import(&e, &fw, "2026.3.0", "esp32").await;
    let received = dir.path().join("received.bin");

    // SHA256 auth + gzip, then the device reboots into the new version.
    let p = Peer::start(&["--name", "a", "--ota-password", "letmein", "--ota-compression", "--received-file", received.to_str().unwrap()]);
    add_device(&e, "a", &p, Some("ota-pw"), "ESP32").await;
    match ota(&e, "a", "2026.3.0").await.unwrap() {
        Outcome::Esphome(EsphomeOutcome::EsphomeOta { results }) => {
            let r = &results[0];
            assert_eq!(r.status, OtaStatus::Updated);
            assert!(r.compressed && r.sent < 400_000, "{r:?}");
            assert_eq!(r.from_version.as_deref(), Some("2025.6.0"));
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(std::fs::read(&received).unwrap(), std::fs::read(&fw).unwrap(), "image arrived intact");

    // MD5 auth, no compression, OTA protocol v1.
    let p = Peer::start(&["--name", "b", "--ota-password", "letmein", "--ota-auth", "md5", "--ota-version", "1"]);
    add_device(&e, "b", &p, Some("ota-pw"), "ESP32").await;
    assert!(matches!(ota(&e, "b", "2026.3.0").await.unwrap(), Outcome::Esphome(EsphomeOutcome::EsphomeOta { .. })));

    // Wrong password.
    let p = Peer::start(&["--name", "c", "--ota-password", "letmein"]);
    add_device(&e, "c", &p, Some("ota-wrong"), "ESP32").await;
    let err = ota(&e, "c", "2026.3.0").await.unwrap_err();
    assert!(err.contains("0x82") && err.contains("password is wrong"), "{err}");
    // No password at all, while the device asks for one.
    add_device(&e, "c2", &p, None, "ESP32").await;
    let err = ota(&e, "c2", "2026.3.0").await.unwrap_err();
    assert!(err.contains("asks for an OTA password"), "{err}");

    // The image arrives corrupted: the device reports an MD5 mismatch.
    let p = Peer::start(&["--name", "d", "--ota-fault", "corrupt"]);
    add_device(&e, "d", &p, None, "ESP32").await;
    let err = ota(&e, "d", "2026.3.0").await.unwrap_err();
    assert!(err.contains("0x8B") && err.contains("MD5 mismatch"), "{err}");

    // The device drops the connection half way.
    let p = Peer::start(&["--name", "f", "--ota-fault", "drop"]);
    add_device(&e, "f", &p, None, "ESP32").await;
    let err = ota(&e, "f", "2026.3.0").await.unwrap_err();
    assert!(err.contains("dropped the connection during the upload"), "{err}");

    // Flash write failure.
    let p = Peer::start(&["--name", "g", "--ota-fault", "flash"]);
    add_device(&e, "g", &p, None, "ESP32").await;
    let err = ota(&e, "g", "2026.3.0").await.unwrap_err();
    assert!(err.contains("0x83"), "{err}");

    // A firmware for another platform is refused before anything is sent.
    add_device(&e, "h", &p, None, "ESP8266").await;
    let err = ota(&e, "h", "2026.3.0").await.unwrap_err();
    assert!(err.contains("a firmware for ESP8266"), "{err}");

    // Every attempt is in the audit log, success or failure.
    let entries = audit_all(&e).await;
    let otas: Vec<_> = entries.iter().filter(|a| a.action == "esphome_ota").collect();
    assert_eq!(otas.len(), 8, "{otas:#?}");
    assert_eq!(otas.iter().filter(|a| a.status == homedeck::engine::internals::audit::Status::Success).count(), 2);
    // Neither password reached the audit log.
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("letmein") && !text.contains("\"nope\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_update_of_ten_with_one_failing() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir.path().join("data"));
    let fw = firmware(dir.path(), "2026.4.0", 200_000);
    import(&e, &fw, "2026.4.0", "ESP32").await;
    let mut peers = Vec::new();
    for i in 0..10 {
        let name = format!("node{i:02}");
        // node07 boots back into its old firmware: confirmation must fail.
        let mut args = vec!["--name", name.as_str(), "--ota-compression"];
        if i == 7 {
            args.push("--ota-keep-version");
        }
        let p = Peer::start(&args);
        add_device(&e, &name, &p, None, "ESP32").await;
        peers.push(p);
    }
    // An offline device of the same platform, and one of another platform.
    let gone = Peer::start(&["--name", "gone"]);
    add_device(&e, "gone", &gone, None, "ESP32").await;
    drop(gone);
    let other = Peer::start(&["--name", "other"]);
    add_device(&e, "other", &other, None, "ESP8266").await;

    let outcome = run(
        &e,
        Command::EsphomeOtaBulk { firmware: "2026.4.0".into(), targets: "outdated".into(), concurrency: Some(3), confirm_secs: Some(3) },
    )
    .await
    .unwrap();
    let Outcome::Esphome(EsphomeOutcome::EsphomeOta { results }) = outcome else { panic!() };
    assert_eq!(results.len(), 11, "the ESP8266 device is not a target: {results:#?}");
    let by = |s: OtaStatus| results.iter().filter(|r| r.status == s).count();
    assert_eq!(by(OtaStatus::Updated), 9, "{results:#?}");
    assert_eq!(by(OtaStatus::Failed), 1, "{results:#?}");
    assert_eq!(by(OtaStatus::Skipped), 1, "{results:#?}");
    let failed = results.iter().find(|r| r.status == OtaStatus::Failed).unwrap();
    assert_eq!(failed.device, "node07");
    assert!(failed.reason.as_deref().unwrap().contains("did not come back with version 2026.4.0"), "{failed:?}");
    let skipped = results.iter().find(|r| r.status == OtaStatus::Skipped).unwrap();
    assert!(skipped.device == "gone" && skipped.reason.as_deref().unwrap().contains("offline"));
    for p in &peers {
        assert!(p.saw("ota_done"));
    }
    // One audit entry per device, plus the bulk command itself.
    let entries = audit_all(&e).await;
    assert_eq!(entries.iter().filter(|a| a.action == "esphome_ota").count(), 11);
    assert_eq!(entries.iter().filter(|a| a.action == "esphome_ota_bulk").count(), 1);
    // Now nothing is outdated any more, except the one that failed and the offline one.
    match run(&e, Command::EsphomeList {}).await.unwrap() {
        Outcome::Esphome(EsphomeOutcome::EsphomeDevices { devices }) => {
            let outdated: Vec<_> = devices.iter().filter(|d| d.platform.as_deref() == Some("ESP32") && d.version.as_deref() != Some("2026.4.0")).map(|d| d.name.as_str()).collect();
            assert_eq!(outdated, vec!["gone", "node07"]);
        }
        o => panic!("{o:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firmware_registry_checks_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir.path().join("data"));
    let html = dir.path().join("index.html");
    std::fs::write(&html, "<html>").unwrap();
    let err = run(&e, Command::EsphomeFirmwareImport { path: html.display().to_string(), version: "1".into(), platform: "ESP32".into() })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("0x3C") && err.contains("index.html"), "{err}");
    let fw = firmware(dir.path(), "1.0", 1000);
    let err = run(&e, Command::EsphomeFirmwareImport { path: fw.display().to_string(), version: "1.0".into(), platform: "avr".into() })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"avr\""), "{err}");
    import(&e, &fw, "1.0", "ESP32").await;
    // The copy in the data dir is checked against its hash before use.
    let Outcome::Esphome(EsphomeOutcome::EsphomeFirmware { firmware }) = run(&e, Command::EsphomeFirmwareList {}).await.unwrap() else { panic!() };
    let copy = dir.path().join("data/esphome/firmware").join(format!("{}.bin", firmware[0].sha256));
    std::fs::write(&copy, b"\xE9tampered").unwrap();
    let p = Peer::start(&["--name", "t"]);
    add_device(&e, "t", &p, None, "ESP32").await;
    let err = ota(&e, "t", "1.0").await.unwrap_err();
    assert!(err.contains("hashes to"), "{err}");
}
