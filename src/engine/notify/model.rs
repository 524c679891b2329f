//! What is sent ([`Notice`]) and what is kept while it is being sent
//! ([`Delivery`]). A delivery is one message to one route: one notice, or
//! several collected in a route's batching window. It is written to sled
//! before its first attempt and removed only after the peer acknowledged
//! it, so it survives a restart or a `kill -9` in between.

use super::config::RouteKind;
use crate::engine::audit::Severity;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One thing to tell someone: an alert that opened or resolved, a test, a
/// message sent by hand. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub severity: Severity,
    /// The alert this is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_id: Option<String>,
    /// What happened to it: `opened`, `resolved`, `acknowledged` … or
    /// `test` / `manual` for notices not about an alert.
    pub transition: String,
    /// When it happened (not when it is sent).
    pub at: DateTime<Utc>,
}

impl Notice {
    /// A notice not about an alert (`transition` says where it came from).
    pub fn new(title: impl Into<String>, body: impl Into<String>, severity: Severity, transition: &str) -> Notice {
        Notice { title: title.into(), body: body.into(), severity, alert_id: None, transition: transition.into(), at: Utc::now() }
    }
}

/// One message on its way to one route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Small and contiguous (#1, #2 …) so `notify retry ID` is easy to type;
    /// also sent to the peer (webhook `id`, header `X-Homedeck-Delivery`,
    /// email Message-ID) so a receiver can drop a repeat.
    pub id: u64,
    pub route: String,
    pub kind: RouteKind,
    pub notices: Vec<Notice>,
    pub created: DateTime<Utc>,
    /// Not attempted before this (a batching window, or a retry's back-off).
    pub next_at: DateTime<Utc>,
    /// A batching route adds notices to this delivery until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_until: Option<DateTime<Utc>>,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<DateTime<Utc>>,
    /// Set when it was moved to the dead-letter list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_at: Option<DateTime<Utc>>,
}

impl Record for Delivery {
    const WHAT: &'static str = "notification delivery";
}

impl Delivery {
    /// The most severe of its notices.
    pub fn severity(&self) -> Severity {
        self.notices.iter().map(|n| n.severity).max().unwrap_or(Severity::Info)
    }

    /// The subject line: the notice's title, or a count for a batch.
    pub fn title(&self) -> String {
        match self.notices.as_slice() {
            [one] => one.title.clone(),
            many => format!("{} homedeck notifications", many.len()),
        }
    }

    /// The text of every notice, one paragraph each.
    pub fn text(&self) -> String {
        match self.notices.as_slice() {
            [one] => one.body.clone(),
            many => many.iter().map(|n| format!("[{}] {}\n{}", n.severity.as_str(), n.title, n.body)).collect::<Vec<_>>().join("\n\n"),
        }
    }
}
