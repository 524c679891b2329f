//! WLED `/json`, `/json/si`, `/ws` messages and presets, and Falcon
//! Player's status, playlists and schedule: from the real dumps in
//! tests/fixtures (13 WLED firmware dumps, a real fppd status, FPP's own
//! OpenAPI examples), mutated as bytes.

use crate::support::{self, mutated, names_something};
use homedeck::engine::internals::lights::fpp::{model::FppStatus, schedule};
use homedeck::engine::internals::lights::views::Link;
use homedeck::engine::internals::lights::wled::model::{self, FullJson, StateInfo};
use homedeck::engine::internals::lights::wled::{Catalog, presets, summarize};
use proptest::prelude::*;
use serde_json::Value;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(support::root().join("tests/fixtures").join(rel)).unwrap()
}

fn wled_dumps() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = ["wled/rgb.json", "wled/rgbw.json", "wled/cct.json", "wled/rgb_single_segment.json", "wled/wled.json"].iter().map(|p| read(p)).collect();
    for e in std::fs::read_dir(support::root().join("tests/fixtures/wled/versions")).unwrap() {
        out.push(std::fs::read(e.unwrap().path()).unwrap());
    }
    out
}

/// `/json/si` and `/ws` carry state and info only.
fn state_infos() -> Vec<Vec<u8>> {
    let mut out = vec![read("wled/rgb_websocket.json")];
    for d in wled_dumps() {
        let v: Value = serde_json::from_slice(&d).unwrap();
        out.push(serde_json::to_vec(&serde_json::json!({"state": v["state"], "info": v["info"]})).unwrap());
    }
    out
}

/// The example bodies of FPP's OpenAPI description.
fn fpp_example(path: &str) -> Vec<u8> {
    let spec: Value = serde_json::from_slice(&read("fpp/openapi.json")).unwrap();
    serde_json::to_vec(&spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"]).unwrap()
}

fn check_invalid(e: &homedeck::engine::EngineError, what: &str) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(msg.contains(what) && names_something(&msg, &[]), "{msg:?} does not name {what} and the bad value");
    Ok(())
}

proptest! {
    #![proptest_config(support::config(2000))]

    /// `/json`: parsed (then summarised as the list shows it) or refused
    /// naming the field's path.
    #[test]
    fn wled_full_json(bytes in mutated(wled_dumps())) {
        match model::parse::<FullJson>("wled /json", &bytes) {
            Ok(full) => {
                let cat = Catalog { effects: full.effects.clone(), palettes: full.palettes.clone() };
                let live = summarize(&full.state, Some(&cat), Link::Live);
                prop_assert!(live.segments <= full.state.seg.len());
            }
            Err(e) => check_invalid(&e, "wled /json")?,
        }
    }

    /// `/json/si` and every `/ws` message.
    #[test]
    fn wled_state_info_and_ws(bytes in mutated(state_infos())) {
        match model::parse::<StateInfo>("wled /ws", &bytes) {
            Ok(si) => {
                let _ = summarize(&si.state, None, Link::Polling);
                let _ = si.info.kind();
            }
            Err(e) => check_invalid(&e, "wled /ws")?,
        }
    }

    /// `/presets.json` (as JSON; a body that is not JSON is refused before).
    #[test]
    fn wled_presets(bytes in mutated(vec![read("wled/presets.json")])) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes)
            && let Err(e) = presets::parse(&v)
        {
            prop_assert!(names_something(&e.to_string(), &["preset"]), "{e}");
        }
    }

    /// `/api/fppd/status`.
    #[test]
    fn fpp_status(bytes in mutated(vec![read("fpp/fppd_status.json")])) {
        match model::parse::<FppStatus>("fpp status", &bytes) {
            Ok(s) => {
                let _ = (s.playing(), s.state_name());
                if let Some(p) = s.progress() {
                    prop_assert!(p.is_finite(), "progress {p}");
                }
            }
            Err(e) => check_invalid(&e, "fpp status")?,
        }
    }

    /// `/api/schedule`: every entry an object with the fields homedeck
    /// shows, or an error naming `schedule[i].field`.
    #[test]
    fn fpp_schedule(bytes in mutated(vec![fpp_example("/api/schedule")])) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            match schedule::raw_entries(&v).and_then(|raw| schedule::view(&raw)) {
                Ok(list) => prop_assert!(list.len() <= v.as_array().map_or(0, Vec::len)),
                Err(e) => prop_assert!(e.to_string().contains("schedule"), "{e}"),
            }
        }
    }
}
