//! What the alerts domain stores: alerts with their lifecycle, and
//! silences. All serde, so they cross `--json` and the event socket as is.

use super::rules::AlertKind;
use crate::engine::audit::Severity;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Open until its condition clears; then resolved for good (a return of
/// the condition is a new alert that names this one in `reopens`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Resolved,
}

/// Who acknowledged an alert, when, and what they said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// One alert: one rule on one target, from the moment its condition had
/// held for the rule's duration until it cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub rule: String,
    pub kind: AlertKind,
    /// The resource it is about (a server, a device, a schedule …).
    pub target: String,
    pub severity: Severity,
    pub state: AlertState,
    /// One line for people: "server web1 is down: unreachable: …".
    pub summary: String,
    /// The values that tripped it, as of the last evaluation that saw it.
    pub evidence: BTreeMap<String, String>,
    /// When the condition was first seen true (before the rule's duration).
    pub first_seen: DateTime<Utc>,
    /// The last evaluation that saw it true.
    pub last_seen: DateTime<Utc>,
    /// When it opened (the condition had held for the rule's duration).
    pub opened: DateTime<Utc>,
    /// Evaluations that saw it true while open: one alert, not one per poll.
    pub count: u64,
    pub resolved: Option<DateTime<Utc>>,
    pub ack: Option<Ack>,
    /// The earlier alert of the same rule and target this one follows.
    pub reopens: Option<u64>,
}

impl Record for Alert {
    const WHAT: &'static str = "alert";
}

impl Alert {
    pub fn is_open(&self) -> bool {
        self.state == AlertState::Open
    }

    /// Open and nobody has acknowledged it: what the status bar counts.
    pub fn needs_attention(&self) -> bool {
        self.is_open() && self.ack.is_none()
    }

    /// open, acknowledged or resolved, as the filters name them.
    pub fn status(&self) -> &'static str {
        match (self.state, &self.ack) {
            (AlertState::Resolved, _) => "resolved",
            (AlertState::Open, Some(_)) => "acknowledged",
            (AlertState::Open, None) => "open",
        }
    }
}

/// Which alerts a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertFilter {
    /// Open and not acknowledged.
    Open,
    /// Open and acknowledged.
    Acknowledged,
    Resolved,
    /// Open, acknowledged or not.
    Active,
    All,
}

impl AlertFilter {
    pub const ALL: [AlertFilter; 5] = [AlertFilter::Open, AlertFilter::Acknowledged, AlertFilter::Resolved, AlertFilter::Active, AlertFilter::All];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertFilter::Open => "open",
            AlertFilter::Acknowledged => "acknowledged",
            AlertFilter::Resolved => "resolved",
            AlertFilter::Active => "active",
            AlertFilter::All => "all",
        }
    }

    pub fn keeps(self, a: &Alert) -> bool {
        match self {
            AlertFilter::Open => a.needs_attention(),
            AlertFilter::Acknowledged => a.is_open() && a.ack.is_some(),
            AlertFilter::Resolved => !a.is_open(),
            AlertFilter::Active => a.is_open(),
            AlertFilter::All => true,
        }
    }
}

impl FromStr for AlertFilter {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<AlertFilter> {
        let s = if s == "acked" { "acknowledged" } else { s };
        AlertFilter::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| EngineError::invalid("filter", s, "open, acknowledged, resolved, active or all"))
    }
}

/// A rule, a target, or a rule on a target kept quiet until `until`:
/// alerts still open and resolve (the record stays true), but their changes
/// carry `silenced: true`, so nobody is notified and the status bar does
/// not count them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub id: u64,
    pub rule: Option<String>,
    pub target: Option<String>,
    pub until: DateTime<Utc>,
    pub by: String,
    pub created: DateTime<Utc>,
    pub note: String,
}

impl Record for Silence {
    const WHAT: &'static str = "silence";
}

impl Silence {
    pub fn covers(&self, rule: &str, target: &str, now: DateTime<Utc>) -> bool {
        self.until > now && self.rule.as_deref().is_none_or(|r| r == rule) && self.target.as_deref().is_none_or(|t| t == target)
    }

    /// "rule server-down on web1", "rule server-down", "target web1".
    pub fn what(&self) -> String {
        match (&self.rule, &self.target) {
            (Some(r), Some(t)) => format!("rule {r} on {t}"),
            (Some(r), None) => format!("rule {r}"),
            (None, Some(t)) => format!("target {t}"),
            (None, None) => "everything".into(),
        }
    }
}
