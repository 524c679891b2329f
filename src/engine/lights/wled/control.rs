//! Turn "what the person asked for" into the JSON patch WLED applies.
//! Effects and palettes are looked up in the device's own lists, so a name
//! that device does not have is refused before anything is sent.

use super::Catalog;
use super::model::{Rgbw, WledState, choosable, parse_hex};
use crate::engine::error::{EngineError, EngineResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// on / off / toggle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Power {
    On,
    Off,
    Toggle,
}

impl std::str::FromStr for Power {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<Power> {
        match s.to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => Ok(Power::On),
            "off" | "false" | "0" => Ok(Power::Off),
            "toggle" | "t" => Ok(Power::Toggle),
            _ => Err(EngineError::invalid("power", s, "on, off or toggle")),
        }
    }
}

/// The small colour picker: names people can type or cycle through.
pub const PICKER: &[(&str, [u8; 3])] = &[
    ("red", [255, 0, 0]),
    ("orange", [255, 96, 0]),
    ("amber", [255, 160, 0]),
    ("yellow", [255, 220, 0]),
    ("green", [0, 255, 0]),
    ("cyan", [0, 255, 200]),
    ("blue", [0, 0, 255]),
    ("purple", [150, 0, 255]),
    ("pink", [255, 40, 140]),
    ("warm", [255, 170, 80]),
    ("white", [255, 255, 255]),
];

/// `#ff8800`, `ff8800`, `255,136,0`, `255,136,0,20` or a picker name.
pub fn parse_color(s: &str) -> EngineResult<Rgbw> {
    let t = s.trim();
    if let Some((_, rgb)) = PICKER.iter().find(|(n, _)| n.eq_ignore_ascii_case(t)) {
        return Ok(Rgbw::rgb(rgb[0], rgb[1], rgb[2]));
    }
    if t.contains(',') {
        let parts: Result<Vec<u8>, _> = t.split(',').map(|p| p.trim().parse::<u8>()).collect();
        if let Ok(p) = parts
            && (p.len() == 3 || p.len() == 4)
        {
            return Ok(Rgbw { r: p[0], g: p[1], b: p[2], w: p.get(3).copied() });
        }
    } else if let Some(c) = parse_hex(t) {
        return Ok(c);
    }
    let names: Vec<&str> = PICKER.iter().map(|(n, _)| *n).collect();
    Err(EngineError::invalid(
        "color",
        s,
        &format!("#rrggbb, r,g,b (0–255 each), r,g,b,w, or one of: {}", names.join(", ")),
    ))
}

/// Everything `wled_set` can change; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct SetRequest {
    pub power: Option<Power>,
    pub bri: Option<u8>,
    pub color: Option<String>,
    pub effect: Option<String>,
    pub palette: Option<String>,
    pub speed: Option<u8>,
    pub intensity: Option<u8>,
    pub segment: Option<u8>,
    pub transition: Option<u16>,
}

impl SetRequest {
    pub fn is_empty(&self) -> bool {
        self.power.is_none()
            && self.bri.is_none()
            && self.color.is_none()
            && self.effect.is_none()
            && self.palette.is_none()
            && self.speed.is_none()
            && self.intensity.is_none()
            && self.transition.is_none()
    }

    /// One line for audit entries and status bars.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.segment {
            parts.push(format!("segment {s}"));
        }
        if let Some(p) = self.power {
            parts.push(format!("power {p:?}").to_lowercase());
        }
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k} {v}"));
            }
        };
        add("brightness", self.bri.map(|v| v.to_string()));
        add("color", self.color.clone());
        add("effect", self.effect.clone());
        add("palette", self.palette.clone());
        add("speed", self.speed.map(|v| v.to_string()));
        add("intensity", self.intensity.map(|v| v.to_string()));
        add("transition", self.transition.map(|v| format!("{:.1}s", f64::from(v) / 10.0)));
        parts.join(", ")
    }
}

/// Find `wanted` (a name, any case, or an id) in a device list.
pub fn lookup(kind: &str, list: &[String], wanted: &str) -> EngineResult<u16> {
    let options = choosable(list);
    if let Ok(id) = wanted.trim().parse::<u16>()
        && options.iter().any(|(i, _)| *i == id)
    {
        return Ok(id);
    }
    if let Some((i, _)) = options.iter().find(|(_, n)| n.eq_ignore_ascii_case(wanted.trim())) {
        return Ok(*i);
    }
    let close: Vec<&str> = options
        .iter()
        .filter(|(_, n)| n.to_lowercase().contains(&wanted.trim().to_lowercase()))
        .map(|(_, n)| *n)
        .take(5)
        .collect();
    let expected = if close.is_empty() {
        format!("one of the device's {} {kind}s (by name or id)", options.len())
    } else {
        format!("one of the device's {kind}s, e.g. {}", close.join(", "))
    };
    Err(EngineError::invalid(kind, wanted, &expected))
}

