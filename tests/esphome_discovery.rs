#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! mDNS discovery end to end, without a packet on the machine's real
//! interfaces: a private network namespace whose only interface is its own
//! loopback (multicast switched on), the device peer advertising
//! `_esphomelib._tcp` there with python-zeroconf, and the real homedeck
//! binary browsing there with `mdns_interfaces = ["lo"]`.

mod esphome_common;

use esphome_common::{KEY, Peer};
use std::process::Command;

struct Netns(String);

impl Netns {
    fn new() -> Netns {
        let name = format!("hd-mdns-{}", std::process::id());
        let ip = |args: &[&str]| Command::new("ip").args(args).status().is_ok_and(|s| s.success());
        assert!(
            ip(&["netns", "add", &name]),
            "this test needs `ip netns` (iproute2, root): it keeps mDNS off the real network"
        );
        let ns = Netns(name);
        assert!(ip(&["netns", "exec", &ns.0, "ip", "link", "set", "lo", "up"]));
        assert!(ip(&["netns", "exec", &ns.0, "ip", "link", "set", "lo", "multicast", "on"]));
        assert!(ip(&["netns", "exec", &ns.0, "ip", "route", "add", "224.0.0.0/4", "dev", "lo"]));
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

#[test]
fn discovers_advertised_devices_in_a_private_namespace() {
    let ns = Netns::new();
    let wrap = ["ip", "netns", "exec", ns.0.as_str()];
    let _a = Peer::start_with(
        Some(&wrap),
        &["--name", "livingroom", "--friendly-name", "Living Room", "--key", KEY, "--mdns-ip", "127.0.0.1", "--version", "2025.5.1"],
    );
    let _b = Peer::start_with(Some(&wrap), &["--name", "shed", "--platform", "ESP8266", "--board", "d1_mini", "--mdns-ip", "127.0.0.1"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(dir.path().join("cfg/config.toml"), "[esphome]\nmdns_interfaces = [\"lo\"]\n").unwrap();
    let homedeck = |args: &[&str]| {
        Command::new("ip")
            .args(["netns", "exec", &ns.0, env!("CARGO_BIN_EXE_homedeck")])
            .args(args)
            .env("HOMEDECK_DATA_DIR", dir.path().join("data"))
            .env("HOMEDECK_CONFIG_DIR", dir.path().join("cfg"))
            .env("HOMEDECK_STATE_DIR", dir.path().join("state"))
            .output()
            .unwrap()
    };
    let o = homedeck(&["--json", "esphome", "discover", "--seconds", "3"]);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["interfaces"], serde_json::json!(["lo"]));
    let found = v["found"].as_array().unwrap();
    let names: Vec<&str> = found.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["livingroom", "shed"], "{text}");
    let lr = &found[0];
    assert_eq!(lr["friendly_name"], "Living Room");
    assert_eq!(lr["host"], "127.0.0.1");
    assert_eq!(lr["version"], "2025.5.1");
    assert_eq!(lr["platform"], "ESP32");
    assert_eq!(lr["mac"], "AC:BC:32:89:0E:A9");
    assert_eq!(lr["encrypted"], true);
    assert_eq!(found[1]["platform"], "ESP8266");
    assert_eq!(found[1]["board"], "d1_mini");
    assert_eq!(found[1]["encrypted"], false);
    assert!(found.iter().all(|d| d["new"] == true));

    // They are remembered, online, with a last-seen time; a second browse
    // finds them known.
    let o = homedeck(&["--json", "esphome", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let devices = v["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().all(|d| d["online"] == true && d["last_seen"].is_string() && d["source"] == "mdns"));
    let o = homedeck(&["--json", "esphome", "discover", "--seconds", "2"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["found"].as_array().unwrap().iter().all(|d| d["new"] == false), "{v}");
}
