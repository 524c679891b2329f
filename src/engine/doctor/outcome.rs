//! What the doctor answers ([`DoctorOutcome`]) and broadcasts
//! ([`DoctorEvent`]). The engine wraps them in `Outcome::Doctor` /
//! `Event::Doctor`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which part of homedeck's state a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Store,
    Catalog,
    Permissions,
    Lock,
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Area::Store => "store",
            Area::Catalog => "catalog",
            Area::Permissions => "permissions",
            Area::Lock => "lock",
        })
    }
}

/// `Problem`: something is wrong or unsafe. `Note`: worth knowing, nothing
/// to fix (e.g. a remote repository that was not looked at).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Problem,
    Note,
}

/// One thing the doctor found: what, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub area: Area,
    pub level: Level,
    /// A stable name for scripts and tests, e.g. `audit_index_missing`.
    pub kind: String,
    /// What is wrong, naming the record, file or path.
    pub what: String,
    /// What to do about it (a command to run, a file to look at).
    pub fix: String,
    /// Set when `--repair` fixed it: what was done.
    pub repaired: Option<String>,
}

impl Finding {
    pub fn problem(area: Area, kind: &str, what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { area, level: Level::Problem, kind: kind.into(), what: what.into(), fix: fix.into(), repaired: None }
    }

    pub fn note(area: Area, kind: &str, what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { area, level: Level::Note, kind: kind.into(), what: what.into(), fix: fix.into(), repaired: None }
    }

    /// A problem that is still there (not a note, not repaired).
    pub fn open(&self) -> bool {
        self.level == Level::Problem && self.repaired.is_none()
    }
}

/// What was looked at, so a clean report still says how much it covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub schema_version: u32,
    pub audit_entries: u64,
    pub secrets: u64,
    pub backups: u64,
    pub archives_hashed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DoctorOutcome {
    /// `doctor_check` / `doctor_repair`: every finding (repaired ones say
    /// what was done) and what was covered.
    DoctorReport { findings: Vec<Finding>, checked: Checked, repair: bool, read_data: bool },
}

impl DoctorOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::DoctorReport { findings, .. } => {
                let open = findings.iter().filter(|f| f.open()).count();
                let repaired = findings.iter().filter(|f| f.repaired.is_some()).count();
                match (open, repaired) {
                    (0, 0) => "doctor: no problems found".to_string(),
                    (0, r) => format!("doctor: repaired {r} problem(s); none left"),
                    (o, 0) => format!("doctor: {o} problem(s) found"),
                    (o, r) => format!("doctor: repaired {r} problem(s); {o} left to fix by hand"),
                }
            }
        }
    }

    /// Problems still there after this run.
    pub fn open_problems(&self) -> usize {
        match self {
            Self::DoctorReport { findings, .. } => findings.iter().filter(|f| f.open()).count(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DoctorEvent {
    /// `doctor_repair` changed something (other front ends may reload).
    DoctorRepaired { count: usize },
}
