#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::engine::command::spec;

fn valid_name(n: &str) -> bool {
    (1..=64).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[test]
fn names_fit_what_clients_accept_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for t in all_tools() {
        assert!(valid_name(t.name), "{} does not match ^[a-zA-Z0-9_-]{{1,64}}$", t.name);
        assert!(seen.insert(t.name), "duplicate tool {}", t.name);
        assert!(!t.description.is_empty(), "{} has no description", t.name);
    }
    assert!(!valid_name("") && !valid_name("a.b") && !valid_name(&"x".repeat(65)));
}

#[test]
fn the_default_set_stays_within_client_budgets() {
    let default = tools_in(&ToolsetSelection::default());
    assert!(!default.is_empty());
    assert!(default.len() <= 40, "default toolsets offer {} tools, more than 40", default.len());
    // Every default toolset exists.
    for t in DEFAULT_TOOLSETS {
        assert!(toolset_names().iter().any(|n| n == t), "default toolset {t} does not exist");
    }
    // One tool per verb, parameterised by a target: never more tools than verbs.
    assert!(all_tools().len() <= crate::engine::COMMANDS.len());
}

#[test]
fn no_schema_mentions_a_secret_argument() {
    for t in all_tools() {
        let text = serde_json::to_string(&t.input_schema).unwrap();
        assert!(!text.contains("x-homedeck-secret") && !text.contains("writeOnly"), "{}: {text}", t.name);
        let props = t.input_schema["properties"].as_object().unwrap();
        for a in t.spec.args.iter().filter(|a| a.secret()) {
            assert!(!props.contains_key(a.name), "{} exposes secret argument {}", t.name, a.name);
            assert!(t.withheld.contains(&a.name));
        }
    }
    // Verbs that need a secret value or show one are not tools at all.
    for name in ["vault_unlock", "secret_add", "secret_rotate", "secret_reveal", "vault_change_passphrase"] {
        assert!(tool(name).is_none(), "{name} must not be a tool");
    }
    // A verb with an optional secret is a tool that says so.
    let ha_add = tool("ha_add").unwrap();
    assert_eq!(ha_add.withheld, ["token"]);
    assert!(ha_add.description.contains("`token`"));
}

#[test]
fn schemas_are_objects_with_exactly_the_verbs_other_arguments() {
    for t in all_tools() {
        let s = &t.input_schema;
        assert_eq!(s["type"], "object", "{}", t.name);
        assert_eq!(s["additionalProperties"], false, "{}", t.name);
        let props: std::collections::BTreeSet<&str> = s["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        let mut args: std::collections::BTreeSet<&str> = t.spec.args.iter().filter(|a| !a.secret()).map(|a| a.name).collect();
        // Every write tool also takes `dry_run` (the preview instead of the call).
        if t.spec.class.changes_state() {
            args.insert("dry_run");
        }
        assert_eq!(props, args, "{}", t.name);
        let required: std::collections::BTreeSet<&str> = s["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let needed: std::collections::BTreeSet<&str> = t.spec.args.iter().filter(|a| a.required() && !a.secret()).map(|a| a.name).collect();
        assert_eq!(required, needed, "{}", t.name);
        assert!(!serde_json::to_string(s).unwrap().contains("$ref"), "{}: schemas stand alone", t.name);
    }
    // Enums come with their values.
    let sev = &tool("audit_search").unwrap().input_schema["properties"]["min_severity"];
    assert!(sev.to_string().contains("critical") || sev.to_string().contains("warning"), "{sev}");
}

#[test]
fn hints_follow_the_permission_class() {
    let read = tool("server_list").unwrap();
    assert_eq!((read.hints.read_only, read.hints.destructive, read.hints.idempotent), (true, false, true));
    assert_eq!(read.toolset, "servers");
    let write = tool("wled_set").unwrap();
    assert_eq!((write.hints.read_only, write.hints.destructive, write.toolset.as_str()), (false, false, "lights"));
    assert!(write.description.contains("dry_run=true returns the engine's preview"));
    assert_eq!(write.input_schema["properties"]["dry_run"]["type"], "boolean");
    assert!(read.input_schema["properties"].get("dry_run").is_none());
    let dangerous = tool("server_remove").unwrap();
    assert!(dangerous.hints.destructive && !dangerous.hints.read_only && !dangerous.hints.idempotent);
    assert!(!tool("audit_search").unwrap().hints.open_world && tool("ha_states").unwrap().hints.open_world);
}

#[test]
fn calls_become_commands_and_bad_ones_name_the_problem() {
    let args = serde_json::json!({ "name": "nas" }).as_object().cloned();
    let c = command_for_call("server_show", args).unwrap();
    assert_eq!(c.name(), "server_show");
    assert_eq!(command_for_call("server_list", None).unwrap().name(), "server_list");

    let e = command_for_call("nope", None).unwrap_err().to_string();
    assert!(e.contains("\"nope\"") && e.contains("tools/list"), "{e}");
    let e = command_for_call("secret_reveal", None).unwrap_err().to_string();
    assert!(e.contains("secret_reveal"), "{e}");

    let canary = "canary-7f3a9-secret";
    let args = serde_json::json!({ "name": "ha1", "url": "http://127.0.0.1:1", "token": canary }).as_object().cloned();
    let e = command_for_call("ha_add", args).unwrap_err().to_string();
    assert!(e.contains("token") && !e.contains(canary), "{e}");

    let args = serde_json::json!({ "name": "nas", "colour": "red" }).as_object().cloned();
    let e = command_for_call("server_show", args).unwrap_err().to_string();
    assert!(e.contains("colour"), "{e}");
    let args = serde_json::json!({ "id": "seven" }).as_object().cloned();
    let e = command_for_call("security_event_show", args).unwrap_err().to_string();
    assert!(e.contains("id") && e.contains("security_event_show"), "{e}");
}

#[test]
fn toolsets_parse_and_unknown_ones_are_named() {
    let s = ToolsetSelection::parse("servers, lights").unwrap();
    assert_eq!(s.names(), ["servers", "lights"]);
    assert!(tools_in(&s).iter().all(|t| t.toolset == "servers" || t.toolset == "lights"));
    assert_eq!(tools_in(&ToolsetSelection::parse("all").unwrap()).len(), all_tools().len());
    let e = ToolsetSelection::parse("servers,bogus").unwrap_err().to_string();
    assert!(e.contains("\"bogus\"") && e.contains("lights"), "{e}");
    assert!(ToolsetSelection::parse(" , ").is_err());
}

#[test]
fn a_revealed_value_is_redacted_in_answers() {
    let canary = "canary-4411-reveal";
    let o = Outcome::Vault(VaultOutcome::Revealed { name: "x".into(), value: crate::engine::SecretValue::new(canary) });
    let v = outcome_json(&o);
    assert!(!v.to_string().contains(canary), "{v}");
    assert_eq!(v["value"], REDACTED);
    assert!(spec("secret_reveal").is_some());
}

