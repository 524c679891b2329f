//! WLED presets and playlists. A playlist is a preset with a `playlist`
//! member; both live in the device's `/presets.json` under ids 1–250.

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::lights::views::{PlaylistSpec, PresetView};
use serde_json::{Value, json};

/// Read `/presets.json`. Entries that are not objects or have no valid id
/// are skipped (the firmware writes `"0": {}` as a placeholder); a playlist
/// with malformed members is an error naming the preset.
pub fn parse(v: &Value) -> EngineResult<Vec<PresetView>> {
    let Some(map) = v.as_object() else {
        return Err(EngineError::invalid("presets.json", short(v), "a JSON object of presets by id"));
    };
    let mut out = Vec::new();
    for (k, p) in map {
        let Ok(id) = k.parse::<u8>() else { continue };
        if !(1..=250).contains(&id) {
            continue;
        }
        let Some(obj) = p.as_object() else { continue };
        if obj.is_empty() {
            continue;
        }
        let name = match obj.get("n") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None | Some(Value::String(_)) => format!("Preset {id}"),
            Some(other) => {
                return Err(EngineError::invalid(&format!("presets.json.{id}.n"), short(other), "a string"));
            }
        };
        let playlist = obj.get("playlist").map(|pl| playlist(id, pl)).transpose()?;
        out.push(PresetView { id, name, playlist });
    }
    out.sort_by_key(|p| p.id);
    Ok(out)
}

fn playlist(id: u8, pl: &Value) -> EngineResult<PlaylistSpec> {
    let field = |f: &str| format!("presets.json.{id}.playlist.{f}");
    let nums = |f: &str| -> EngineResult<Vec<f64>> {
        match pl.get(f) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_f64().ok_or_else(|| EngineError::invalid(&field(f), short(x), "a number")))
                .collect(),
            // A single number means "the same for every entry".
            Some(Value::Number(n)) => Ok(vec![n.as_f64().unwrap_or(0.0)]),
            Some(other) => Err(EngineError::invalid(&field(f), short(other), "an array of numbers")),
        }
    };
    let presets = nums("ps")?
        .into_iter()
        .map(|x| {
            if (0.0..=250.0).contains(&x) && x.fract() == 0.0 {
                Ok(x as u8)
            } else {
                Err(EngineError::invalid(&field("ps"), x.to_string(), "preset ids 0–250"))
            }
        })
        .collect::<EngineResult<Vec<u8>>>()?;
    let durations = nums("dur")?.into_iter().map(|d| d / 10.0).collect();
    let int = |f: &str| -> EngineResult<u64> {
        match pl.get(f) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Bool(b)) => Ok(u64::from(*b)),
            Some(v) => v.as_u64().ok_or_else(|| EngineError::invalid(&field(f), short(v), "a whole number")),
        }
    };
    Ok(PlaylistSpec {
        presets,
        durations,
        repeat: u32::try_from(int("repeat")?).unwrap_or(u32::MAX),
        end: u8::try_from(int("end")?).unwrap_or(0),
    })
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(60).collect()
}

/// Which kind of entry a command wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Preset,
    Playlist,
}

/// Find a preset or playlist by id or name (any case).
pub fn resolve(list: &[PresetView], wanted: &str, want: Want) -> EngineResult<PresetView> {
    let kind = if want == Want::Playlist { "playlist" } else { "preset" };
    let hit = match wanted.trim().parse::<u8>() {
        Ok(id) => list.iter().find(|p| p.id == id),
        Err(_) => list.iter().find(|p| p.name.eq_ignore_ascii_case(wanted.trim())),
    };
    match hit {
        Some(p) if want == Want::Playlist && p.playlist.is_none() => Err(EngineError::invalid(
            kind,
            wanted,
            &format!("a playlist; {} {:?} is a plain preset (use wled_preset_apply)", p.id, p.name),
        )),
        Some(p) => Ok(p.clone()),
        None => {
            let names: Vec<String> = list
                .iter()
                .filter(|p| (want == Want::Playlist) == p.playlist.is_some())
                .map(|p| format!("{} {}", p.id, p.name))
                .take(8)
                .collect();
            let expected = if names.is_empty() {
                format!("a {kind} of this device (it has none)")
            } else {
                format!("a {kind} of this device: {}", names.join(", "))
            };
            Err(EngineError::invalid(kind, wanted, &expected))
        }
    }
}

pub fn apply(id: u8) -> Value {
    json!({ "ps": id })
}

/// Save the current state as preset `id` (brightness and segment bounds
/// included, as the device UI's "save" does).
pub fn save(id: u8, name: &str) -> EngineResult<Value> {
    if !(1..=250).contains(&id) {
        return Err(EngineError::invalid("id", id.to_string(), "a preset id from 1 to 250"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 32 || name.chars().any(char::is_control) {
        return Err(EngineError::invalid("name", name, "1–32 printable characters"));
    }
    Ok(json!({ "psave": id, "n": name, "ib": true, "sb": true }))
}

pub fn delete(id: u8) -> EngineResult<Value> {
    if !(1..=250).contains(&id) {
        return Err(EngineError::invalid("id", id.to_string(), "a preset id from 1 to 250"));
    }
    Ok(json!({ "pdel": id }))
}

/// Firmware unloads the running playlist before loading a new one, and an
/// empty inline playlist loads nothing: that stops it without changing the
/// lights.
pub fn playlist_stop() -> Value {
    json!({ "playlist": { "ps": [] } })
}

pub fn playlist_next() -> Value {
    json!({ "np": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_presets_and_playlists() {
        let v = json!({"0":{}, "1":{"n":"Red","on":true}, "2":{"n":"Loop","playlist":{"ps":[1],"dur":[100],"repeat":3,"end":0,"r":false}},
                       "3":{"playlist":{"ps":[1,2],"dur":300,"repeat":0}}, "x":{}, "251":{"n":"no"}});
        let p = parse(&v).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].playlist.as_ref().unwrap().durations, vec![10.0]);
        assert_eq!(p[2].name, "Preset 3");
        assert_eq!(resolve(&p, "loop", Want::Playlist).unwrap().id, 2);
        assert!(resolve(&p, "1", Want::Playlist).unwrap_err().to_string().contains("plain preset"));
        assert!(resolve(&p, "nope", Want::Preset).unwrap_err().to_string().contains("1 Red"));
    }

    #[test]
    fn bad_presets_name_the_field() {
        let e = parse(&json!({"4":{"n":5}})).unwrap_err().to_string();
        assert!(e.contains("presets.json.4.n"), "{e}");
        let e = parse(&json!({"4":{"playlist":{"ps":["a"]}}})).unwrap_err().to_string();
        assert!(e.contains("presets.json.4.playlist.ps"), "{e}");
        assert!(parse(&json!([1])).is_err());
        assert!(save(0, "x").is_err() && save(3, "").is_err() && delete(251).is_err());
    }
}
