//! FPP's schedule (`/api/schedule`): reading entries, and building and
//! checking new ones before the whole list is posted back. Unknown members
//! of existing entries are kept as they are, so editing one entry never
//! loses fields a newer FPP added.

use super::model::ScheduleEntry;
use crate::engine::error::{EngineError, EngineResult};
use serde_json::{Map, Value, json};

/// FPP's day codes (its UI's order).
pub const DAYS: &[(u64, &str)] = &[
    (0, "sunday"),
    (1, "monday"),
    (2, "tuesday"),
    (3, "wednesday"),
    (4, "thursday"),
    (5, "friday"),
    (6, "saturday"),
    (7, "everyday"),
    (8, "weekdays"),
    (9, "weekends"),
    (10, "mon-wed-fri"),
    (11, "tue-thu"),
    (12, "sun-thu"),
    (13, "fri-sat"),
    (14, "odd-days"),
    (15, "even-days"),
];

const TIME_WORDS: &[&str] = &["SunRise", "SunSet", "Dawn", "Dusk"];
const STOP_TYPES: &[&str] = &["graceful", "hard", "graceful_after_loop"];

pub fn day_name(day: u64) -> String {
    DAYS.iter().find(|(d, _)| *d == day).map(|(_, n)| n.to_string()).unwrap_or_else(|| format!("day mask {day:#x}"))
}

pub fn parse_day(s: &str) -> EngineResult<u64> {
    let t = s.trim().to_ascii_lowercase();
    if let Ok(n) = t.parse::<u64>()
        && n <= 15
    {
        return Ok(n);
    }
    DAYS.iter().find(|(d, n)| *n == t || (*d <= 6 && t.len() >= 3 && n.starts_with(&t))).map(|(d, _)| *d).ok_or_else(|| {
        let names: Vec<&str> = DAYS.iter().map(|(_, n)| *n).collect();
        EngineError::invalid("day", s, &format!("0–15 or one of: {}", names.join(", ")))
    })
}

/// `HH:MM[:SS]` (24 h) or SunRise / SunSet / Dawn / Dusk.
pub fn parse_time(field: &str, s: &str) -> EngineResult<String> {
    let t = s.trim();
    if let Some(w) = TIME_WORDS.iter().find(|w| w.eq_ignore_ascii_case(t)) {
        return Ok(w.to_string());
    }
    let parts: Vec<&str> = t.split(':').collect();
    let n = |i: usize, max: u32| parts.get(i).and_then(|p| (p.len() == 2).then_some(*p)?.parse::<u32>().ok()).filter(|v| *v <= max);
    match (parts.len(), n(0, 24), n(1, 59), n(2, 59)) {
        (2, Some(h), Some(m), _) if h < 24 || m == 0 => Ok(format!("{h:02}:{m:02}:00")),
        (3, Some(h), Some(m), Some(sec)) if h < 24 || (m == 0 && sec == 0) => Ok(format!("{h:02}:{m:02}:{sec:02}")),
        _ => Err(EngineError::invalid(field, s, "HH:MM or HH:MM:SS (24-hour), or SunRise, SunSet, Dawn, Dusk")),
    }
}

/// `YYYY-MM-DD` (FPP also allows holiday names; those are kept when read
/// but not offered here).
pub fn parse_date(field: &str, s: &str) -> EngineResult<String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| EngineError::invalid(field, s, "a date YYYY-MM-DD"))
}

pub fn parse_stop(s: &str) -> EngineResult<u64> {
    let t = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    STOP_TYPES
        .iter()
        .position(|x| *x == t)
        .map(|i| i as u64)
        .ok_or_else(|| EngineError::invalid("stop", s, "graceful, hard or graceful_after_loop"))
}

/// The raw list FPP returned; an entry that is not an object is an error.
pub fn raw_entries(v: &Value) -> EngineResult<Vec<Map<String, Value>>> {
    let Some(arr) = v.as_array() else {
        return Err(EngineError::invalid("fpp schedule", short(v), "a JSON array of schedule entries"));
    };
    arr.iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_object().cloned().ok_or_else(|| EngineError::invalid(&format!("schedule[{i}]"), short(e), "an object"))
        })
        .collect()
}

pub fn view(raw: &[Map<String, Value>]) -> EngineResult<Vec<ScheduleEntry>> {
    raw.iter().enumerate().map(|(i, e)| view_one(i, e)).collect()
}

