//! The body each kind of route receives, built from the delivery alone —
//! no secret is ever an input here, so none can end up in a payload. The
//! secret parts of a request (a Slack URL, a token header) are added by
//! `send.rs` at the last moment.
//!
//! The webhook body is homedeck's own schema, `homedeck.notification/1`,
//! documented in docs/user-guide.md (Notifications).

use super::config::{RouteConfig, RouteKind};
use super::model::Delivery;
use crate::engine::audit::Severity;
use serde_json::{Value, json};

pub const SCHEMA: &str = "homedeck.notification/1";

/// Discord refuses `content` over 2000 characters.
const DISCORD_MAX: usize = 2000;

/// The JSON body for an HTTP route (`None` for email).
pub fn body(route: &RouteConfig, d: &Delivery) -> Option<Value> {
    let (title, text) = (d.title(), d.text());
    Some(match route.kind {
        RouteKind::Webhook => webhook(d),
        RouteKind::Ntfy => json!({
            "topic": route.topic.clone().unwrap_or_default(),
            "title": title,
            "message": text,
            "priority": ntfy_priority(d.severity()),
            "tags": [d.severity().as_str()],
        }),
        RouteKind::Gotify => json!({ "title": title, "message": text, "priority": gotify_priority(d.severity()) }),
        RouteKind::Slack => json!({ "text": format!("*{title}*\n{text}") }),
        RouteKind::Discord => json!({ "content": cut(&format!("**{title}**\n{text}"), DISCORD_MAX) }),
        RouteKind::Ha => json!({ "title": title, "message": text }),
        RouteKind::Email => return None,
    })
}

/// `homedeck.notification/1`.
pub fn webhook(d: &Delivery) -> Value {
    json!({
        "schema": SCHEMA,
        "id": d.id,
        "route": d.route,
        "created": d.created,
        "attempt": d.attempts + 1,
        "severity": d.severity(),
        "title": d.title(),
        "text": d.text(),
        "notices": d.notices,
    })
}

/// ntfy: 1 (min) … 5 (urgent).
fn ntfy_priority(s: Severity) -> u8 {
    match s {
        Severity::Info | Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

/// Gotify: 0 … 10; the Android app makes a sound from 4 and pops up from 8.
fn gotify_priority(s: Severity) -> u8 {
    match s {
        Severity::Info => 2,
        Severity::Low => 3,
        Severity::Medium => 5,
        Severity::High => 8,
        Severity::Critical => 10,
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::notify::model::Notice;
    use chrono::Utc;

    fn delivery(notices: Vec<Notice>) -> Delivery {
        let now = Utc::now();
        Delivery { id: 7, route: "r".into(), kind: RouteKind::Webhook, notices, created: now, next_at: now, collect_until: None, attempts: 0, last_error: None, last_attempt: None, dead_at: None }
    }

    fn route(kind: RouteKind) -> RouteConfig {
        toml::from_str(&format!("name = \"r\"\nkind = \"{}\"\ntopic = \"t\"\n", kind.as_str())).unwrap()
    }

    #[test]
    fn a_batch_is_one_message_with_the_worst_severity() {
        let d = delivery(vec![Notice::new("disk full", "nas /srv 97%", Severity::High, "opened"), Notice::new("load", "pi 9.1", Severity::Low, "opened")]);
        let b = body(&route(RouteKind::Webhook), &d).unwrap();
        assert_eq!(b["schema"], SCHEMA);
        assert_eq!(b["severity"], "high");
        assert_eq!(b["notices"].as_array().unwrap().len(), 2);
        assert_eq!(b["title"], "2 homedeck notifications");
        assert!(b["text"].as_str().unwrap().contains("nas /srv 97%"));
        let n = body(&route(RouteKind::Ntfy), &d).unwrap();
        assert_eq!((n["priority"].as_u64(), n["topic"].as_str()), (Some(4), Some("t")));
    }

    #[test]
    fn discord_content_is_cut_to_its_limit() {
        let d = delivery(vec![Notice::new("t", "x".repeat(5000), Severity::Info, "test")]);
        let b = body(&route(RouteKind::Discord), &d).unwrap();
        assert_eq!(b["content"].as_str().unwrap().chars().count(), DISCORD_MAX);
        assert!(body(&route(RouteKind::Email), &d).is_none());
    }
}
