//! The the audit log and security events verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `AuditCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::text::plural;
use crate::engine::command::AuditCommand;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::{AuditEvent, AuditOutcome};
use crate::engine::{Inner, Outcome};
use crate::engine::audit::{self, AuditQuery, time_arg};
use crate::engine::security;
use chrono::{Duration, Utc};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: AuditCommand) -> EngineResult<Outcome> {
    use AuditCommand::*;
    match command {
        AuditSearch { category, min_severity, status, actor, resource, since, until, text, limit, before } => {
            let now = Utc::now();
            let q = AuditQuery {
                category,
                min_severity,
                status,
                actor: actor.filter(|s| !s.is_empty()),
                resource: resource.filter(|s| !s.is_empty()),
                since: since.map(|s| time_arg::parse("since", &s, now)).transpose()?,
                until: until.map(|s| time_arg::parse("until", &s, now)).transpose()?,
                text: text.filter(|s| !s.is_empty()),
                limit: limit.map(|l| l as usize).unwrap_or(AuditQuery::DEFAULT_LIMIT),
                before,
            };
            Ok(Outcome::Audit(AuditOutcome::AuditPage { page: audit::query(&inner.store, &q)? }))
        }
        AuditCleanup { older_than_days } => {
            let days = older_than_days.unwrap_or(inner.live.get().audit_retention_days);
            if days == 0 {
                return Err(EngineError::invalid("older_than_days", "0", "at least 1 day"));
            }
            let cutoff = Utc::now() - Duration::days(i64::from(days));
            let removed = audit::cleanup(&inner.store, cutoff)?;
            ctx.resource("audit_log", None, None);
            ctx.change("entries", None, Some(format!("-{removed}")));
            ctx.describe(format!("removed {removed} audit entries older than {}", plural(days as usize, "day", "days")));
            Ok(Outcome::Audit(AuditOutcome::AuditCleaned { removed, cutoff: cutoff.to_rfc3339() }))
        }
        SecurityEventList { status, limit } => Ok(Outcome::Audit(AuditOutcome::SecurityEvents {
            events: security::list(&inner.store, status, limit.map(|l| l as usize).unwrap_or(200))?,
        })),
        SecurityEventShow { id } => Ok(Outcome::Audit(AuditOutcome::SecurityEvent { event: security::get(&inner.store, id)? })),
        SecurityEventUpdate { id, status, note } => {
            ctx.resource("security_event", Some(id.to_string()), None);
            let (from, event) = security::update(&inner.store, id, status, &note, &ctx.actor)?;
            ctx.change("status", Some(from.to_string()), Some(status.to_string()));
            ctx.describe(format!("security event #{id}: {from} → {status}"));
            inner.emit(Event::Audit(AuditEvent::SecurityUpdated { event: event.clone() }));
            Ok(Outcome::Audit(AuditOutcome::SecurityEvent { event }))
        }
    }
}