fn view_one(i: usize, e: &Map<String, Value>) -> EngineResult<ScheduleEntry> {
    let field = |f: &str| format!("schedule[{i}].{f}");
    let text = |f: &str| -> EngineResult<String> {
        match e.get(f) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(EngineError::invalid(&field(f), short(other), "a string")),
        }
    };
    let num = |f: &str| -> EngineResult<u64> {
        match e.get(f) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Bool(b)) => Ok(u64::from(*b)),
            Some(Value::String(s)) => s.parse().map_err(|_| EngineError::invalid(&field(f), s.clone(), "a whole number")),
            Some(v) => v.as_u64().ok_or_else(|| EngineError::invalid(&field(f), short(v), "a whole number")),
        }
    };
    let day = num("day")?;
    let stop = num("stopType")?;
    Ok(ScheduleEntry {
        index: i,
        enabled: num("enabled")? != 0,
        playlist: text("playlist")?,
        day,
        day_name: day_name(day),
        start_date: text("startDate")?,
        end_date: text("endDate")?,
        start_time: text("startTime")?,
        end_time: text("endTime")?,
        repeat: num("repeat")? != 0,
        stop_type: STOP_TYPES.get(stop as usize).copied().unwrap_or("graceful").to_string(),
    })
}

/// A new entry, checked. `playlists` are the host's own playlist names.
#[allow(clippy::too_many_arguments)]
pub fn new_entry(
    playlists: &[String],
    playlist: &str,
    day: &str,
    start_time: &str,
    end_time: &str,
    start_date: Option<&str>,
    end_date: Option<&str>,
    repeat: bool,
    stop: Option<&str>,
    enabled: bool,
) -> EngineResult<Map<String, Value>> {
    if !playlists.iter().any(|p| p == playlist) {
        let known = if playlists.is_empty() { "(it has none)".to_string() } else { playlists.join(", ") };
        return Err(EngineError::invalid("playlist", playlist, &format!("a playlist on this FPP host: {known}")));
    }
    let start_date = parse_date("start_date", start_date.unwrap_or("2020-01-01"))?;
    let end_date = parse_date("end_date", end_date.unwrap_or("2099-12-31"))?;
    if end_date < start_date {
        return Err(EngineError::invalid("end_date", end_date, &format!("on or after start_date {start_date}")));
    }
    let entry = json!({
        "enabled": u8::from(enabled),
        "playlist": playlist,
        "day": parse_day(day)?,
        "startDate": start_date,
        "endDate": end_date,
        "startTime": parse_time("start_time", start_time)?,
        "endTime": parse_time("end_time", end_time)?,
        "repeat": u8::from(repeat),
        "stopType": stop.map(parse_stop).transpose()?.unwrap_or(0),
    });
    Ok(entry.as_object().cloned().unwrap_or_default())
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_validate() {
        assert_eq!(parse_day("Weekends").unwrap(), 9);
        assert_eq!(parse_day("sat").unwrap(), 6);
        assert_eq!(parse_day("sun").unwrap(), 0);
        assert_eq!(parse_day("7").unwrap(), 7);
        assert!(parse_day("someday").unwrap_err().to_string().contains("everyday"));
        assert_eq!(parse_time("t", "17:00").unwrap(), "17:00:00");
        assert_eq!(parse_time("t", "24:00").unwrap(), "24:00:00");
        assert_eq!(parse_time("t", "sunset").unwrap(), "SunSet");
        for bad in ["25:00", "7pm", "17:60", "1:00", ""] {
            assert!(parse_time("start_time", bad).unwrap_err().to_string().contains("start_time"), "{bad}");
        }
        assert!(parse_date("start_date", "2024-02-30").is_err());
        assert_eq!(parse_stop("graceful after loop").unwrap(), 2);
    }

    #[test]
    fn entries_round_trip_and_keep_unknown_fields() {
        let raw = raw_entries(&json!([{"day":7,"enabled":0,"endDate":"2099-12-31","endTime":"23:00:00","playlist":"Main Show",
            "repeat":1,"startDate":"2014-01-01","startTime":"17:00:00","stopType":0,"newField":"kept"}])).unwrap();
        let v = view(&raw).unwrap();
        assert_eq!(v[0].day_name, "everyday");
        assert!(!v[0].enabled && v[0].repeat);
        assert_eq!(raw[0]["newField"], "kept");
        let e = view(&raw_entries(&json!([{"playlist": 3}])).unwrap()).unwrap_err().to_string();
        assert!(e.contains("schedule[0].playlist"), "{e}");
        assert!(raw_entries(&json!({})).is_err());
    }

    #[test]
    fn new_entries_are_checked() {
        let pls = vec!["Main Show".to_string()];
        let e = new_entry(&pls, "Main Show", "everyday", "17:00", "23:00", None, None, true, None, true).unwrap();
        assert_eq!(e["startTime"], "17:00:00");
        let err = new_entry(&pls, "Nope", "everyday", "17:00", "23:00", None, None, true, None, true).unwrap_err();
        assert!(err.to_string().contains("Main Show"));
        let err =
            new_entry(&pls, "Main Show", "x", "17:00", "23:00", None, None, true, None, true).unwrap_err().to_string();
        assert!(err.contains("day"));
        let err = new_entry(&pls, "Main Show", "7", "17:00", "23:00", Some("2025-01-02"), Some("2025-01-01"), true, None, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("end_date"));
    }
}
