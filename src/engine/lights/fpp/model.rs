//! FPP's JSON, read leniently where FPP itself is loose: several numbers in
//! `/api/fppd/status` arrive as strings (`"seconds_remaining": "4"`), so
//! those fields accept both. Anything else of the wrong type is an error that
//! names the field.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// A number that FPP may send as `4` or `"4"`.
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(f64),
        Str(String),
    }
    match Option::<N>::deserialize(d)? {
        None => Ok(0),
        Some(N::Num(n)) if n >= 0.0 && n.is_finite() => Ok(n as u64),
        Some(N::Num(n)) => Err(de::Error::custom(format!("{n} is not a count of seconds or items"))),
        Some(N::Str(s)) if s.trim().is_empty() => Ok(0),
        Some(N::Str(s)) => s.trim().parse::<u64>().map_err(|_| de::Error::custom(format!("{s:?} is not a whole number"))),
    }
}

/// `GET /api/fppd/status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FppStatus {
    /// 0 idle, 1 playing, 2 stopping gracefully, 3 stopping after loop,
    /// 4 stopping now, 5 paused.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub status: u64,
    #[serde(default)]
    pub status_name: String,
    #[serde(default)]
    pub mode_name: String,
    #[serde(default)]
    pub current_playlist: CurrentPlaylist,
    #[serde(default)]
    pub current_sequence: String,
    #[serde(default)]
    pub current_song: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub seconds_elapsed: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub seconds_remaining: u64,
    #[serde(default)]
    pub next_playlist: NextPlaylist,
    #[serde(default)]
    pub version: String,
    #[serde(default, rename = "uptimeTotalSeconds", deserialize_with = "lenient_u64")]
    pub uptime_secs: u64,
    #[serde(default, rename = "uptimeStr")]
    pub uptime: String,
    #[serde(default)]
    pub sensors: Vec<Sensor>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub repeat_mode: u64,
    #[serde(default)]
    pub multisync: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CurrentPlaylist {
    #[serde(default)]
    pub playlist: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub index: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub count: u64,
    #[serde(default, rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NextPlaylist {
    #[serde(default)]
    pub playlist: String,
    #[serde(default)]
    pub start_time: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Sensor {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub formatted: String,
    #[serde(default, rename = "valueType")]
    pub value_type: String,
}

impl FppStatus {
    pub fn playing(&self) -> bool {
        matches!(self.status, 1..=3 | 5)
    }

    /// Fraction of the running item played, for a progress bar.
    pub fn progress(&self) -> Option<f64> {
        let total = self.seconds_elapsed + self.seconds_remaining;
        (self.playing() && total > 0).then(|| self.seconds_elapsed as f64 / total as f64)
    }

    pub fn state_name(&self) -> &str {
        if !self.status_name.is_empty() {
            return &self.status_name;
        }
        match self.status {
            0 => "idle",
            1 => "playing",
            2 => "stopping gracefully",
            3 => "stopping after loop",
            4 => "stopping",
            5 => "paused",
            _ => "unknown",
        }
    }
}

/// One row of `/api/schedule`, as FPP's UI writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    pub index: usize,
    pub enabled: bool,
    pub playlist: String,
    pub day: u64,
    pub day_name: String,
    pub start_date: String,
    pub end_date: String,
    pub start_time: String,
    pub end_time: String,
    pub repeat: bool,
    pub stop_type: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_or_numbers() {
        let s: FppStatus = serde_json::from_str(r#"{"status":"1","seconds_elapsed":"3","seconds_remaining":1,"current_playlist":{"index":"2","count":"9"}}"#).unwrap();
        assert_eq!((s.status, s.seconds_elapsed, s.current_playlist.count), (1, 3, 9));
        assert_eq!(s.progress(), Some(0.75));
        let e = crate::engine::lights::wled::model::parse::<FppStatus>("fpp status", br#"{"seconds_remaining":"soon"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("seconds_remaining") && e.contains("soon"), "{e}");
        let s: FppStatus = serde_json::from_str(r#"{"status":0}"#).unwrap();
        assert_eq!((s.state_name(), s.progress()), ("idle", None));
    }
}
