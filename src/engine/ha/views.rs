//! What the Home Assistant profile commands return (plain data).

use serde::{Deserialize, Serialize};

/// `ha_test`: what a person wants to know about an instance at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaTestReport {
    pub profile: String,
    pub url: String,
    /// Round trip of `GET /api/`.
    pub latency_ms: u64,
    pub version: String,
    pub location_name: String,
    pub entity_count: usize,
}

/// One entity's state, as the live view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityState {
    pub entity_id: String,
    pub state: String,
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub last_changed: String,
}

impl EntityState {
    /// From HA's state object; None when it has no entity_id.
    pub fn from_json(v: &serde_json::Value) -> Option<EntityState> {
        let entity_id = v["entity_id"].as_str()?.to_string();
        Some(EntityState {
            entity_id,
            state: match &v["state"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            },
            friendly_name: v["attributes"]["friendly_name"].as_str().unwrap_or_default().to_string(),
            last_changed: v["last_changed"].as_str().unwrap_or_default().to_string(),
        })
    }
}

/// Does an entity id match a filter? `light.` (prefix), `*kitchen*`
/// (glob with `*`), or a plain substring. Empty matches everything.
pub fn matches(filter: &str, entity_id: &str) -> bool {
    let f = filter.trim();
    if f.is_empty() {
        return true;
    }
    if !f.contains('*') {
        return entity_id.contains(f);
    }
    let parts: Vec<&str> = f.split('*').collect();
    let mut rest = entity_id;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else { return false };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert!(matches("", "light.kitchen"));
        assert!(matches("light.", "light.kitchen"));
        assert!(!matches("switch.", "light.kitchen"));
        assert!(matches("*kitchen*", "light.kitchen_main"));
        assert!(matches("light.*", "light.x"));
        assert!(matches("*.porch", "light.porch"));
        assert!(!matches("*.porch", "light.porch2"));
        assert!(matches("light.*_main", "light.kitchen_main"));
        assert!(!matches("sensor.*", "light.sensor"));
    }

    #[test]
    fn states_from_json() {
        let v = serde_json::json!({"entity_id": "light.a", "state": "on", "attributes": {"friendly_name": "A"}});
        let s = EntityState::from_json(&v).unwrap();
        assert_eq!((s.state.as_str(), s.friendly_name.as_str()), ("on", "A"));
        assert!(EntityState::from_json(&serde_json::json!({"state": 1})).is_none());
        let n = EntityState::from_json(&serde_json::json!({"entity_id": "x.y", "state": 3})).unwrap();
        assert_eq!(n.state, "3");
    }
}
