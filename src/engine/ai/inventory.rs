//! What the offline interpreter can point at: the names of servers,
//! deployments (with their server), WLED devices, backup sources and ESPHome
//! devices, read through the engine's own list verbs (as `USER@ai`, so
//! nothing is read around the engine's rules). A list that fails (a locked
//! vault, say) is simply empty.

use super::actions::execute_as_ai;
use super::offline::Inventory;
use crate::engine::actor::Actor;
use crate::engine::command::Command;
use crate::engine::Inner;
use serde_json::Value;

pub(crate) async fn gather(inner: &Inner, actor: &Actor) -> Inventory {
    let mut inv = Inventory::default();
    for (command, slot) in [
        (Command::ServerList {}, 0),
        (Command::DeployList { health: None }, 1),
        (Command::WledList {}, 2),
        (Command::BackupSourceList {}, 3),
        (Command::EsphomeList {}, 4),
    ] {
        let Ok(outcome) = execute_as_ai(inner, command, actor.clone()).await else { continue };
        let json = serde_json::to_value(&outcome).unwrap_or(Value::Null);
        let mut rows = Vec::new();
        collect(&json, &mut rows);
        match slot {
            0 => inv.servers = rows.into_iter().map(|(n, _)| n).collect(),
            1 => inv.deployments = rows.into_iter().map(|(n, s)| (n, s.unwrap_or_default())).collect(),
            2 => inv.lights = rows.into_iter().map(|(n, _)| n).collect(),
            3 => inv.sources = rows.into_iter().map(|(n, _)| n).collect(),
            _ => inv.esphome = rows.into_iter().map(|(n, _)| n).collect(),
        }
    }
    inv
}

/// Every object in an array that has a `name` (and maybe a `server`), or
/// whose one nested record does (`{"server": {"name": …}, "health": …}`).
fn collect(v: &Value, out: &mut Vec<(String, Option<String>)>) {
    let named = |o: &Value| o.get("name").and_then(Value::as_str).map(|n| (n.to_string(), o.get("server").and_then(Value::as_str).map(str::to_string)));
    match v {
        Value::Array(items) => {
            for item in items {
                let row = named(item).or_else(|| item.as_object().and_then(|m| m.values().find_map(named)));
                match row {
                    Some(r) => out.push(r),
                    None => collect(item, out),
                }
            }
        }
        Value::Object(m) => m.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}
