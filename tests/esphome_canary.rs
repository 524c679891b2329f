#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A device's API encryption key and OTA password are vault secrets: they
//! must never reach logs, audit entries, error messages, stdout/stderr or
//! the sled files in clear. Drives the real binary through discovery-free
//! add, info, logs, OTA (good and failing) with trace logging on, then greps
//! everything homedeck wrote.

mod esphome_common;
#[path = "common/cli_env.rs"]
mod cli_env;

use base64::Engine as _;
use esphome_common::{Peer, firmware};
use cli_env::{CliEnv, contains, regular_files};
use std::path::Path;
use std::process::Output;

const OTA_PW: &str = "CANARY-ota-password-5d1e";

fn key() -> String {
    base64::engine::general_purpose::STANDARD.encode(b"CANARY-esphome-key-0123456789abc")
}

fn homedeck(root: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    CliEnv::new(root).cmd(args, stdin)
}

#[test]
fn device_key_and_ota_password_never_leak() {
    let key = key();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("pass"), "canary vault passphrase\n").unwrap();
    std::fs::set_permissions(root.join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let good = Peer::start(&["--name", "canary", "--key", &key, "--ota-password", OTA_PW, "--log-ms", "20"]);
    let wrong = Peer::start(&["--name", "canary2", "--key", esphome_common::KEY, "--ota-password", "something-else"]);
    let fw = firmware(root, "2026.9.9", 50_000);
    let mut outputs = Vec::new();
    let mut run = |label: &str, args: &[&str], stdin: Option<&str>, ok: bool| {
        let o = homedeck(root, args, stdin);
        assert_eq!(o.status.success(), ok, "{label}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        outputs.push((label.to_string(), o));
    };
    let (api, ota) = (good.api.to_string(), good.ota.to_string());
    let (api2, ota2) = (wrong.api.to_string(), wrong.ota.to_string());
    run("init", &["vault", "init"], None, true);
    run("key", &["secret", "add", "canary-key", "--kind", "api_key"], Some(&key), true);
    run("pw", &["secret", "add", "canary-ota", "--kind", "password"], Some(OTA_PW), true);
    run("add", &["esphome", "add", "canary", "127.0.0.1", "--port", &api, "--key-secret", "canary-key", "--ota-port", &ota, "--ota-password-secret", "canary-ota", "--platform", "esp32"], None, true);
    run("add2", &["esphome", "add", "canary2", "127.0.0.1", "--port", &api2, "--key-secret", "canary-key", "--ota-port", &ota2, "--ota-password-secret", "canary-ota", "--platform", "esp32"], None, true);
    run("info", &["esphome", "info", "canary"], None, true);
    run("info-json", &["--json", "esphome", "info", "canary"], None, true);
    run("info-wrong-key", &["esphome", "info", "canary2"], None, false);
    run("logs", &["esphome", "logs", "canary", "--lines", "20", "--level", "very_verbose"], None, true);
    run("import", &["esphome", "firmware", "import", fw.to_str().unwrap(), "--version", "2026.9.9", "--platform", "ESP32"], None, true);
    run("ota", &["esphome", "ota", "canary", "2026.9.9", "--yes", "--confirm-secs", "10"], None, true);
    run("ota-wrong-pw", &["esphome", "ota", "canary2", "2026.9.9", "--yes", "--confirm-secs", "2"], None, false);
    run("bulk", &["esphome", "ota-bulk", "2026.9.9", "--devices", "canary,canary2", "--yes", "--confirm-secs", "5"], None, false);
    run("audit", &["--json", "audit", "search", "--limit", "1000"], None, true);
    let audit = String::from_utf8_lossy(&outputs.last().unwrap().1.stdout).to_string();
    assert!(audit.contains("esphome_ota") && audit.contains("esphome_ota_bulk"), "{audit}");
    let show = homedeck(root, &["secret", "show", "canary-ota"], None);
    assert!(String::from_utf8_lossy(&show.stdout).contains("use:esphome_ota"), "secret use is in its history");

    for (label, o) in &outputs {
        for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            for needle in [key.as_str(), OTA_PW] {
                assert!(!contains(bytes, needle), "{needle} leaked in {what} of `{label}`");
            }
        }
    }
    let all = regular_files(root);
    let logs: Vec<_> = all.iter().filter(|p| p.to_string_lossy().contains("/state/")).collect();
    let log_text: String = logs.iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect();
    assert!(log_text.contains("esphome_ota"), "trace logs should mention the commands");
    for f in &all {
        if f.file_name().is_some_and(|n| n == "pass") {
            continue;
        }
        let bytes = std::fs::read(f).unwrap();
        for needle in [key.as_str(), OTA_PW] {
            assert!(!contains(&bytes, needle), "{needle} found in clear in {}", f.display());
        }
    }
}
