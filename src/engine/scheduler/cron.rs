//! The pure half of the scheduler: a cron expression read in an IANA time
//! zone → the next run, and the runs that fall in a window. No clock and no
//! store here, so the daylight-saving and missed-run rules are unit-tested
//! with fixed instants. Every kind of schedule (backups, lights, and what the
//! daemon adds) uses these, so DST behaves the same everywhere.

use crate::engine::error::{EngineError, EngineResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// Missed runs kept per schedule (the count goes on beyond this).
pub const MISSED_KEPT: usize = 50;
/// At most this many occurrences are looked at in one window, so a
/// every-minute schedule after a month away does not allocate 43,200.
pub const WINDOW_CAP: usize = 1000;

pub fn parse_cron(expr: &str) -> EngineResult<Cron> {
    let t = expr.trim();
    // Five fields (minute granularity), six with leading seconds, or an
    // alias such as @daily.
    let n = t.split_whitespace().count();
    if !(t.starts_with('@') || n == 5 || n == 6) {
        return Err(EngineError::invalid(
            "cron",
            expr,
            "five fields: minute hour day-of-month month day-of-week (e.g. \"30 18 * * *\"), six with seconds first, or @hourly/@daily/@weekly",
        ));
    }
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(t)
        .map_err(|e| EngineError::invalid("cron", expr, &format!("a valid cron expression ({e})")))
}

pub fn parse_tz(s: &str) -> EngineResult<Tz> {
    s.trim().parse::<Tz>().map_err(|_| {
        EngineError::invalid("tz", s, "an IANA time zone such as Europe/Berlin, America/New_York or UTC")
    })
}

/// The machine's time zone, or UTC when it cannot be told.
pub fn local_tz() -> String {
    let zone = std::env::var("TZ").ok().filter(|z| parse_tz(z).is_ok());
    zone.or_else(|| {
        std::fs::read_link("/etc/localtime").ok().and_then(|p| {
            let s = p.to_string_lossy().to_string();
            s.split("zoneinfo/").nth(1).map(str::to_string).filter(|z| parse_tz(z).is_ok())
        })
    })
    .unwrap_or_else(|| "UTC".into())
}

/// The first run strictly after `after`.
pub fn next_after(cron: &Cron, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&after.with_timezone(&tz), false).ok().map(|t| t.with_timezone(&Utc))
}

/// Runs in `(from, to]`, oldest first, at most [`WINDOW_CAP`].
pub fn runs_between(cron: &Cron, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut t = from;
    while out.len() < WINDOW_CAP {
        match next_after(cron, tz, t) {
            Some(n) if n <= to => {
                out.push(n);
                t = n;
            }
            _ => break,
        }
    }
    out
}

/// The next run of an expression given as text, or `None` when it is
/// disabled or does not parse (schedules are validated when they are added).
pub fn next_run(cron: &str, tz: &str, enabled: bool, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !enabled {
        return None;
    }
    next_after(&parse_cron(cron).ok()?, parse_tz(tz).ok()?, after)
}

/// Runs due in `(from, to]` that came after the schedule was made.
pub fn due(cron: &str, tz: &str, enabled: bool, created: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let (Ok(c), Ok(z)) = (parse_cron(cron), parse_tz(tz)) else { return Vec::new() };
    if !enabled {
        return Vec::new();
    }
    runs_between(&c, z, from.max(created), to)
}

/// Add `runs` to a schedule's missed list, keeping the newest [`MISSED_KEPT`].
pub fn note_missed(missed: &mut Vec<DateTime<Utc>>, total: &mut u64, runs: &[DateTime<Utc>]) {
    *total += runs.len() as u64;
    missed.extend_from_slice(runs);
    let extra = missed.len().saturating_sub(MISSED_KEPT);
    missed.drain(..extra);
}

