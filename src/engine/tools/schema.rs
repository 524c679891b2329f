//! Per-verb argument schemas, cut out of schemars' schema of `Command`.
//!
//! `Command` is one internally tagged enum (`{"command": "server_show",
//! "name": …}`), so its schema is a `oneOf` with one object per verb whose
//! `command` property is a constant. Each tool's schema is that object
//! without the tag; enums (`AuthMethod`, `Severity` …) are inlined so every
//! tool schema stands alone.

use crate::engine::Command;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Every verb's argument schema, by verb name.
pub(super) fn per_command() -> HashMap<String, Map<String, Value>> {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
        })
        .into_generator();
    let root = generator.into_root_schema_for::<Command>().to_value();
    let mut out = HashMap::new();
    let variants = root.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_default();
    for variant in variants {
        let Value::Object(mut obj) = variant else { continue };
        let name = obj
            .get("properties")
            .and_then(|p| p.get("command"))
            .and_then(|c| c.get("const").or_else(|| c.get("enum").and_then(|e| e.get(0))))
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(name) = name else { continue };
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            props.remove("command");
        }
        if let Some(Value::Array(req)) = obj.get_mut("required") {
            req.retain(|r| r != "command");
        }
        // The verb's doc line is the tool's description already.
        obj.remove("description");
        out.insert(name, normalised(obj));
    }
    out
}

/// The object schema with `properties` and `required` always present (some
/// clients insist) and no `$schema` noise.
fn normalised(mut obj: Map<String, Value>) -> Map<String, Value> {
    obj.remove("$schema");
    obj.insert("type".into(), Value::String("object".into()));
    obj.entry("properties").or_insert_with(|| Value::Object(Map::new()));
    obj.entry("required").or_insert_with(|| Value::Array(Vec::new()));
    obj.insert("additionalProperties".into(), Value::Bool(false));
    obj
}

/// An object schema with no arguments.
pub(super) fn empty_object() -> Map<String, Value> {
    normalised(Map::new())
}

/// Add the `dry_run` flag every write tool takes (a verb with a `dry_run`
/// argument of its own keeps its own description).
pub(super) fn with_dry_run(schema: &mut Map<String, Value>) {
    let props = schema.entry("properties").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props
        && !props.contains_key("dry_run")
    {
        props.insert(
            "dry_run".into(),
            serde_json::json!({ "type": "boolean", "description": "true: return the engine's preview of what this call would do (targets, current → new values, diff, undo) and change nothing" }),
        );
    }
}

/// `schema` without the named properties (the withheld secret arguments).
pub(super) fn without(schema: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    let mut s = schema.clone();
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        for n in names {
            props.remove(*n);
        }
    }
    if let Some(Value::Array(req)) = s.get_mut("required") {
        req.retain(|r| !names.iter().any(|n| r == n));
    }
    s
}
