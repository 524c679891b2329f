#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Before homedeck is tested against the ESPHome device peer, the peer is
//! proven with ESPHome's own clients: aioesphomeapi's `APIClient`,
//! `esphome logs … --device 127.0.0.1` and `esphome upload … --device
//! 127.0.0.1` (the real espota2 client).

mod esphome_common;

use esphome_common::{KEY, OTHER_KEY, Peer, firmware, python, venv};
use std::process::Command;
use std::time::Duration;

fn client_check(port: u16, key: &str, wrong: Option<&str>) -> String {
    let mut c = Command::new(python());
    c.arg(esphome_common::root().join("tests/peers/esphome_client_check.py")).arg(port.to_string()).arg(key);
    if let Some(w) = wrong {
        c.arg(w);
    }
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn aioesphomeapi_client_reads_info_entities_and_logs() {
    let enc = Peer::start(&["--name", "proof-enc", "--key", KEY]);
    let out = client_check(enc.api, KEY, Some(OTHER_KEY));
    assert!(out.contains("INFO proof-enc 2025.6.0 AC:BC:32:89:0E:A9"), "{out}");
    assert!(out.contains("ENTITIES button,relay,uptime"), "{out}");
    assert!(out.contains("[I][app]: Running through setup()"), "{out}");
    assert!(out.contains("WRONGKEY InvalidEncryptionKeyAPIError"), "{out}");
    let plain = Peer::start(&["--name", "proof-plain"]);
    let out = client_check(plain.api, "-", None);
    assert!(out.contains("INFO proof-plain"), "{out}");
    let logs: usize = out.lines().find_map(|l| l.strip_prefix("LOGS ")).and_then(|l| l.split(' ').next()?.parse().ok()).unwrap();
    assert!(logs >= 3, "{out}");
}

fn yaml(dir: &std::path::Path, name: &str, api: u16, ota: u16, key: Option<&str>, password: &str) -> std::path::PathBuf {
    let enc = key.map(|k| format!("  encryption:\n    key: \"{k}\"\n")).unwrap_or_default();
    let text = format!(
        "esphome:\n  name: {name}\nesp32:\n  board: esp32dev\nwifi:\n  ssid: testnet\n  password: testpassword\n\
         logger:\napi:\n  port: {api}\n{enc}ota:\n  - platform: esphome\n    port: {ota}\n    password: \"{password}\"\n"
    );
    let p = dir.join(format!("{name}.yaml"));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn esphome_logs_cli_streams_from_the_peer() {
    let peer = Peer::start(&["--name", "proof-logs", "--key", KEY, "--log-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = yaml(dir.path(), "proof-logs", peer.api, peer.ota, Some(KEY), "pw");
    let mut child = Command::new(venv().join("bin/esphome"))
        .args(["logs", cfg.to_str().unwrap(), "--device", "127.0.0.1"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read both streams until the two lines have come (at most 60 s: the
    // esphome CLI imports slowly on a loaded machine), then stop the client.
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let wanted = ["[I][app]: Running through setup()", "[E][i2c]: Bus error on SDA"];
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut text = String::new();
    while !wanted.iter().all(|w| text.contains(w)) {
        match rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
            Ok(line) => {
                text.push_str(&line);
                text.push('\n');
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    for w in wanted {
        assert!(text.contains(w), "{w} missing from `esphome logs`:\n{text}");
    }
    assert!(peer.saw("subscribe_logs"));
}

#[test]
fn esphome_upload_flashes_the_peer() {
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received.bin");
    let peer = Peer::start(&[
        "--name", "proof-ota", "--ota-password", "pw", "--ota-compression", "--received-file", received.to_str().unwrap(),
    ]);
    let cfg = yaml(dir.path(), "proof-ota", peer.api, peer.ota, None, "pw");
    let fw = firmware(dir.path(), "2026.2.0", 300_000);
    let o = Command::new(venv().join("bin/esphome"))
        .args(["upload", cfg.to_str().unwrap(), "--device", "127.0.0.1", "--file", fw.to_str().unwrap()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{text}");
    assert!(text.contains("OTA successful"), "{text}");
    assert!(peer.wait_for("ota_done", Duration::from_secs(5)));
    assert_eq!(std::fs::read(&received).unwrap(), std::fs::read(&fw).unwrap());
    // And a wrong password is refused by the peer, as a device would.
    let bad = yaml(dir.path(), "proof-ota-bad", peer.api, peer.ota, None, "wrong");
    let o = Command::new(venv().join("bin/esphome"))
        .args(["upload", bad.to_str().unwrap(), "--device", "127.0.0.1", "--file", fw.to_str().unwrap()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!o.status.success() && text.contains("Authentication invalid"), "{text}");
}
