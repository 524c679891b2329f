//! Times as people type them in filters: `2026-11-01`, an RFC 3339 time, or
//! an age such as `30m`, `24h`, `7d`, `2w` (meaning "that long ago").

use crate::engine::error::{EngineError, EngineResult};
use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};

const EXPECTED: &str = "a date (2026-11-22), an RFC 3339 time (2026-11-22T10:00:00Z) or an age like 30m, 24h, 7d, 2w";

pub fn parse(field: &str, text: &str, now: DateTime<Utc>) -> EngineResult<DateTime<Utc>> {
    let t = text.trim();
    if t == "now" {
        return Ok(now);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let midnight = d.and_hms_opt(0, 0, 0).and_then(|n| Local.from_local_datetime(&n).earliest());
        if let Some(m) = midnight {
            return Ok(m.with_timezone(&Utc));
        }
    }
    if let Some(age) = parse_age(t) {
        return Ok(now - age);
    }
    Err(EngineError::invalid(field, text, EXPECTED))
}

fn parse_age(t: &str) -> Option<Duration> {
    let unit = t.chars().last()?;
    let n: i64 = t.get(..t.len() - unit.len_utf8())?.parse().ok()?;
    if n < 0 {
        return None;
    }
    match unit {
        's' => Duration::try_seconds(n),
        'm' => Duration::try_minutes(n),
        'h' => Duration::try_hours(n),
        'd' => Duration::try_days(n),
        'w' => Duration::try_weeks(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms() {
        let now = Utc::now();
        assert_eq!(parse("since", "7d", now).unwrap(), now - Duration::days(7));
        assert_eq!(parse("since", "30m", now).unwrap(), now - Duration::minutes(30));
        assert_eq!(
            parse("since", "2026-01-02T03:04:05Z", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
        );
        assert!(parse("since", "2026-01-02", now).is_ok());
    }

    #[test]
    fn junk_names_field_and_value() {
        let e = parse("until", "yesterdayish", Utc::now()).unwrap_err().to_string();
        assert!(e.contains("until") && e.contains("\"yesterdayish\"") && e.contains("7d"), "{e}");
        assert!(parse("since", "-3d", Utc::now()).is_err());
        assert!(parse("since", "99999999999999w", Utc::now()).is_err());
    }
}
