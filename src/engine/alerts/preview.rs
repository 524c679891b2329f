//! Previews of the alert verbs: an acknowledgement's state change, a
//! silence's scope and end (its undo is `alert_unsilence`, once it has an
//! id), ending a silence early.

use super::rules::parse_duration;
use super::store;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::AlertsCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: AlertsCommand) -> EngineResult<Preview> {
    use AlertsCommand::*;
    let p = match command {
        AlertList { .. } | AlertShow { .. } | AlertRules {} => Preview::reads(spec),
        AlertAck { id, note } => {
            let a = store::get(&inner.store, id)?;
            let t = format!("alert #{id}");
            Preview::new(spec, format!("acknowledge alert #{id} ({}): {note}", a.summary))
                .target(t.clone())
                .change(&t, "acknowledged", Some(a.ack.map(|k| format!("by {}", k.by)).unwrap_or_else(|| "no".into())), Some("yes".into()))
                .note("the alert stays open until its condition clears")
        }
        AlertSilence { rule, target, duration, .. } => {
            let (rule, target) = (rule.filter(|r| !r.trim().is_empty()), target.filter(|t| !t.trim().is_empty()));
            if rule.is_none() && target.is_none() {
                return Err(EngineError::invalid("rule", "", "a rule name, a target, or both (what to silence)"));
            }
            let length = parse_duration("duration", &duration)?;
            let until = chrono::Utc::now() + chrono::Duration::seconds(i64::try_from(length.as_secs()).unwrap_or(i64::MAX / 2));
            let scope = match (&rule, &target) {
                (Some(r), Some(t)) => format!("rule {r} on {t}"),
                (Some(r), None) => format!("rule {r}"),
                (None, Some(t)) => format!("target {t}"),
                (None, None) => String::new(),
            };
            Preview::new(spec, format!("silence {scope} for {duration}: alerts still open and resolve, nobody is notified"))
                .target(scope.clone())
                .change(&scope, "silenced until", None, Some(until.to_rfc3339()))
                .note("undo: alert_unsilence with the silence's id (shown in alert_rules once it exists)")
        }
        AlertUnsilence { id } => {
            let s = store::silence(&inner.store, id)?;
            let scope = format!("silence #{id}");
            Preview::new(spec, format!("end silence #{id} early ({})", s.rule.clone().or(s.target.clone()).unwrap_or_default()))
                .target(scope.clone())
                .change(&scope, "until", Some(s.until.to_rfc3339()), Some("(now)".into()))
        }
    };
    Ok(p)
}