/// A run time in the schedule's own zone, for people.
pub fn local(t: DateTime<Utc>, tz: &str) -> Option<String> {
    Some(t.with_timezone(&parse_tz(tz).ok()?).format("%a %Y-%m-%d %H:%M %Z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn cron_errors_are_clear() {
        assert!(parse_cron("*/5 * * * * *").is_ok());
        for bad in ["", "* * *", "61 * * * *", "* * * * * * *", "a b c d e", "*/0 * * * *"] {
            let e = parse_cron(bad).unwrap_err().to_string();
            assert!(e.contains("cron") && e.contains(&format!("{bad:?}")), "{e}");
        }
        assert!(parse_cron("@daily").is_ok() && parse_cron("30 18 * * mon-fri").is_ok());
        assert!(parse_tz("Mars/Olympus").unwrap_err().to_string().contains("IANA"));
    }

    #[test]
    fn spring_forward_gap_runs_once_after_the_gap() {
        // Europe/Berlin skips 02:00–03:00 on 2025-03-30.
        let tz = parse_tz("Europe/Berlin").unwrap();
        let c = parse_cron("30 2 * * *").unwrap();
        let next = next_after(&c, tz, utc("2025-03-29T12:00:00Z")).unwrap();
        assert_eq!(next, utc("2025-03-30T01:00:00Z")); // 03:00 CEST, first instant after the gap
        let after = next_after(&c, tz, next).unwrap();
        assert_eq!(after, utc("2025-03-31T00:30:00Z")); // 02:30 CEST next day
        // 18:30 local stays 18:30 local across the change.
        let c = parse_cron("30 18 * * *").unwrap();
        assert_eq!(next_after(&c, tz, utc("2025-03-29T18:00:00Z")).unwrap(), utc("2025-03-30T16:30:00Z"));
    }

    #[test]
    fn fall_back_overlap_runs_once() {
        // America/New_York repeats 01:00–02:00 on 2025-11-02.
        let tz = parse_tz("America/New_York").unwrap();
        let c = parse_cron("30 1 * * *").unwrap();
        let runs = runs_between(&c, tz, utc("2025-11-01T12:00:00Z"), utc("2025-11-03T12:00:00Z"));
        assert_eq!(runs, vec![utc("2025-11-02T05:30:00Z"), utc("2025-11-03T06:30:00Z")]);
        let local = runs[0].with_timezone(&tz);
        assert_eq!(local, tz.with_ymd_and_hms(2025, 11, 2, 1, 30, 0).earliest().unwrap());
    }

    #[test]
    fn missed_runs_in_a_window() {
        let created = utc("2025-01-01T00:00:00Z");
        let d = due("0 18 * * *", "UTC", true, created, utc("2025-01-10T19:00:00Z"), utc("2025-01-13T17:00:00Z"));
        assert_eq!(d.len(), 2); // the 11th and the 12th; the 13th is still ahead
        // Runs before the schedule existed are not missed, disabled ones never fall due.
        assert!(due("0 18 * * *", "UTC", true, created, utc("2024-12-01T00:00:00Z"), created).is_empty());
        assert!(due("0 18 * * *", "UTC", false, created, utc("2025-01-10T19:00:00Z"), utc("2025-01-13T17:00:00Z")).is_empty());
        let (mut missed, mut total) = (Vec::new(), 0);
        note_missed(&mut missed, &mut total, &vec![created; 70]);
        assert_eq!((missed.len(), total), (MISSED_KEPT, 70));
        assert_eq!(due("* * * * *", "UTC", true, created, created, utc("2025-03-01T00:00:00Z")).len(), WINDOW_CAP);
        assert_eq!(next_run("0 18 * * *", "UTC", true, created), Some(utc("2025-01-01T18:00:00Z")));
        assert_eq!(next_run("0 18 * * *", "UTC", false, created), None);
        assert_eq!(local(utc("2025-07-01T16:30:00Z"), "Europe/Berlin").as_deref(), Some("Tue 2025-07-01 18:30 CEST"));
    }
}
