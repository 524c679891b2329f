//! The offline interpreter against the requests the issue names.
#![allow(clippy::unwrap_used)]

use super::*;

fn inv() -> Inventory {
    Inventory {
        servers: vec!["nas".into(), "pi".into()],
        deployments: vec![("ha-main".into(), "nas".into()), ("nodered".into(), "pi".into())],
        lights: vec!["porch".into(), "living-room".into()],
        sources: vec!["node-red".into(), "ha-config".into()],
        esphome: vec!["garage-door".into()],
    }
}

fn calls(text: &str) -> Vec<(String, Value)> {
    interpret(text, None, &inv()).calls
}

fn one(text: &str) -> (String, Value) {
    let c = calls(text);
    assert_eq!(c.len(), 1, "{text}: {c:?}");
    c.into_iter().next().unwrap()
}

#[test]
fn deployments_start_stop_restart_upgrade_and_logs() {
    assert_eq!(one("restart the HA on the NAS"), ("deploy_restart".into(), json!({ "name": "ha-main" })));
    assert_eq!(one("stop nodered"), ("deploy_stop".into(), json!({ "name": "nodered" })));
    assert_eq!(one("start ha-main"), ("deploy_start".into(), json!({ "name": "ha-main" })));
    assert_eq!(one("upgrade ha-main to 2025.1.2"), ("deploy_upgrade".into(), json!({ "name": "ha-main", "version": "2025.1.2" })));
    assert_eq!(one("show me the logs of nodered"), ("deploy_logs".into(), json!({ "name": "nodered", "lines": 100 })));
    let p = interpret("upgrade ha-main", None, &inv());
    assert!(p.calls.is_empty() && p.text.contains("which version"), "{}", p.text);
}

#[test]
fn backups_now_and_verify() {
    assert_eq!(one("back up node-red now"), ("backup_create".into(), json!({ "source": "node-red" })));
    assert_eq!(one("backup ha-config"), ("backup_create".into(), json!({ "source": "ha-config" })));
    assert_eq!(one("verify backup 12"), ("backup_verify".into(), json!({ "id": 12 })));
    assert_eq!(one("verify the backups"), ("backup_verify".into(), json!({})));
}

#[test]
fn lights() {
    assert_eq!(one("turn the porch WLED to 30 %"), ("wled_set".into(), json!({ "target": "porch", "power": "on", "bri": 77 })));
    assert_eq!(one("porch to 100%"), ("wled_set".into(), json!({ "target": "porch", "power": "on", "bri": 255 })));
    assert_eq!(one("turn off the living-room light"), ("wled_set".into(), json!({ "target": "living-room", "power": "off" })));
    assert_eq!(one("porch on"), ("wled_set".into(), json!({ "target": "porch", "power": "on" })));
    assert_eq!(one("porch preset evening"), ("wled_preset_apply".into(), json!({ "target": "porch", "preset": "evening" })));
    assert_eq!(one("set porch effect rainbow"), ("wled_set".into(), json!({ "target": "porch", "power": "on", "effect": "rainbow" })));
    let p = interpret("turn this light off", Some("wled:living-room"), &inv());
    assert_eq!(p.calls, vec![("wled_set".to_string(), json!({ "target": "living-room", "power": "off" }))]);
}

#[test]
fn commands_on_servers() {
    assert_eq!(one("run uptime on all servers"), ("server_exec".into(), json!({ "targets": "all", "line": "uptime" })));
    assert_eq!(one("run `df -h` on nas"), ("server_exec".into(), json!({ "targets": "nas", "line": "df -h" })));
    // "and" inside the command is not a second request
    assert_eq!(one("run echo a and echo b on pi"), ("server_exec".into(), json!({ "targets": "pi", "line": "echo a and echo b" })));
    let p = interpret("run uptime on this server", Some("server:pi"), &inv());
    assert_eq!(p.calls, vec![("server_exec".to_string(), json!({ "targets": "pi", "line": "uptime" }))]);
}

#[test]
fn reads_down_rotations_last_hour() {
    let c = calls("what is down?");
    assert_eq!(c.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["server_health", "deploy_list"]);
    assert_eq!(one("which secrets are due for rotation").0, "secret_rotation_due");
    assert_eq!(one("what happened in the last hour?"), ("audit_search".into(), json!({ "since": "1h", "limit": 50 })));
}

#[test]
fn several_requests_at_once() {
    let c = calls("back up node-red now and turn the porch WLED to 30 %");
    assert_eq!(c.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["backup_create", "wled_set"]);
    let c = calls("restart the HA on the NAS then show me its logs of ha-main");
    assert_eq!(c.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["deploy_restart", "deploy_logs"]);
}

#[test]
fn says_plainly_what_it_did_not_understand_and_what_it_can_do() {
    let p = interpret("make me a sandwich", None, &inv());
    assert!(p.calls.is_empty());
    assert!(p.text.contains("did not understand") && p.text.contains("sandwich") && p.text.contains("restart"), "{}", p.text);
    let p = interpret("back up the moon", None, &inv());
    assert!(p.text.contains("which source") && p.text.contains("node-red"), "{}", p.text);
}

#[test]
fn every_call_it_makes_is_a_valid_tool_call() {
    for text in [
        "restart the HA on the NAS", "upgrade ha-main to 2025.1.2", "logs of nodered", "back up node-red", "verify backup 3",
        "porch to 30 %", "porch off", "porch preset evening", "porch effect rainbow", "run uptime on all servers",
        "what is down", "rotations due", "what happened in the last hour",
    ] {
        for (name, args) in calls(text) {
            let c = crate::engine::ai::model::ToolCall { id: "x".into(), name, arguments: args.to_string() };
            crate::engine::ai::flow::parse_call(&c).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }
}
