//! `ha_history`: one entity's state changes over a time window, from Home
//! Assistant's recorder (`GET /api/history/period/<start>?filter_entity_id=
//! &end_time=`; the instance needs `history:` in its configuration). One
//! entity at a time and a capped answer: an MCP client asks about the
//! thing it is looking at, not for a dump of the database.

use super::handlers::{guarded_get, hint, token};
use super::profile;
use super::views::EntityState;
use crate::engine::actor::Actor;
use crate::engine::audit::time_arg;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{HaOutcome, Inner, Outcome};
use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// The newest this many states are kept; the answer says when it was cut.
pub const MAX_STATES: usize = 2000;

/// The window when no `since` is given.
const DEFAULT_SINCE: Duration = Duration::hours(24);

#[derive(Debug)]
pub(crate) struct Window {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// `since`/`until` as the audit filters take them (`2h`, `1d`, a date, an
/// RFC 3339 time); `since` before `until`.
pub(crate) fn window(since: Option<&str>, until: Option<&str>, now: DateTime<Utc>) -> EngineResult<Window> {
    let until = until.map(|u| time_arg::parse("until", u, now)).transpose()?.unwrap_or(now);
    let since = since.map(|s| time_arg::parse("since", s, now)).transpose()?.unwrap_or(until - DEFAULT_SINCE);
    if since >= until {
        return Err(EngineError::invalid("since", since.to_rfc3339(), &format!("a time before until ({})", until.to_rfc3339())));
    }
    Ok(Window { since, until })
}

/// `light.porch`: a domain, a dot, an object id (what HA accepts as an entity id).
fn check_entity(entity: &str) -> EngineResult<()> {
    let ok = entity.split_once('.').is_some_and(|(d, o)| {
        let part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        part(d) && part(o)
    });
    if ok { Ok(()) } else { Err(EngineError::invalid("entity", entity, "an entity id such as light.porch or sensor.outdoor_temperature")) }
}

/// A time in a URL: RFC 3339 with its `+` escaped.
fn url_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false).replace('+', "%2B")
}

pub(crate) async fn history(
    inner: &Inner,
    actor: &Actor,
    name: &str,
    entity: &str,
    since: Option<String>,
    until: Option<String>,
) -> EngineResult<Outcome> {
    check_entity(entity)?;
    let w = window(since.as_deref(), until.as_deref(), Utc::now())?;
    let p = profile::get(&inner.store, name)?;
    let token = token(inner, actor, &p, "history")?;
    let path = format!("/api/history/period/{}?filter_entity_id={entity}&end_time={}", url_time(w.since), url_time(w.until));
    let v = guarded_get(inner, &p, &path, &token).await.map_err(|f| {
        let e = f.into_error(&p.name, &format!("{}/api/history/period", p.url), &hint(&p));
        match e {
            EngineError::Other(m) if m.contains("HTTP 404") => {
                EngineError::Other(format!("{m} (is `history:` in Home Assistant {name}'s configuration.yaml?)"))
            }
            e => e,
        }
    })?;
    // One list per entity asked for; the first entry is the state at `since`.
    let mut states: Vec<EntityState> = v
        .as_array()
        .and_then(|lists| lists.first())
        .and_then(|l| l.as_array())
        .map(|l| l.iter().filter_map(EntityState::from_json).collect())
        .unwrap_or_default();
    let truncated = states.len() > MAX_STATES;
    if truncated {
        states.drain(..states.len() - MAX_STATES);
    }
    Ok(Outcome::Ha(HaOutcome::HaHistory {
        profile: name.into(),
        entity: entity.into(),
        since: w.since.to_rfc3339(),
        until: w.until.to_rfc3339(),
        states,
        truncated,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn windows_default_to_the_last_day_and_must_run_forwards() {
        let now = Utc::now();
        let w = window(None, None, now).unwrap();
        assert_eq!((w.until, w.since), (now, now - Duration::hours(24)));
        let w = window(Some("2h"), None, now).unwrap();
        assert_eq!(w.since, now - Duration::hours(2));
        let e = window(Some("1h"), Some("2h"), now).unwrap_err().to_string();
        assert!(e.contains("invalid since") && e.contains("a time before until"), "{e}");
        assert!(window(Some("yesterday-ish"), None, now).unwrap_err().to_string().contains("an age like 30m"));
    }

    #[test]
    fn entity_ids_are_checked_before_any_request() {
        assert!(check_entity("sensor.outdoor_temp_2").is_ok());
        for bad in ["light", "light.", ".porch", "light.porch&x=1", "Light.Porch", "light porch"] {
            assert!(check_entity(bad).unwrap_err().to_string().contains("an entity id such as light.porch"), "{bad}");
        }
    }

    #[test]
    fn times_in_the_url_escape_the_plus() {
        let t = DateTime::parse_from_rfc3339("2026-12-06T01:02:03Z").unwrap().with_timezone(&Utc);
        assert_eq!(url_time(t), "2026-12-06T01:02:03%2B00:00");
    }
}
