#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::engine::command::spec;

#[test]
fn a_read_says_it_changes_nothing() {
    let p = Preview::reads(spec("server_list").unwrap());
    assert!(p.is_read() && p.changes.is_empty() && p.inverse.is_none());
    assert_eq!(p.lines(), vec!["server_list (read): server_list: reads only, changes nothing".to_string()]);
}

#[test]
fn the_card_shows_changes_and_the_undo_line_reads_back() {
    let undo = Command::WledSet {
        target: "porch light".into(), power: None, bri: Some(128), color: None, effect: None,
        palette: None, speed: None, intensity: None, segment: None, transition: None,
    };
    let p = Preview::new(spec("wled_set").unwrap(), "set brightness 30")
        .target("porch light")
        .change("porch light", "bri", Some("128".into()), Some("30".into()))
        .inverse(undo);
    let lines = p.lines();
    assert!(lines.contains(&"  porch light bri: 128 → 30".to_string()), "{lines:?}");
    let undo_line = lines.iter().find_map(|l| l.strip_prefix("  undo: ")).unwrap();
    assert_eq!(undo_line, "wled_set target=\"porch light\" bri=128");
    let words = crate::engine::command_parse::split_words(undo_line).unwrap();
    let back = crate::engine::command_parse::parse(&words[0], &words[1..], Vec::new()).unwrap();
    assert!(matches!(back, Command::WledSet { bri: Some(128), .. }));
    // Round trip through JSON (the daemon socket and MCP carry it so).
    let json = serde_json::to_string(&p).unwrap();
    let again: Preview = serde_json::from_str(&json).unwrap();
    assert_eq!(again.changes, p.changes);
}

#[test]
fn secrets_are_never_on_the_undo_line() {
    let c = Command::SecretRotate { name: "k".into(), value: crate::engine::SecretValue::new("canary-77") };
    let line = command_line(&c);
    assert!(!line.contains("canary-77") && line.contains("[redacted]"), "{line}");
}

#[test]
fn a_diff_is_unified_and_absent_when_equal() {
    let d = unified_diff("configuration.yaml", "a: 1\nb: 2\n", "a: 1\nb: 3\n").unwrap();
    assert!(d.contains("--- a/configuration.yaml") && d.contains("-b: 2") && d.contains("+b: 3"), "{d}");
    assert!(unified_diff("x", "same\n", "same\n").is_none());
}

#[test]
fn the_schema_is_generated() {
    let schema = serde_json::to_value(schemars::schema_for!(Preview)).unwrap();
    assert!(schema["properties"]["changes"].is_object(), "{schema}");
}

#[test]
fn an_undo_carrying_a_secret_is_dropped() {
    let c = Command::SecretRotate { name: "k".into(), value: crate::engine::SecretValue::new("canary-88") };
    let p = Preview::new(spec("secret_rotate").unwrap(), "x").inverse(c);
    assert!(p.inverse.is_none() && p.inverses.is_empty());
    assert!(!serde_json::to_string(&p).unwrap().contains("canary-88"));
}
