//! What the notify domain answers ([`NotifyOutcome`]) and broadcasts
//! ([`NotifyEvent`]). The engine wraps them in `Outcome::Notify` /
//! `Event::Notify`. No secret is in any of them: a route's secret URL or
//! token appears only as the name of its vault secret.

use super::config::RouteKind;
use super::model::Delivery;
use crate::engine::audit::Severity;
use crate::engine::text::plural;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One route as `notify routes` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    pub name: String,
    pub kind: RouteKind,
    /// Where it goes, with any secret part redacted (`vault:slack/ops`).
    pub target: String,
    pub min_severity: Severity,
    pub batch_secs: u64,
    /// The vault secrets it reads (names only).
    pub secrets: Vec<String>,
    pub queued: usize,
    pub dead: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NotifyOutcome {
    /// Every configured route; `worker`: whether this engine delivers (a
    /// daemon or an open console) or only queues.
    NotifyRoutes { routes: Vec<RouteView>, worker: bool },
    /// A test notification reached the route's peer.
    NotifyTested { route: String, id: u64, millis: u64 },
    /// Notices queued: (route, delivery id) per route that takes them;
    /// `skipped`: routes whose minimum severity is above the notice's.
    NotifyQueued { queued: Vec<(String, u64)>, skipped: Vec<String>, worker: bool },
    /// The queue (oldest first) and the dead-letter list.
    NotifyQueue { queued: Vec<Delivery>, dead: Vec<Delivery>, worker: bool },
    /// A dead-lettered delivery is queued again with fresh attempts.
    NotifyRetried { id: u64, route: String },
}

impl NotifyOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::NotifyRoutes { routes, .. } => plural(routes.len(), "notification route", "notification routes"),
            Self::NotifyTested { route, id, millis } => format!("test notification #{id} delivered to route {route} in {millis} ms"),
            Self::NotifyQueued { queued, skipped, worker } => {
                let mut s = match queued.as_slice() {
                    [] => "nothing queued".to_string(),
                    q => format!("queued {}", q.iter().map(|(r, id)| format!("#{id} for {r}")).collect::<Vec<_>>().join(", ")),
                };
                if !skipped.is_empty() {
                    s.push_str(&format!("; below the minimum severity of {}", skipped.join(", ")));
                }
                if !worker && !queued.is_empty() {
                    s.push_str(" — delivered by the daemon or an open console");
                }
                s
            }
            Self::NotifyQueue { queued, dead, .. } => format!("{} queued, {} on the dead-letter list", queued.len(), dead.len()),
            Self::NotifyRetried { id, route } => format!("delivery #{id} to route {route} is queued again"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotifyEvent {
    /// The peer acknowledged delivery `id`.
    Delivered { id: u64, route: String },
    /// An attempt failed; it is tried again at `retry_at`.
    Failed { id: u64, route: String, error: String, retry_at: DateTime<Utc> },
    /// The last attempt failed; the delivery is on the dead-letter list.
    DeadLettered { id: u64, route: String, error: String },
}
