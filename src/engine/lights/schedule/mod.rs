//! Light schedules: a cron expression in a time zone that applies a preset,
//! starts a playlist, or turns a device or group on or off.
//!
//! The schedules themselves live here; when they run is the engine's one
//! scheduler's business (`engine::scheduler`: cron, time zones, DST, missed
//! runs). `client.rs` hands these schedules to it as jobs and keeps each
//! schedule's last run and missed runs up to date.

pub(crate) mod client;

use crate::engine::Command;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::lights::wled::control::Power;
use crate::engine::scheduler::cron;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

impl Schedule {
    pub fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        cron::next_run(&self.cron, &self.tz, self.enabled, after)
    }

    /// Runs due in `(from, to]` that came after the schedule was made.
    pub fn due(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        cron::due(&self.cron, &self.tz, self.enabled, self.created, from, to)
    }

    pub fn note_missed(&mut self, runs: &[DateTime<Utc>]) {
        cron::note_missed(&mut self.missed, &mut self.missed_total, runs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_name_the_bad_value() {
        assert!("preset:".parse::<ScheduleAction>().is_err());
        assert!("dim".parse::<ScheduleAction>().unwrap_err().to_string().contains("dim"));
        assert_eq!("playlist:Xmas".parse::<ScheduleAction>().unwrap(), ScheduleAction::Playlist("Xmas".into()));
        assert_eq!("ON".parse::<ScheduleAction>().unwrap().to_string(), "on");
    }
}
