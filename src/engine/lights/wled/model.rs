//! What a WLED device says about itself, as homedeck reads it.
//!
//! Only the fields homedeck shows or acts on are typed; everything else a
//! firmware sends is ignored, so new firmware fields never break a read.
//! Fields a firmware may leave out are optional. A field of the wrong type
//! is an error that names the field's path (`state.seg[0].bri`), so a
//! broken device or a proxy in between is easy to spot.

use crate::engine::error::{EngineError, EngineResult};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `state` of `/json`, `/json/state`, `/json/si` and every `/ws` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WledState {
    #[serde(default)]
    pub on: bool,
    #[serde(default)]
    pub bri: u8,
    /// Crossfade time in units of 100 ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<u16>,
    /// Current preset, -1 for none.
    #[serde(default = "none_id")]
    pub ps: i16,
    /// Current playlist, -1 for none.
    #[serde(default = "none_id")]
    pub pl: i16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mainseg: Option<u8>,
    #[serde(default)]
    pub seg: Vec<Segment>,
}

fn none_id() -> i16 {
    -1
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bri: Option<u8>,
    /// Primary, secondary and tertiary colour.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub col: Vec<Rgbw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sx: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ix: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pal: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sel: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
}

impl Segment {
    /// A segment in a preset or an answer with `stop: 0` is a deleted slot.
    pub fn active(&self) -> bool {
        self.stop != Some(0)
    }
}

/// One colour slot: `[r,g,b]` or `[r,g,b,w]` on the wire (also `"RRGGBB"`
/// when sent to a device).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgbw {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub w: Option<u8>,
}

impl Rgbw {
    pub fn rgb(r: u8, g: u8, b: u8) -> Rgbw {
        Rgbw { r, g, b, w: None }
    }

    pub fn hex(&self) -> String {
        format!("{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl Serialize for Rgbw {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.w {
            Some(w) => [self.r, self.g, self.b, w].serialize(s),
            None => [self.r, self.g, self.b].serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Rgbw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Rgbw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a colour: [r,g,b], [r,g,b,w] (0–255 each) or a hex string RRGGBB")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rgbw, A::Error> {
                let mut v: Vec<u8> = Vec::with_capacity(4);
                while let Some(x) = seq.next_element::<u8>()? {
                    if v.len() == 4 {
                        return Err(de::Error::invalid_length(5, &self));
                    }
                    v.push(x);
                }
                // WLED leaves out trailing zero channels in presets.
                let at = |i: usize| v.get(i).copied().unwrap_or(0);
                Ok(Rgbw { r: at(0), g: at(1), b: at(2), w: v.get(3).copied() })
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Rgbw, E> {
                parse_hex(s).ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// `RRGGBB` or `RRGGBBWW`, with or without a leading `#`.
pub fn parse_hex(s: &str) -> Option<Rgbw> {
    let s = s.strip_prefix('#').unwrap_or(s);
    if !(s.len() == 6 || s.len() == 8) || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(s.get(i..i + 2)?, 16).ok();
    Some(Rgbw { r: byte(0)?, g: byte(2)?, b: byte(4)?, w: if s.len() == 8 { byte(6) } else { None } })
}

/// `info` of `/json`, `/json/info` and `/json/si`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WledInfo {
    #[serde(default)]
    pub ver: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mac: String,
    #[serde(default)]
    pub leds: Leds,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wifi: Option<Wifi>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fxcount: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub palcount: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Leds {
    #[serde(default)]
    pub count: u32,
    /// Deprecated by firmware in favour of `lc`, still sent by all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rgbw: Option<bool>,
    /// Light capabilities: bit 0 RGB, bit 1 white channel, bit 2 CCT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps: Option<u16>,
    /// Current draw in mA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pwr: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Wifi {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rssi: Option<i16>,
}

impl WledInfo {
    pub fn kind(&self) -> &'static str {
        match self.leds.lc {
            Some(lc) if lc & 0b100 != 0 => "cct",
            Some(lc) if lc & 0b010 != 0 => "rgbw",
            None if self.leds.rgbw == Some(true) => "rgbw",
            _ => "rgb",
        }
    }
}

/// `/json/si` (and a `/ws` message): state and info.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateInfo {
    pub state: WledState,
    pub info: WledInfo,
}

/// `/json`: everything, including the device's own effect and palette lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FullJson {
    pub state: WledState,
    pub info: WledInfo,
    #[serde(default)]
    pub effects: Vec<String>,
    #[serde(default)]
    pub palettes: Vec<String>,
}

/// Parse device JSON; a type error names the path of the bad field.
pub fn parse<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> EngineResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." || path.is_empty() { what.to_string() } else { format!("{what}.{path}") };
        let shown: String = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
        if inner.is_syntax() || inner.is_eof() {
            EngineError::invalid(what, shown, &format!("JSON from the device ({inner})"))
        } else {
            EngineError::invalid(&field, inner.to_string(), "the type WLED firmware sends for this field")
        }
    })
}