/// The patch for a request, checked against this device's state and lists.
pub fn patch(req: &SetRequest, state: &WledState, cat: &Catalog, rgbw: bool) -> EngineResult<Value> {
    if req.is_empty() {
        return Err(EngineError::invalid(
            "changes",
            "none",
            "at least one of power, bri, color, effect, palette, speed, intensity, transition",
        ));
    }
    let mut top = Map::new();
    let mut seg = Map::new();
    if let Some(t) = req.transition {
        top.insert("transition".into(), json!(t));
    }
    let power = req.power.map(|p| match p {
        Power::On => json!(true),
        Power::Off => json!(false),
        Power::Toggle => json!("t"),
    });
    match req.segment {
        Some(id) => {
            if !state.seg.iter().any(|s| s.id == Some(id) && s.active()) {
                let ids: Vec<String> =
                    state.seg.iter().filter(|s| s.active()).filter_map(|s| s.id).map(|i| i.to_string()).collect();
                return Err(EngineError::invalid(
                    "segment",
                    id.to_string(),
                    &format!("a segment of this device ({})", ids.join(", ")),
                ));
            }
            seg.insert("id".into(), json!(id));
            if let Some(p) = power {
                seg.insert("on".into(), p);
            }
            if let Some(b) = req.bri {
                seg.insert("bri".into(), json!(b));
            }
        }
        None => {
            if let Some(p) = power {
                top.insert("on".into(), p);
            }
            if let Some(b) = req.bri {
                top.insert("bri".into(), json!(b));
            }
        }
    }
    if let Some(c) = &req.color {
        let mut c = parse_color(c)?;
        if rgbw && c.w.is_none() && c == Rgbw::rgb(255, 255, 255) {
            // "white" on an RGBW strip means the white channel.
            c = Rgbw { r: 0, g: 0, b: 0, w: Some(255) };
        }
        seg.insert("col".into(), json!([c]));
    }
    if let Some(e) = &req.effect {
        seg.insert("fx".into(), json!(lookup("effect", &cat.effects, e)?));
    }
    if let Some(p) = &req.palette {
        seg.insert("pal".into(), json!(lookup("palette", &cat.palettes, p)?));
    }
    if let Some(s) = req.speed {
        seg.insert("sx".into(), json!(s));
    }
    if let Some(i) = req.intensity {
        seg.insert("ix".into(), json!(i));
    }
    if !seg.is_empty() {
        // An object without an id applies to every selected segment, which
        // is what the device's own UI does without a segment chosen.
        top.insert("seg".into(), if req.segment.is_some() { json!([seg]) } else { Value::Object(seg) });
    }
    Ok(Value::Object(top))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalog {
        Catalog {
            effects: vec!["Solid".into(), "Blink".into(), "RSVD".into(), "Breathe".into()],
            palettes: vec!["Default".into(), "Party".into()],
        }
    }

    fn state() -> WledState {
        serde_json::from_str(r#"{"on":true,"bri":10,"seg":[{"id":0,"stop":10},{"id":1,"stop":20},{"id":2,"stop":0}]}"#)
            .unwrap()
    }

    #[test]
    fn colours() {
        assert_eq!(parse_color("amber").unwrap(), Rgbw::rgb(255, 160, 0));
        assert_eq!(parse_color("#FF0010").unwrap(), Rgbw::rgb(255, 0, 16));
        assert_eq!(parse_color("1, 2,3,4").unwrap().w, Some(4));
        for bad in ["", "300,0,0", "1,2", "mauve", "#12"] {
            let e = parse_color(bad).unwrap_err().to_string();
            assert!(e.contains("color") && e.contains("amber"), "{e}");
        }
    }

    #[test]
    fn patches() {
        let req = SetRequest { power: Some(Power::Off), bri: Some(40), effect: Some("breathe".into()), ..Default::default() };
        let p = patch(&req, &state(), &cat(), false).unwrap();
        assert_eq!(p, json!({"on": false, "bri": 40, "seg": {"fx": 3}}));
        let req = SetRequest { segment: Some(1), power: Some(Power::On), color: Some("white".into()), ..Default::default() };
        let p = patch(&req, &state(), &cat(), true).unwrap();
        assert_eq!(p, json!({"seg": [{"id": 1, "on": true, "col": [[0, 0, 0, 255]]}]}));
    }

    #[test]
    fn refusals_name_the_value() {
        let e = patch(&SetRequest::default(), &state(), &cat(), false).unwrap_err().to_string();
        assert!(e.contains("changes"), "{e}");
        let req = SetRequest { effect: Some("RSVD".into()), ..Default::default() };
        assert!(patch(&req, &state(), &cat(), false).is_err());
        let req = SetRequest { effect: Some("Bl".into()), ..Default::default() };
        let e = patch(&req, &state(), &cat(), false).unwrap_err().to_string();
        assert!(e.contains("\"Bl\"") && e.contains("Blink"), "{e}");
        let req = SetRequest { segment: Some(2), bri: Some(1), ..Default::default() };
        let e = patch(&req, &state(), &cat(), false).unwrap_err().to_string();
        assert!(e.contains("segment") && e.contains("0, 1"), "{e}");
        let req = SetRequest { palette: Some("9".into()), ..Default::default() };
        assert!(patch(&req, &state(), &cat(), false).is_err());
    }
}
