#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap
//! The ESPHome pane: 80×24 snapshots of the device list, an OTA gauge and
//! the logs view (fed with fixed lines so the pictures are stable), and key
//! sequences through the real loop against the device peer: live logs with
//! level filter, search, pause and save; an OTA confirmed and reported.

mod esphome_common;
mod tui_common;

use homedeck::engine::EsphomeEvent;
use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use esphome_common::{Peer, firmware};
use homedeck::engine::internals::esphome::{LogLevel, LogRecord, OtaPhase};
use homedeck::engine::{Command, Event};
use homedeck::tui::panes::PaneId;
use homedeck::tui::panes::esphome::View;
use std::time::Duration;
use tui_common::Harness;

fn add(name: &str, host: &str, port: u16, platform: &str) -> Command {
    Command::EsphomeAdd {
        name: name.into(),
        host: host.into(),
        port: Some(port),
        key_secret: None,
        ota_port: None,
        ota_password_secret: None,
        platform: Some(platform.into()),
        site: None,
    }
}

fn line(sec: u32, level: LogLevel, text: &str) -> LogRecord {
    LogRecord { at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, sec).unwrap(), level, text: text.into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esphome_pane_snapshots() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('3')).await;
    insta::assert_snapshot!("esphome_empty", h.screen80());

    h.exec(add("kitchen", "192.168.1.40", 6053, "ESP32")).await;
    h.exec(add("garage-door", "192.168.1.41", 6053, "ESP8266")).await;
    h.settle().await;
    h.driver.app.panes.esphome.progress.insert("kitchen".into(), (OtaPhase::Uploading, 600 * 1024, 1500 * 1024));
    insta::assert_snapshot!("esphome_devices", h.screen80());
    h.driver.app.panes.esphome.progress.clear();

    // The logs view, merged, with ANSI colours and a device column.
    let p = &mut h.driver.app.panes.esphome;
    p.logs.show(vec!["garage-door".into(), "kitchen".into()]);
    p.view = View::Logs;
    h.driver.engine_event(Event::Esphome(EsphomeEvent::EsphomeLogs {
        device: "kitchen".into(),
        lines: vec![
            line(1, LogLevel::Info, "\x1b[0;32m[I][app:029]: Running through setup()\x1b[0m"),
            line(2, LogLevel::Debug, "\x1b[0;36m[D][sensor:094]: 'Temperature': Sending state 21.5 °C\x1b[0m"),
        ],
    }));
    h.driver.engine_event(Event::Esphome(EsphomeEvent::EsphomeLogs {
        device: "garage-door".into(),
        lines: vec![
            line(3, LogLevel::Warn, "\x1b[0;33m[W][wifi:500]: Signal weak (-82 dBm)\x1b[0m"),
            line(4, LogLevel::Error, "\x1b[1;31m[E][i2c:070]: Bus error on SDA\x1b[0m"),
            line(5, LogLevel::Verbose, "\x1b[0;37m[V][api:100]: Ping\x1b[0m"),
        ],
    }));
    h.settle().await;
    insta::assert_snapshot!("esphome_logs_merged", h.screen80());
    // Level ≤ DEBUG hides the verbose line; a search highlights and is shown.
    h.key(KeyCode::Char('v')).await;
    h.key(KeyCode::Char('v')).await;
    h.key(KeyCode::Char('/')).await;
    h.typ("bus").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(!screen.contains("[V][api"), "{screen}");
    insta::assert_snapshot!("esphome_logs_filtered", screen);
    h.key(KeyCode::Char('s')).await;
    insta::assert_snapshot!("esphome_logs_split", h.screen80());
}

async fn wait_screen(h: &mut Harness, want: &str) -> String {
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        h.settle().await;
        let s = h.screen80();
        if s.contains(want) {
            return s;
        }
    }
    panic!("{want:?} never appeared:\n{}", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_logs_and_ota_through_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let peer = Peer::start(&["--name", "porch", "--log-ms", "30", "--ota-compression"]);
    let mut h = Harness::new().await;
    let mut c = add("porch", "127.0.0.1", peer.api, "ESP32");
    if let Command::EsphomeAdd { ota_port, .. } = &mut c {
        *ota_port = Some(peer.ota);
    }
    h.exec(c).await;
    let fw = firmware(dir.path(), "2026.5.0", 120_000);
    h.exec(Command::EsphomeFirmwareImport { path: fw.display().to_string(), version: "2026.5.0".into(), platform: "ESP32".into() })
        .await;
    h.key(KeyCode::Char('3')).await;
    assert_eq!(h.driver.app.pane, PaneId::Esphome);
    assert!(h.screen80().contains("porch"));

    // Enter: device info over the API.
    h.enter().await;
    let s = h.screen80();
    assert!(s.contains("2025.6.0") && s.contains("uptime"), "{s}");
    h.key(KeyCode::Esc).await;

    // l: live logs.
    h.key(KeyCode::Char('l')).await;
    let s = wait_screen(&mut h, "Running through setup").await;
    assert!(s.contains("FOLLOW") && s.contains("● porch"), "{s}");
    // f pauses; the view stops moving while lines keep arriving.
    h.key(KeyCode::Char('f')).await;
    let paused = h.screen80();
    assert!(paused.contains("PAUSED"), "{paused}");
    // Level down to ERROR: only [E] lines remain.
    for _ in 0..6 {
        h.key(KeyCode::Char('v')).await;
    }
    let s = wait_screen(&mut h, "≤ERROR").await;
    assert!(s.contains("[E][i2c]") && !s.contains("[I][app]"), "{s}");
    // Save what the view shows.
    let out = dir.path().join("saved.txt");
    h.key(KeyCode::Char('w')).await;
    h.driver.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    h.typ(out.to_str().unwrap()).await;
    h.enter().await;
    let saved = std::fs::read_to_string(&out).unwrap();
    assert!(saved.lines().count() > 0 && saved.lines().all(|l| l.contains("porch [E]")), "{saved}");
    assert!(h.screen80().contains("saved"), "{}", h.screen80());
    // Esc stops the stream and says goodbye to the device.
    h.key(KeyCode::Esc).await;
    assert!(peer.wait_for("disconnect", Duration::from_secs(3)));

    // o: OTA with the firmware prefilled, confirmed with y.
    h.key(KeyCode::Char('o')).await;
    assert!(h.screen80().contains("2026.5.0"), "{}", h.screen80());
    h.enter().await;
    assert!(h.screen80().contains("Flash 2026.5.0 to porch?"), "{}", h.screen80());
    h.key(KeyCode::Char('y')).await;
    let s = wait_screen(&mut h, "updated").await;
    assert!(s.contains("OTA results") && s.contains("2026.5.0"), "{s}");
    assert!(peer.saw("ota_done"));
}