/// The name of entry `id` in one of the device's lists, or `#id`.
pub fn list_name(list: &[String], id: Option<u16>) -> String {
    match id {
        Some(i) => list.get(usize::from(i)).cloned().unwrap_or_else(|| format!("#{i}")),
        None => "—".into(),
    }
}

/// Entries of an effect or palette list that can be chosen: firmware pads
/// the list with `RSVD` and `-` for removed ids.
pub fn choosable(list: &[String]) -> Vec<(u16, &str)> {
    list.iter()
        .enumerate()
        .filter(|(_, n)| !matches!(n.as_str(), "RSVD" | "-" | ""))
        .filter_map(|(i, n)| u16::try_from(i).ok().map(|i| (i, n.as_str())))
        .collect()
}

impl WledState {
    /// The segment the device calls main (or the first active one).
    pub fn main_segment(&self) -> Option<&Segment> {
        let main = self.mainseg.unwrap_or(0);
        self.seg.iter().find(|s| s.id == Some(main) && s.active()).or_else(|| self.seg.iter().find(|s| s.active()))
    }

    pub fn primary(&self) -> Rgbw {
        self.main_segment().and_then(|s| s.col.first().copied()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_in_every_shape() {
        let s: Segment = serde_json::from_str(r#"{"col":[[1,2,3],[4,5,6,7],"ff8000",[]]}"#).unwrap();
        assert_eq!(s.col[0], Rgbw::rgb(1, 2, 3));
        assert_eq!(s.col[1].w, Some(7));
        assert_eq!(s.col[2], Rgbw::rgb(255, 128, 0));
        assert_eq!(s.col[3], Rgbw::default());
        assert!(serde_json::from_str::<Segment>(r#"{"col":[[1,2,3,4,5]]}"#).is_err());
        assert!(serde_json::from_str::<Segment>(r#"{"col":["zz0000"]}"#).is_err());
        assert_eq!(parse_hex("#0a0B0c"), Some(Rgbw::rgb(10, 11, 12)));
        assert_eq!(parse_hex("12345"), None);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = parse::<StateInfo>("wled", br#"{"state":{"seg":[{"bri":"x"}]},"info":{}}"#).unwrap_err().to_string();
        assert!(e.contains("wled.state.seg[0].bri"), "{e}");
        let e = parse::<StateInfo>("wled", br#"{"state":{"on":1},"info":{}}"#).unwrap_err().to_string();
        assert!(e.contains("state.on"), "{e}");
        let e = parse::<StateInfo>("wled", b"<html>").unwrap_err().to_string();
        assert!(e.contains("<html>"), "{e}");
    }

    #[test]
    fn missing_and_unknown_fields_are_fine() {
        let si = parse::<StateInfo>("wled", br#"{"state":{"new_thing":[1]},"info":{"x":{}}}"#).unwrap();
        assert_eq!(si.state.ps, -1);
        assert!(si.state.seg.is_empty());
        assert_eq!(si.info.kind(), "rgb");
    }

    #[test]
    fn garbage_never_panics() {
        let samples: [&[u8]; 8] = [
            b"", b"{", b"[]", b"null", br#"{"state":[]}"#, br#"{"state":{"seg":{}}}"#,
            br#"{"state":{"bri":300},"info":{}}"#, br#"{"state":{"seg":[{"col":[[1e9]]}]},"info":{}}"#,
        ];
        for s in samples {
            assert!(parse::<StateInfo>("wled", s).is_err());
        }
        let mut bytes = br#"{"state":{"on":true,"bri":5,"seg":[{"id":0,"col":[[1,2,3]]}]},"info":{"ver":"x"}}"#.to_vec();
        for i in 0..bytes.len() {
            let saved = bytes[i];
            bytes[i] = b'"';
            let _ = parse::<StateInfo>("wled", &bytes);
            bytes[i] = saved;
        }
    }
}
