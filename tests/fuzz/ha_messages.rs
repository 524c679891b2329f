//! Home Assistant's REST answers (`/api/`, `/api/config`, `/api/states`,
//! a service call's changed states) and WebSocket messages (auth, results,
//! `state_changed` events): the bytes are parsed as homedeck's REST client
//! and WebSocket reader do, then read into entity states as the `ha_*`
//! verbs do. Samples are shaped like Home Assistant 2024.3's answers.

use crate::support::{self, mutated};
use homedeck::engine::internals::ha::views::{EntityState, matches};
use proptest::prelude::*;
use serde_json::{Value, json};

fn state(id: &str, s: &str, name: &str) -> Value {
    json!({
        "entity_id": id, "state": s,
        "attributes": {"friendly_name": name, "unit_of_measurement": "°C"},
        "last_changed": "2024-03-20T10:00:00.123456+00:00", "last_updated": "2024-03-20T10:00:00.123456+00:00",
        "context": {"id": "01HSE6Q5J0R0V7AZK3CN2Z5M4B", "parent_id": null, "user_id": null}
    })
}

fn rest_samples() -> Vec<Vec<u8>> {
    let states = json!([state("sun.sun", "above_horizon", "Sun"), state("sensor.kitchen_temperature", "21.5", "Kitchen"), state("light.porch", "off", "Porch")]);
    [
        json!({"message": "API running."}),
        json!({"version": "2024.3.3", "location_name": "Home", "time_zone": "Europe/Berlin", "components": ["api", "sun"]}),
        states,
        json!([state("light.porch", "on", "Porch")]),
    ]
    .iter()
    .map(|v| serde_json::to_vec(v).unwrap())
    .collect()
}

fn ws_samples() -> Vec<Vec<u8>> {
    [
        json!({"type": "auth_required", "ha_version": "2024.3.3"}),
        json!({"type": "auth_ok", "ha_version": "2024.3.3"}),
        json!({"type": "auth_invalid", "message": "Invalid access token or password"}),
        json!({"id": 1, "type": "result", "success": true, "result": [state("light.porch", "off", "Porch")]}),
        json!({"id": 2, "type": "result", "success": false, "error": {"code": "not_found", "message": "Service not found."}}),
        json!({"id": 3, "type": "event", "event": {"event_type": "state_changed", "data": {
            "entity_id": "light.porch", "old_state": state("light.porch", "off", "Porch"), "new_state": state("light.porch", "on", "Porch")},
            "origin": "LOCAL", "time_fired": "2024-03-20T10:00:01.000000+00:00"}}),
    ]
    .iter()
    .map(|v| serde_json::to_vec(v).unwrap())
    .collect()
}

/// What the `ha_states` / `ha_call` verbs do with an answer.
fn states_of(v: &Value, filter: &str) -> Vec<EntityState> {
    let mut states: Vec<EntityState> = v.as_array().map(|a| a.iter().filter_map(EntityState::from_json).collect()).unwrap_or_default();
    states.retain(|s| matches(filter, &s.entity_id));
    states
}

proptest! {
    #![proptest_config(support::config(3000))]

    #[test]
    fn rest_answers(bytes in mutated(rest_samples()), filter in prop_oneof![Just(String::new()), Just("light.".to_string()), Just("*kitchen*".to_string()), "[a-z.*]{0,8}"]) {
        // The REST client reads JSON or reports the body as not JSON.
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            let _ = (v["message"].as_str(), v["version"].as_str(), v["location_name"].as_str());
            for s in states_of(&v, &filter) {
                prop_assert!(matches(&filter, &s.entity_id));
            }
        }
    }

    #[test]
    fn websocket_messages(bytes in mutated(ws_samples())) {
        // The WebSocket reader takes text frames (lossy here, as a text frame is UTF-8).
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(m) = serde_json::from_str::<Value>(&text) {
            let _ = (m["type"].as_str(), m["ha_version"].as_str(), m["id"].as_u64(), m["success"] == true);
            let _ = states_of(&m["result"], "");
            if m["type"] == "event" {
                let id = m["event"]["data"]["entity_id"].as_str().unwrap_or_default();
                if let Some(s) = EntityState::from_json(&m["event"]["data"]["new_state"]) {
                    prop_assert!(!s.entity_id.is_empty() || m["event"]["data"]["new_state"]["entity_id"] == "");
                }
                let _ = matches("light.", id);
            }
        }
    }
}
