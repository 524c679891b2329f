#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `tailscale status --json` parsing on JSON shaped like the real schema:
//! online and offline peers, an exit node, an expired key, Tailscale's zero
//! times, a peer with missing and wrongly typed fields. Then the real
//! command path: not installed (here, and on a real sshd), and a
//! `tailscale` on PATH printing that JSON, read through the CLI.

mod common;

use homedeck::engine::internals::servers::tailscale::parse;
use std::os::unix::fs::PermissionsExt;

const STATUS: &str = include_str!("fixtures/tailscale/status.json");

#[test]
fn parses_the_real_shape_defensively() {
    let s = parse(STATUS, "local").unwrap();
    assert_eq!(s.tailnet, "alice@example.com");
    assert_eq!(s.backend_state, "Running");
    assert_eq!(s.this_node.host_name, "homelab-hub");
    assert_eq!(s.this_node.last_seen, None, "zero time means never");
    assert_eq!(s.this_node.key_expiry.as_deref(), Some("2027-05-04T10:00:00Z"));
    assert_eq!(s.health.len(), 1);
    assert_eq!(s.exit_node.as_deref(), Some("nas"));
    assert_eq!(s.peers.len(), 3);
    // Online first, then by name.
    let nas = &s.peers[0];
    assert_eq!((nas.host_name.as_str(), nas.online, nas.exit_node, nas.rx_bytes), ("nas", true, true, 123_456_789));
    assert_eq!(nas.tags, vec!["tag:server"]);
    let laptop = s.peers.iter().find(|p| p.host_name == "old-laptop").unwrap();
    assert!(!laptop.online && laptop.expired);
    assert_eq!(laptop.last_seen.as_deref(), Some("2026-09-30T18:22:05Z"));
    assert!(laptop.cur_addr.is_empty() && laptop.relay.is_empty(), "missing fields are empty");
    // Wrong types are treated as missing, not fatal.
    let phone = s.peers.iter().find(|p| p.host_name == "phone").unwrap();
    assert!(!phone.online && phone.ips.is_empty() && phone.rx_bytes == 0);
}

#[test]
fn garbage_is_a_clear_error() {
    for bad in ["", "not json", "[1,2]", "{\"Peer\": "] {
        let e = parse(bad, "local").unwrap_err().to_string();
        assert!(e.contains("tailscale status"), "{e}");
    }
    // An empty object is a (very quiet) tailnet, not a panic.
    assert!(parse("{}", "local").unwrap().peers.is_empty());
}

fn hd(data: &std::path::Path, path_env: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_homedeck"))
        .args(args)
        .env("HOMEDECK_DATA_DIR", data)
        .env("PATH", path_env)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_cli_reads_tailscale_from_path_or_says_it_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // PATH is only our own bin dir, so a tailscale installed on the host
    // (in /usr/bin, say) cannot stand in for the missing one or for ours.
    let path = bin.display().to_string();
    let (ok, out) = hd(&data, &path, &["tailscale", "status"]);
    assert!(!ok && out.contains("tailscale is not installed"), "{out}");
    std::fs::write(tmp.path().join("status.json"), STATUS).unwrap();
    let script = bin.join("tailscale");
    std::fs::write(&script, format!("#!/bin/sh\n[ \"$1 $2\" = \"status --json\" ] || exit 2\nexec /bin/cat {}\n", tmp.path().join("status.json").display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (ok, out) = hd(&data, &path, &["tailscale", "status"]);
    assert!(ok, "{out}");
    for want in ["tailnet alice@example.com", "homelab-hub", "nas", "online", "exit", "old-laptop", "offline", "EXPIRED"] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    let (ok, json) = hd(&data, &path, &["--json", "tailscale", "status"]);
    assert!(ok && json.contains("\"exit_node\": \"nas\""), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_ssh_a_missing_tailscale_is_named() {
    use homedeck::engine::{Command, SecretValue};
    let tmp = tempfile::tempdir().unwrap();
    // The server's sessions get a PATH of one empty dir: no tailscale there,
    // whether or not this host has one installed.
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let port = common::sshd::free_port();
    let d = common::sshd::Sshd::start_with(&tmp.path().join("sshd"), port, &format!("SetEnv PATH={}", empty.display()));
    let e = common::open(&tmp.path().join("data"));
    common::init(&e).await;
    common::run(&e, Command::ServerAdd {
        name: "box".into(), host: "127.0.0.1".into(), port: Some(u32::from(d.port)), user: Some(common::sshd::me()), auth: None,
        secret: None, key: Some(SecretValue::new(d.client_key_text())), key_passphrase: None, password: None, tags: None, site: None,
    })
    .await
    .unwrap();
    let err = common::run(&e, Command::TailscaleStatus { server: Some("box".into()) }).await.unwrap_err().to_string();
    assert!(err.contains("server box") && err.contains("tailscale is not installed"), "{err}");
}
