//! Light schedules: a cron expression in a time zone that applies a preset,
//! starts a playlist, or turns a device or group on or off.
//!
//! The pure part lives here (parsing, next run, which runs fall in a window,
//! so DST and missed-run rules are unit-tested without a clock); `runner.rs`
//! is the engine task that sleeps until the next run.

pub(crate) mod runner;

use crate::engine::Command;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::lights::wled::control::Power;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde::{Deserialize, Serialize};

/// Missed runs kept per schedule (the count goes on beyond this).
pub const MISSED_KEPT: usize = 50;
/// At most this many occurrences are looked at in one window, so a
/// every-minute schedule after a month away does not allocate 43,200.
pub const WINDOW_CAP: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ScheduleAction {
    Preset(String),
    Playlist(String),
    On,
    Off,
}

impl std::str::FromStr for ScheduleAction {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<Self> {
        let t = s.trim();
        let bad = || EngineError::invalid("action", s, "on, off, preset:ID_OR_NAME or playlist:ID_OR_NAME");
        match t.split_once(':') {
            Some(("preset", v)) if !v.trim().is_empty() => Ok(ScheduleAction::Preset(v.trim().to_string())),
            Some(("playlist", v)) if !v.trim().is_empty() => Ok(ScheduleAction::Playlist(v.trim().to_string())),
            None if t.eq_ignore_ascii_case("on") => Ok(ScheduleAction::On),
            None if t.eq_ignore_ascii_case("off") => Ok(ScheduleAction::Off),
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for ScheduleAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleAction::Preset(p) => write!(f, "preset:{p}"),
            ScheduleAction::Playlist(p) => write!(f, "playlist:{p}"),
            ScheduleAction::On => f.write_str("on"),
            ScheduleAction::Off => f.write_str("off"),
        }
    }
}

impl ScheduleAction {
    /// The engine verb a run executes (audited like any other command).
    pub fn command(&self, target: &str) -> Command {
        let target = target.to_string();
        match self {
            ScheduleAction::Preset(p) => Command::WledPresetApply { target, preset: p.clone() },
            ScheduleAction::Playlist(p) => Command::WledPlaylistStart { target, playlist: p.clone() },
            ScheduleAction::On | ScheduleAction::Off => Command::WledSet {
                target,
                power: Some(if *self == ScheduleAction::On { Power::On } else { Power::Off }),
                bri: None,
                color: None,
                effect: None,
                palette: None,
                speed: None,
                intensity: None,
                segment: None,
                transition: None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub name: String,
    pub cron: String,
    /// IANA time zone the expression is read in.
    pub tz: String,
    /// A WLED device or group.
    pub target: String,
    pub action: ScheduleAction,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub last_run: Option<DateTime<Utc>>,
    pub last_result: Option<String>,
    /// Runs that fell while homedeck was not running (newest last).
    #[serde(default)]
    pub missed: Vec<DateTime<Utc>>,
    #[serde(default)]
    pub missed_total: u64,
}

impl Record for Schedule {
    const WHAT: &'static str = "light schedule";
}

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

impl Schedule {
    pub fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.enabled {
            return None;
        }
        next_after(&parse_cron(&self.cron).ok()?, parse_tz(&self.tz).ok()?, after)
    }

    /// Runs due in `(from, to]` that came after the schedule was made.
    pub fn due(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let (Ok(cron), Ok(tz)) = (parse_cron(&self.cron), parse_tz(&self.tz)) else { return Vec::new() };
        if !self.enabled {
            return Vec::new();
        }
        runs_between(&cron, tz, from.max(self.created), to)
    }

    pub fn note_missed(&mut self, runs: &[DateTime<Utc>]) {
        self.missed_total += runs.len() as u64;
        self.missed.extend_from_slice(runs);
        let extra = self.missed.len().saturating_sub(MISSED_KEPT);
        self.missed.drain(..extra);
    }
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
        assert!("preset:".parse::<ScheduleAction>().is_err());
        assert_eq!("playlist:Xmas".parse::<ScheduleAction>().unwrap(), ScheduleAction::Playlist("Xmas".into()));
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
        let s = Schedule {
            name: "evening".into(),
            cron: "0 18 * * *".into(),
            tz: "UTC".into(),
            target: "porch".into(),
            action: ScheduleAction::On,
            enabled: true,
            created: utc("2025-01-01T00:00:00Z"),
            last_run: None,
            last_result: None,
            missed: vec![],
            missed_total: 0,
        };
        let due = s.due(utc("2025-01-10T19:00:00Z"), utc("2025-01-13T17:00:00Z"));
        assert_eq!(due.len(), 2); // the 11th and the 12th; the 13th is still ahead
        // Runs before the schedule existed are not missed.
        assert!(s.due(utc("2024-12-01T00:00:00Z"), utc("2025-01-01T00:00:00Z")).is_empty());
        let mut s2 = s.clone();
        s2.note_missed(&vec![utc("2025-01-01T00:00:00Z"); 70]);
        assert_eq!((s2.missed.len(), s2.missed_total), (MISSED_KEPT, 70));
        let every_minute = Schedule { cron: "* * * * *".into(), ..s };
        assert_eq!(every_minute.due(utc("2025-01-01T00:00:00Z"), utc("2025-03-01T00:00:00Z")).len(), WINDOW_CAP);
    }
}
