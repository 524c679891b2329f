//! Sites on every resource, through the real binary: `--site` on the add
//! commands, inheritance (a backup source of a WLED device is at the
//! device's site and moves with it), `homedeck site list --json` counts,
//! `homedeck site set`, `site:NAME` targets in bulk commands (WLED, backup
//! list, ESPHome logs), and errors that name the bad value. The lights are
//! the in-test WLED and FPP peers; nothing leaves loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use common::cli_env::CliEnv;
use lights_peer::fpp::FppPeer;
use lights_peer::{WledPeer, fixtures};
use serde_json::Value;
use std::process::Output;

/// Run the binary without stalling the peers' runtime.
fn hd(env: &CliEnv, args: &[&str]) -> Output {
    tokio::task::block_in_place(|| env.cmd(args, None))
}

fn ok(env: &CliEnv, args: &[&str]) -> String {
    let out = hd(env, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn json(env: &CliEnv, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(env, &all)).unwrap()
}

fn fails(env: &CliEnv, args: &[&str]) -> String {
    let out = hd(env, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The `site_list` row for `site` (`None`: the resources at no site).
fn row(list: &Value, site: Option<&str>) -> Value {
    list["sites"].as_array().unwrap().iter().find(|r| r["site"].as_str() == site).cloned().unwrap_or(Value::Null)
}

fn site_of<'a>(rows: &'a Value, key: &str, name: &str) -> Option<&'a str> {
    let rows = rows.as_array().unwrap();
    let r = rows.iter().find(|r| r[key]["name"] == name || r["name"] == name).unwrap_or_else(|| panic!("{name} in {rows:?}"));
    if r["name"] == name { r["site"].as_str() } else { r[key]["site"].as_str() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_are_set_inherited_counted_and_targeted() {
    let home = tempfile::tempdir().unwrap();
    let env = CliEnv::new(home.path());
    let porch = WledPeer::start(&fixtures().join("wled/rgb.json")).await;
    let tree = WledPeer::start_as(&fixtures().join("wled/rgb.json"), "020000000099").await;
    let fpp = FppPeer::start().await;

    ok(&env, &["server", "add", "pi", "--host", "127.0.0.1", "--site", "cabin"]);
    ok(&env, &["esphome", "add", "kitchen", "127.0.0.1", "--site", "cabin"]);
    ok(&env, &["esphome", "add", "hall", "127.0.0.1", "--port", "6054"]);
    ok(&env, &["wled", "add", &porch.address(), "--name", "porch", "--site", "cabin"]);
    ok(&env, &["wled", "add", &tree.address(), "--name", "tree"]);
    ok(&env, &["fpp", "add", &fpp.addr.to_string(), "--name", "show", "--site", "cabin"]);
    // A source of a device has no site of its own: it is where the device is.
    ok(&env, &["backup", "source", "add", "porch-cfg", "--kind", "wled", "--device", "porch"]);

    let list = json(&env, &["site", "list"]);
    assert_eq!(list["outcome"], "site_list");
    let cabin = row(&list, Some("cabin"));
    for (kind, n) in [("servers", 1), ("esphome", 1), ("wled", 1), ("fpp", 1), ("backup_sources", 1), ("deployments", 0), ("ha_profiles", 0)] {
        assert_eq!(cabin[kind], n, "{kind} at cabin: {list}");
    }
    let none = row(&list, None);
    assert_eq!(none["esphome"], 1, "{list}");
    assert_eq!(none["wled"], 1, "{list}");
    assert_eq!(none["servers"], 1, "the built-in local server has no site: {list}");
    assert_eq!(list["sites"].as_array().unwrap().last().unwrap()["site"], Value::Null, "unplaced last: {list}");

    let human = ok(&env, &["site", "list"]);
    assert!(human.contains("SITE") && human.contains("cabin") && human.contains("(no site)"), "{human}");

    // Lists carry each resource's (effective) site; an unset one is absent.
    let es = json(&env, &["esphome", "list"]);
    assert_eq!(site_of(&es["devices"], "", "kitchen"), Some("cabin"));
    assert_eq!(site_of(&es["devices"], "", "hall"), None);
    assert!(ok(&env, &["esphome", "list"]).contains("SITE"));
    let sources = json(&env, &["backup", "source", "list"]);
    assert_eq!(site_of(&sources["sources"], "source", "porch-cfg"), Some("cabin"), "inherited from the device: {sources}");
    let wled = json(&env, &["wled", "list"]);
    assert_eq!(site_of(&wled["devices"], "device", "porch"), Some("cabin"));
    assert_eq!(site_of(&wled["devices"], "device", "tree"), None);

    // site:NAME in a bulk command acts on exactly the devices at that site.
    let set = json(&env, &["wled", "set", "site:cabin", "--off"]);
    let acted: Vec<&str> = set["results"].as_array().unwrap().iter().map(|r| r["device"].as_str().unwrap()).collect();
    assert_eq!(acted, ["porch"], "{set}");
    let err = fails(&env, &["wled", "set", "site:nowhere", "--off"]);
    assert!(err.contains("site:nowhere") && err.contains("homedeck site list"), "{err}");
    let err = fails(&env, &["backup", "list", "--source", "site:nowhere"]);
    assert!(err.contains("site:nowhere"), "{err}");
    let cat = json(&env, &["backup", "list", "--source", "site:cabin"]);
    assert_eq!(cat["entries"].as_array().unwrap().len(), 0, "no backups yet: {cat}");
    // A backup at the cabin and one elsewhere: site:cabin lists only the first.
    for (name, site) in [("cabin-notes", Some("cabin")), ("home-notes", None)] {
        let dir = home.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("notes.txt"), name).unwrap();
        let mut args = vec!["backup", "source", "add", name, "--kind", "dir", "--path", dir.to_str().unwrap(), "--encrypt", "false"];
        if let Some(site) = site {
            args.extend(["--site", site]);
        }
        ok(&env, &args);
        ok(&env, &["backup", "create", name]);
    }
    let cat = json(&env, &["backup", "list", "--source", "site:cabin"]);
    let sources: Vec<&str> = cat["entries"].as_array().unwrap().iter().map(|e| e["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["cabin-notes"], "{cat}");

    // The overview narrowed to a site counts only what is there.
    let o = json(&env, &["overview", "--site", "cabin"]);
    let o = &o["overview"];
    assert_eq!(o["site"], "cabin", "{o}");
    let servers = &o["servers"];
    let total: u64 = ["up", "degraded", "down", "unknown"].iter().map(|k| servers[k].as_u64().unwrap()).sum();
    assert_eq!(total, 1, "only pi is at the cabin (not local): {o}");
    for d in o["devices"].as_array().unwrap() {
        let n = d["online"].as_u64().unwrap() + d["offline"].as_u64().unwrap();
        assert_eq!(n, 1, "one {} device at the cabin: {o}", d["kind"]);
    }
    let backed: Vec<&str> = o["backups"].as_array().unwrap().iter().map(|b| b["source"].as_str().unwrap()).collect();
    assert_eq!(backed, ["cabin-notes", "porch-cfg"], "{o}");
    let whole = json(&env, &["overview"]);
    assert_eq!(whole["overview"]["site"], Value::Null);
    assert_eq!(whole["overview"]["backups"].as_array().unwrap().len(), 3, "{whole}");
    let human = ok(&env, &["overview", "--site", "nowhere"]);
    assert!(human.contains("none at site nowhere"), "{human}");
    let err = fails(&env, &["esphome", "logs", "site:nowhere", "--seconds", "1"]);
    assert!(err.contains("site:nowhere"), "{err}");

    // Moving the device moves the source that inherits from it.
    let moved = json(&env, &["site", "set", "wled", "porch", "house"]);
    assert_eq!(moved["site"], "house");
    let sources = json(&env, &["backup", "source", "list"]);
    assert_eq!(site_of(&sources["sources"], "source", "porch-cfg"), Some("house"));
    // An explicit site on the source wins over the device's.
    ok(&env, &["site", "set", "backup_source", "porch-cfg", "flat"]);
    ok(&env, &["site", "set", "wled", "porch", "-"]);
    let sources = json(&env, &["backup", "source", "list"]);
    assert_eq!(site_of(&sources["sources"], "source", "porch-cfg"), Some("flat"));
    let cleared = json(&env, &["site", "set", "backup_source", "porch-cfg", "-"]);
    assert_eq!(cleared["site"], Value::Null);
    assert_eq!(cleared["effective"], Value::Null);

    // Bad input names the bad value and what was expected.
    let err = fails(&env, &["site", "set", "light", "porch", "cabin"]);
    assert!(err.contains("light") && err.contains("backup_source"), "{err}");
    let err = fails(&env, &["site", "set", "esphome", "kitchen", "my cabin"]);
    assert!(err.contains("my cabin"), "{err}");
    let err = fails(&env, &["site", "set", "esphome", "nope", "cabin"]);
    assert!(err.contains("nope"), "{err}");
    let err = fails(&env, &["esphome", "add", "garage", "127.0.0.1", "--site", "a b"]);
    assert!(err.contains("a b"), "{err}");
    assert!(!ok(&env, &["esphome", "list"]).contains("garage"), "a bad site adds nothing");

    // Every move is audited with its before and after.
    let audit = ok(&env, &["audit", "search", "porch"]);
    assert!(audit.contains("site_set"), "{audit}");
}

/// A tmux server of our own at 80×24; killed by its pid when the test ends.
struct Tmux {
    socket: String,
    pid: Option<u32>,
}

impl Tmux {
    fn start(root: &std::path::Path) -> Tmux {
        let socket = format!("homedeck-sites-{}", std::process::id());
        let env = |k: &str, v: &std::path::Path| format!("{k}={}", v.display());
        let status = std::process::Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"])
            .args(["env", "TERM=xterm-256color"])
            .arg(env("HOMEDECK_DATA_DIR", &root.join("data")))
            .arg(env("HOMEDECK_CONFIG_DIR", &root.join("config")))
            .arg(env("HOMEDECK_STATE_DIR", &root.join("state")))
            .arg(env!("CARGO_BIN_EXE_homedeck"))
            .status()
            .expect("tmux must be installed (tests/run.sh installs it)");
        assert!(status.success());
        let mut t = Tmux { socket, pid: None };
        t.pid = t.tmux(&["display-message", "-p", "#{pid}"]).trim().parse().ok();
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let s = self.tmux(&["capture-pane", "-p"]);
            if s.contains(what) {
                return s;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what:?}; screen:\n{s}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// The real console in tmux at 80×24: `:site cabin` narrows the Servers and
/// ESPHome panes and the status bar says so; `:site` clears it.
#[test]
fn site_filter_in_a_real_terminal() {
    let home = tempfile::tempdir().unwrap();
    let env = CliEnv::new(home.path());
    for args in [
        &["server", "add", "pi-cabin", "--host", "127.0.0.1", "--site", "cabin"][..],
        &["server", "add", "nas-town", "--host", "127.0.0.1", "--site", "town"],
        &["esphome", "add", "kitchen", "127.0.0.1", "--site", "cabin"],
        &["esphome", "add", "hallway", "127.0.0.1", "--port", "6054"],
    ] {
        let out = env.cmd(args, None);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let t = Tmux::start(home.path());
    // The console opens on the Overview; pane 1 is Servers.
    t.wait_for("0:Overview");
    t.tmux(&["send-keys", "1"]);
    let s = t.wait_for("SITE");
    assert!(s.contains("nas-town") && s.contains("pi-cabin"), "{s}");
    t.tmux(&["send-keys", ":"]);
    t.tmux(&["send-keys", "-l", "site cabin"]);
    t.tmux(&["send-keys", "Enter"]);
    let s = t.wait_for("site filter: cabin");
    assert!(s.contains("pi-cabin") && !s.contains("nas-town"), "{s}");
    println!("after :site cabin (80×24):\n{s}");
    t.tmux(&["send-keys", "3"]);
    let s = t.wait_for("kitchen");
    assert!(!s.contains("hallway") && s.contains("site filter: cabin"), "{s}");
    t.tmux(&["send-keys", ":"]);
    t.tmux(&["send-keys", "-l", "site"]);
    t.tmux(&["send-keys", "Enter"]);
    let s = t.wait_for("hallway");
    assert!(s.contains("kitchen") && !s.contains("site filter:"), "{s}");
}
