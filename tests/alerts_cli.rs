#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `homedeck alert …` through the real binary: a first run writes the
//! commented default rules, `alert rules --json` lists them, a silence is
//! made and ended with `--json` checked, empty lists say so, and a bad rule
//! in config.toml stops the program with the rule, the value and what was
//! expected named.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homedeck"))
        .env("HOMEDECK_DATA_DIR", root.join("data"))
        .env("HOMEDECK_CONFIG_DIR", root.join("config"))
        .env("HOMEDECK_STATE_DIR", root.join("state"))
        .env_remove("HOMEDECK_PASSPHRASE_FILE")
        .stdin(Stdio::null())
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

fn root() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    t
}

#[test]
fn rules_silences_and_empty_lists_through_the_binary() {
    let t = root();
    let rules = json(&run(t.path(), &["alert", "rules", "--json"]));
    assert_eq!(rules["outcome"], "alert_rules");
    let names: Vec<&str> = rules["rules"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"server-down") && names.contains(&"backup-failed"), "{names:?}");
    assert_eq!(rules["evaluating"], false);
    let written = std::fs::read_to_string(t.path().join("config/config.toml")).unwrap();
    assert!(written.contains("[[alerts.rules]]") && written.contains("# a server does not answer its health probe"), "{written}");

    let empty = run(t.path(), &["alert", "list"]);
    assert!(empty.status.success() && text(&empty).contains("no active alerts"), "{}", text(&empty));

    let s = json(&run(t.path(), &["alert", "silence", "--rule", "server-down", "--target", "web1", "--for", "2h", "--note", "maintenance", "--json"]));
    assert_eq!((s["outcome"].as_str(), s["silence"]["rule"].as_str(), s["silence"]["target"].as_str()), (Some("alert_silenced"), Some("server-down"), Some("web1")));
    let id = s["silence"]["id"].as_u64().unwrap();
    let rules = json(&run(t.path(), &["alert", "rules", "--json"]));
    assert_eq!(rules["silences"][0]["id"].as_u64(), Some(id));
    let u = json(&run(t.path(), &["alert", "unsilence", &id.to_string(), "--json"]));
    assert_eq!(u["outcome"], "alert_unsilenced");
    assert!(json(&run(t.path(), &["alert", "rules", "--json"]))["silences"].as_array().unwrap().is_empty());

    let bad = run(t.path(), &["alert", "silence", "--rule", "no-such-rule", "--for", "1h"]);
    assert!(!bad.status.success() && text(&bad).contains("no-such-rule") && text(&bad).contains("server-down"), "{}", text(&bad));
    let bad = run(t.path(), &["alert", "silence", "--target", "web1", "--for", "soon"]);
    assert!(!bad.status.success() && text(&bad).contains("soon") && text(&bad).contains("30s"), "{}", text(&bad));
    let missing = run(t.path(), &["alert", "ack", "424242", "--note", "x"]);
    assert!(!missing.status.success() && text(&missing).contains("424242"), "{}", text(&missing));
}

#[test]
fn a_bad_rule_stops_start_up_with_the_value_named() {
    let t = root();
    std::fs::create_dir_all(t.path().join("config")).unwrap();
    std::fs::write(
        t.path().join("config/config.toml"),
        "[alerts]\n[[alerts.rules]]\nname = \"disk\"\nkind = \"disk_over\"\nthreshold = 150.0\n",
    )
    .unwrap();
    let o = run(t.path(), &["alert", "rules"]);
    let msg = text(&o);
    assert!(!o.status.success(), "{msg}");
    assert!(msg.contains("alerts.rules[0] (disk).threshold") && msg.contains("150") && msg.contains("percent"), "{msg}");
    std::fs::write(t.path().join("config/config.toml"), "[alerts]\n[[alerts.rules]]\nname = \"x\"\nkind = \"server_gone\"\n").unwrap();
    let msg = text(&run(t.path(), &["alert", "rules"]));
    assert!(msg.contains("server_gone") && msg.contains("server_down"), "{msg}");
}
