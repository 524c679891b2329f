//! `homedeck ai …` as a person or a script uses it: the real binary, the
//! offline interpreter, the in-test WLED peer. `ask --yes --json` runs a
//! light change, `show`/`conversations`/`export` print it, `undo` proposes
//! the inverse, `confirm` runs it, and the light is back where it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use common::cli_env::CliEnv;
use lights_peer::{WledPeer, fixtures};
use serde_json::Value;

fn ok(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_confirm_show_export_undo_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let peer = WledPeer::start(&fixtures().join("wled").join("rgb.json")).await;
    let env = CliEnv::new(dir.path());
    let address = format!("address={}", peer.address());
    ok(&env.cmd(&["run", "wled_add", &address, "name=porch"], None));
    let before = peer.state()["bri"].as_u64().unwrap();

    // Without --yes a write is only proposed.
    let out = ok(&env.cmd(&["ai", "ask", "turn the porch to 30 %"], None));
    assert!(out.contains("I propose setting porch to 30 %") && out.contains("homedeck ai confirm 1"), "{out}");
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);
    ok(&env.cmd(&["ai", "reject", "1"], None));

    let out = ok(&env.cmd(&["ai", "ask", "turn the porch to 30 %", "--yes", "--json"], None));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reply"]["reply"]["proposals"][0]["name"], "wled_set");
    assert_eq!(v["confirmed"][0]["action"]["status"], "done");
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), 77);
    let done = v["confirmed"][0]["action"]["id"].as_u64().unwrap();

    let out = ok(&env.cmd(&["ai", "conversations"], None));
    assert!(out.contains("turn the porch to 30 %"), "{out}");
    let out = ok(&env.cmd(&["ai", "show", "2"], None));
    assert!(out.contains("[done]") && out.contains("wled_set"), "{out}");
    let out = ok(&env.cmd(&["ai", "export", "2"], None));
    assert!(out.starts_with("# turn the porch to 30 %") && out.contains("**done**"), "{out}");

    let out = ok(&env.cmd(&["ai", "undo", &done.to_string()], None));
    assert!(out.contains("[proposed]") && out.contains("wled_set"), "{out}");
    let undo = done + 1;
    let out = ok(&env.cmd(&["ai", "confirm", &undo.to_string()], None));
    assert!(out.contains("[done]"), "{out}");
    assert_eq!(peer.state()["bri"].as_u64().unwrap(), before);

    let out = ok(&env.cmd(&["ai", "test"], None));
    assert!(out.contains("offline"), "{out}");
    let out = env.cmd(&["ai", "confirm", "999"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("999"));
}
