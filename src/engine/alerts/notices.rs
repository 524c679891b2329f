//! Alert changes on their way to the rule's notification routes. The
//! round that produces a change queues its notices itself, in the same
//! sled transaction that stores the change (`store::commit`): each
//! opening, reopening and resolution is queued once, on disk (the notify
//! queue survives a restart or a `kill -9`, and a kill between the two
//! writes cannot happen), and only by the engine that runs the rules — a
//! console attached to a daemon never sends a second copy, and a lagging
//! event subscriber cannot drop one.
//!
//! Not sent: a change a silence covers, a change below the rule's
//! `min_severity`, and acknowledgements, silences and the counting of an
//! alert that stays open (one notice per transition, not one per poll).

use super::outcome::{AlertChange, Transition};
use crate::engine::Inner;
use crate::engine::notify::{self, Notice, Outbox};

/// The notice a change becomes, or `None` if nobody is to be told.
pub fn notice(c: &AlertChange) -> Option<Notice> {
    let a = &c.alert;
    let at = match c.transition {
        Transition::Opened | Transition::Reopened => a.opened,
        Transition::Resolved => a.resolved.unwrap_or(a.last_seen),
        Transition::Acknowledged | Transition::Silenced | Transition::Unsilenced => return None,
    };
    if c.silenced || c.routes.is_empty() || c.severity < c.min_severity {
        return None;
    }
    let verb = c.transition.as_str();
    let title = format!("{verb}: {} on {} (alert {})", a.rule, a.target, a.id);
    let mut body = if c.transition == Transition::Resolved { format!("resolved: {}", a.summary) } else { a.summary.clone() };
    for (k, v) in &a.evidence {
        body.push_str(&format!("\n{k}: {v}"));
    }
    if let Some(earlier) = a.reopens.filter(|_| c.transition == Transition::Reopened) {
        body.push_str(&format!("\nreopens alert {earlier}"));
    }
    Some(Notice { title, body, severity: c.severity, alert_id: Some(a.id.to_string()), transition: verb.to_string(), at })
}

/// Stage `c`'s notice on each of its rule's routes in `out`, which the
/// round writes in the same transaction as the change itself. A route that
/// is not configured (config.toml is checked for this at load, so only
/// options built by hand get here) is a warning, not a failed round: the
/// other routes still get the notice.
pub(crate) fn stage(inner: &Inner, ix: &notify::queue::Index, out: &mut Outbox, c: &AlertChange) {
    let Some(n) = notice(c) else { return };
    for route in &c.routes {
        match notify::stage(inner, ix, out, route, n.clone()) {
            Ok(Some(id)) => tracing::debug!(alert = c.alert.id, route, delivery = id, "alert notice staged"),
            Ok(None) => tracing::debug!(alert = c.alert.id, route, "alert notice below the route's minimum severity"),
            Err(e) => tracing::warn!(alert = c.alert.id, route, error = %e, "could not queue the alert's notice"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::alerts::model::{Alert, AlertState};
    use crate::engine::alerts::rules::AlertKind;
    use crate::engine::audit::Severity;
    use chrono::Utc;
    use std::collections::BTreeMap;

    fn change(transition: Transition, silenced: bool, min: Severity) -> AlertChange {
        let now = Utc::now();
        let resolved = transition == Transition::Resolved;
        let alert = Alert {
            id: 4,
            rule: "nas-down".into(),
            kind: AlertKind::ServerDown,
            target: "nas".into(),
            severity: Severity::High,
            state: if resolved { AlertState::Resolved } else { AlertState::Open },
            summary: "server nas is down".into(),
            evidence: BTreeMap::from([("state".to_string(), "down".to_string())]),
            first_seen: now,
            last_seen: now,
            opened: now,
            count: 1,
            resolved: resolved.then_some(now),
            ack: None,
            reopens: None,
        };
        AlertChange { transition, severity: Severity::High, routes: vec!["ops".into()], min_severity: min, silenced, alert }
    }

    #[test]
    fn transitions_become_notices_unless_silenced_or_below_the_minimum() {
        let n = notice(&change(Transition::Opened, false, Severity::Info)).unwrap();
        assert_eq!((n.transition.as_str(), n.alert_id.as_deref(), n.severity), ("opened", Some("4"), Severity::High));
        assert!(n.title.contains("nas-down") && n.body.contains("state: down"), "{n:?}");
        assert_eq!(notice(&change(Transition::Resolved, false, Severity::Info)).unwrap().transition, "resolved");
        assert!(notice(&change(Transition::Opened, true, Severity::Info)).is_none());
        assert!(notice(&change(Transition::Opened, false, Severity::Critical)).is_none());
        assert!(notice(&change(Transition::Acknowledged, false, Severity::Info)).is_none());
    }
}
