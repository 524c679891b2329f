//! What the alerts domain answers ([`AlertsOutcome`]) and broadcasts
//! ([`AlertsEvent`]). The engine wraps them in `Outcome::Alerts` /
//! `Event::Alerts`. `AlertsEvent::Changed` is the one stream the
//! notification routes read: every opening, resolution, acknowledgement,
//! silence and reopening, with the rule's routes and minimum severity.

use super::model::{Alert, AlertFilter, Silence};
use super::rules::Rule;
use crate::engine::audit::Severity;
use crate::engine::text::plural;
use serde::{Deserialize, Serialize};

/// An alert as a list shows it: with whether a silence covers it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    #[serde(flatten)]
    pub alert: Alert,
    pub silenced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AlertsOutcome {
    /// Alerts, newest first. `attention`: open, unacknowledged, unsilenced
    /// alerts in the whole store (what the status bar shows).
    AlertList { filter: AlertFilter, alerts: Vec<AlertRow>, attention: usize },
    /// One alert with the earlier alerts of the same rule and target.
    AlertShown { alert: AlertRow, earlier: Vec<Alert> },
    AlertAcked { alert: Alert },
    /// A silence was made; `covers`: the open alerts it quiets now.
    AlertSilenced { silence: Silence, covers: Vec<u64> },
    AlertUnsilenced { silence: Silence },
    /// The rules in force, the silences still running, and whether this
    /// engine evaluates them (a daemon or a console does; a one-shot CLI
    /// engine does not).
    AlertRules { rules: Vec<Rule>, silences: Vec<Silence>, evaluating: bool },
}

impl AlertsOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::AlertList { filter, alerts, attention } => {
                format!("{} ({}), {attention} needing attention", plural(alerts.len(), "alert", "alerts"), filter.as_str())
            }
            Self::AlertShown { alert, .. } => format!("alert {}: {} [{}]", alert.alert.id, alert.alert.summary, alert.alert.status()),
            Self::AlertAcked { alert } => format!("alert {} acknowledged: {}", alert.id, alert.summary),
            Self::AlertSilenced { silence, covers } => {
                format!("silenced {} until {} (silence {}; {} open now)", silence.what(), silence.until.format("%Y-%m-%d %H:%M UTC"), silence.id, covers.len())
            }
            Self::AlertUnsilenced { silence } => format!("silence {} ({}) ended", silence.id, silence.what()),
            Self::AlertRules { rules, silences, .. } => {
                format!("{}, {}", plural(rules.len(), "rule", "rules"), plural(silences.len(), "silence", "silences"))
            }
        }
    }
}

/// What happened to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Its condition had held for the rule's duration.
    Opened,
    /// It opened again after an earlier alert of the same rule and target
    /// resolved (a new alert; `alert.reopens` names the earlier one).
    Reopened,
    /// Its condition cleared.
    Resolved,
    Acknowledged,
    /// A silence now covers it.
    Silenced,
    /// The silence covering it ended: early (`alert unsilence`) or at its
    /// time (the next round notices).
    Unsilenced,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Opened => "opened",
            Transition::Reopened => "reopened",
            Transition::Resolved => "resolved",
            Transition::Acknowledged => "acknowledged",
            Transition::Silenced => "silenced",
            Transition::Unsilenced => "unsilenced",
        }
    }
}

/// One change of one alert, for every subscriber (the notification
/// routes, the console's Alerts view and status bar, `events --follow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertChange {
    pub transition: Transition,
    /// The alert after the change.
    pub alert: Alert,
    pub severity: Severity,
    /// The rule's notification routes; empty when it names none.
    pub routes: Vec<String>,
    /// The rule's minimum severity for notifications.
    pub min_severity: Severity,
    /// A silence covers the alert: record it, notify nobody.
    pub silenced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AlertsEvent {
    /// An alert opened, resolved, was acknowledged, silenced or reopened.
    #[serde(rename = "alert_changed")]
    Changed(Box<AlertChange>),
    /// A silence was made, ended early or ran out.
    AlertSilencesChanged,
}
