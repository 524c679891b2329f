//! A WLED device's state machine, applying JSON the way the firmware's
//! `deserializeState` does: partial updates, `on: "t"` toggles, a segment
//! object without id applies to every selected segment, `psave` / `pdel` /
//! `ps` for presets (a preset with a `playlist` member starts it), inline
//! `playlist` (which unloads the running one first), `np` to advance, and
//! any direct change clears the current preset id.
#![allow(dead_code)]

use serde_json::{Map, Value, json};

pub struct Device {
    pub state: Value,
    pub info: Value,
    pub effects: Value,
    pub palettes: Value,
    pub presets: Map<String, Value>,
    /// What `/json/cfg` serves (see [`Device::cfg`]).
    pub config: Value,
    /// Running playlist: (preset id of the playlist, entries, position).
    playlist: Option<(u8, Vec<u8>, usize)>,
}

fn rgbw(info: &Value) -> bool {
    info["leds"]["rgbw"].as_bool() == Some(true) || info["leds"]["lc"].as_u64().is_some_and(|lc| lc & 2 != 0)
}

impl Device {
    /// From a `/json` dump (`{state, info, effects, palettes[, presets]}`).
    pub fn from_dump(dump: &Value, presets: &Value) -> Device {
        let presets = dump.get("presets").unwrap_or(presets).as_object().cloned().unwrap_or_default();
        let info = dump["info"].clone();
        let config = json!({
            "rev": [1, 0],
            "vid": info["vid"],
            "id": {"mdns": format!("wled-{}", info["mac"].as_str().unwrap_or("")), "name": info["name"]},
            "hw": {"led": {"total": info["leds"]["count"], "maxpwr": info["leds"]["maxpwr"]}},
            "_note": "synthesised by homedeck's test peer from /json/info"
        });
        Device { state: dump["state"].clone(), info, effects: dump["effects"].clone(), palettes: dump["palettes"].clone(), presets, config, playlist: None }
    }

    pub fn si(&self) -> Value {
        json!({"state": self.state, "info": self.info})
    }

    pub fn full(&self) -> Value {
        json!({"state": self.state, "info": self.info, "effects": self.effects, "palettes": self.palettes})
    }

    pub fn presets_json(&self) -> Value {
        let mut m = self.presets.clone();
        m.entry("0").or_insert(json!({}));
        Value::Object(m)
    }

    /// What `/json/cfg` serves. The dumps carry no cfg, so it starts as one
    /// made from the info the device reports (and says so); `POST /json/cfg`
    /// and an uploaded `/cfg.json` change it.
    pub fn cfg(&self) -> Value {
        self.config.clone()
    }

    /// `POST /json/cfg`: the firmware's `deserializeConfig` reads the keys
    /// present and keeps the rest, so the posted object is merged in.
    pub fn merge_cfg(&mut self, patch: &Value) {
        fn merge(into: &mut Value, from: &Value) {
            match (into, from) {
                (Value::Object(a), Value::Object(b)) => {
                    for (k, v) in b {
                        merge(a.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
                (slot, v) => *slot = v.clone(),
            }
        }
        merge(&mut self.config, patch);
    }

    /// A file written by `POST /upload`: `/presets.json` replaces the
    /// presets, `/cfg.json` the configuration (the firmware then reboots).
    /// Other files are stored by the firmware but mean nothing here.
    pub fn upload(&mut self, name: &str, data: &[u8]) -> Result<(), String> {
        let v: Value = serde_json::from_slice(data).map_err(|e| e.to_string())?;
        match name.trim_start_matches('/') {
            "presets.json" => self.presets = v.as_object().cloned().ok_or("presets.json is not an object")?,
            "cfg.json" => self.config = v,
            _ => {}
        }
        Ok(())
    }

    fn segs(&mut self) -> &mut Vec<Value> {
        if !self.state["seg"].is_array() {
            self.state["seg"] = json!([]);
        }
        self.state["seg"].as_array_mut().expect("seg is an array")
    }

    /// Apply one segment object to segment slot `idx`.
    fn apply_segment(&mut self, idx: usize, elem: &Map<String, Value>) {
        let white = rgbw(&self.info);
        let segs = self.segs();
        while segs.len() <= idx {
            let id = segs.len();
            segs.push(json!({"id": id, "start": 0, "stop": 0, "on": true, "bri": 255, "col": [[0,0,0],[0,0,0],[0,0,0]], "fx": 0, "sx": 128, "ix": 128, "pal": 0, "sel": false}));
        }
        let seg = segs[idx].as_object_mut().expect("segment object");
        for (k, v) in elem {
            match k.as_str() {
                "id" => {}
                "col" => {
                    let Some(arr) = v.as_array() else { continue };
                    let mut cols = seg.get("col").and_then(Value::as_array).cloned().unwrap_or_default();
                    for (i, c) in arr.iter().enumerate().take(3) {
                        let mut ch: Vec<u64> = match c {
                            Value::Array(a) => a.iter().map(|x| x.as_u64().unwrap_or(0).min(255)).collect(),
                            Value::String(h) if h.len() >= 6 => (0..h.len() / 2)
                                .filter_map(|j| u64::from_str_radix(h.get(2 * j..2 * j + 2)?, 16).ok())
                                .collect(),
                            _ => continue,
                        };
                        if ch.is_empty() {
                            continue;
                        }
                        ch.resize(if white { 4 } else { 3 }, 0);
                        if i < cols.len() {
                            cols[i] = json!(ch);
                        } else {
                            cols.push(json!(ch));
                        }
                    }
                    seg.insert("col".into(), json!(cols));
                }
                "on" if v.as_str() == Some("t") => {
                    let on = seg.get("on").and_then(Value::as_bool).unwrap_or(true);
                    seg.insert("on".into(), json!(!on));
                }
                _ => {
                    seg.insert(k.clone(), v.clone());
                }
            }
        }
        let start = seg.get("start").and_then(Value::as_u64).unwrap_or(0);
        let stop = seg.get("stop").and_then(Value::as_u64).unwrap_or(0);
        seg.insert("len".into(), json!(stop.saturating_sub(start)));
    }

    /// `deserializeState`. Returns whether the caller asked for the full state.
    pub fn apply(&mut self, root: &Value) -> bool {
        self.apply_inner(root, false)
    }

    fn apply_inner(&mut self, root: &Value, from_preset: bool) -> bool {
        let Some(obj) = root.as_object() else { return false };
        let verbose = obj.get("v").and_then(Value::as_bool).unwrap_or(false);
        let mut changed = false;
        if let Some(b) = obj.get("bri").and_then(Value::as_u64) {
            self.state["bri"] = json!(b.min(255));
            changed = true;
        }
        match obj.get("on") {
            Some(Value::Bool(b)) => {
                self.state["on"] = json!(b);
                changed = true;
            }
            Some(Value::String(s)) if s.starts_with('t') => {
                let on = self.state["on"].as_bool().unwrap_or(false);
                self.state["on"] = json!(!on);
                changed = true;
            }
            _ => {}
        }
        if let Some(t) = obj.get("transition").and_then(Value::as_u64) {
            self.state["transition"] = json!(t);
        }
        if let Some(m) = obj.get("mainseg").and_then(Value::as_u64) {
            self.state["mainseg"] = json!(m);
        }
        match obj.get("seg") {
            Some(Value::Object(elem)) => {
                let targets: Vec<usize> = match elem.get("id").and_then(Value::as_u64) {
                    Some(id) => vec![id as usize],
                    None => {
                        let segs = self.segs();
                        segs.iter()
                            .enumerate()
                            .filter(|(_, s)| s["sel"].as_bool().unwrap_or(false) && s["stop"].as_u64().unwrap_or(1) > 0)
                            .map(|(i, _)| i)
                            .collect()
                    }
                };
                for i in targets {
                    self.apply_segment(i, elem);
                }
                changed = true;
            }
            Some(Value::Array(arr)) => {
                for (it, e) in arr.iter().enumerate() {
                    let Some(elem) = e.as_object() else { continue };
                    let idx = elem.get("id").and_then(Value::as_u64).map(|i| i as usize).unwrap_or(it);
                    let exists = idx < self.segs().len();
                    let stop = elem.get("stop").and_then(Value::as_u64);
                    if !exists && stop.unwrap_or(0) == 0 {
                        continue; // firmware ignores empty slots beyond the last segment
                    }
                    self.apply_segment(idx, elem);
                }
                // Deleted segments (stop 0) are not reported.
                self.segs().retain(|s| s["stop"].as_u64().unwrap_or(1) > 0);
                changed = true;
            }
            _ => {}
        }
        if let Some(id) = obj.get("psave").and_then(Value::as_u64).filter(|i| (1..=250).contains(i)) {
            let mut p = json!({
                "n": obj.get("n").cloned().unwrap_or(json!(format!("Preset {id}"))),
                "on": self.state["on"], "bri": self.state["bri"], "transition": self.state["transition"],
                "mainseg": self.state["mainseg"], "seg": self.state["seg"],
            });
            for s in p["seg"].as_array_mut().into_iter().flatten() {
                if let Some(o) = s.as_object_mut() {
                    o.remove("len");
                }
            }
            self.presets.insert(id.to_string(), p);
            self.state["ps"] = json!(id);
            return verbose;
        }
        if let Some(id) = obj.get("pdel").and_then(Value::as_u64).filter(|i| (1..=250).contains(i)) {
            self.presets.remove(&id.to_string());
            return verbose;
        }
        if !from_preset && let Some(id) = obj.get("ps").and_then(Value::as_u64).filter(|i| (1..=250).contains(i)) {
            if self.state["ps"].as_u64() != Some(id) {
                self.apply_preset(id as u8);
            }
            return verbose;
        }
        if let Some(pl) = obj.get("playlist").and_then(Value::as_object) {
            self.playlist = None;
            self.state["pl"] = json!(-1);
            let entries: Vec<u8> =
                pl.get("ps").and_then(Value::as_array).into_iter().flatten().filter_map(|x| x.as_u64()).map(|x| x as u8).collect();
            if !entries.is_empty() {
                let id = obj.get("ps_id").and_then(Value::as_u64).unwrap_or(0) as u8;
                self.start_playlist(id, entries);
            }
            return verbose;
        }
        if obj.get("np").and_then(Value::as_bool) == Some(true)
            && let Some((id, entries, pos)) = self.playlist.clone()
        {
            let next = (pos + 1) % entries.len();
            self.playlist = Some((id, entries.clone(), next));
            self.apply_entry(entries[next]);
            return verbose;
        }
        if changed && !from_preset {
            // "something changed, so we are no longer in the preset"
            self.state["ps"] = json!(-1);
        }
        verbose
    }

    fn start_playlist(&mut self, id: u8, entries: Vec<u8>) {
        self.playlist = Some((id, entries.clone(), 0));
        self.state["pl"] = json!(if id == 0 { 255 } else { id });
        self.apply_entry(entries[0]);
    }

    fn apply_entry(&mut self, preset: u8) {
        if let Some(p) = self.presets.get(&preset.to_string()).cloned()
            && p.get("playlist").is_none()
        {
            self.apply_inner(&p, true);
            self.state["ps"] = json!(preset);
        }
    }

    fn apply_preset(&mut self, id: u8) {
        let Some(p) = self.presets.get(&id.to_string()).cloned() else { return };
        if let Some(pl) = p.get("playlist") {
            let entries: Vec<u8> =
                pl["ps"].as_array().into_iter().flatten().filter_map(|x| x.as_u64()).map(|x| x as u8).collect();
            if !entries.is_empty() {
                self.start_playlist(id, entries);
            }
        } else {
            self.playlist = None;
            self.state["pl"] = json!(-1);
            self.apply_inner(&p, true);
            self.state["ps"] = json!(id);
        }
    }
}
