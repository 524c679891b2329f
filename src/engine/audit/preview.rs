//! Previews of the audit verbs: how many entries a cleanup would delete
//! (counted by key range, nothing decoded), and a security event's move.

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::AuditCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;
use crate::engine::security;
use crate::engine::store::keys;
use chrono::{Duration, Utc};

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: AuditCommand) -> EngineResult<Preview> {
    use AuditCommand::*;
    let p = match command {
        AuditSearch { .. } | SecurityEventList { .. } | SecurityEventShow { .. } => Preview::reads(spec),
        AuditCleanup { older_than_days } => {
            let days = older_than_days.unwrap_or(inner.live.get().audit_retention_days);
            if days == 0 {
                return Err(EngineError::invalid("older_than_days", "0", "at least 1 day"));
            }
            let cutoff = Utc::now() - Duration::days(i64::from(days));
            let upper = keys::time_prefix(cutoff);
            let tree = inner.store.tree(super::LOG)?;
            let gone = tree.range(..upper.to_vec()).count();
            let total = tree.len();
            Preview::new(spec, format!("delete {gone} audit entries older than {days} days (of {total})"))
                .target("audit log")
                .change("audit log", "entries", Some(total.to_string()), Some((total - gone.min(total)).to_string()))
                .note("cannot be undone: deleted entries are gone (an export keeps them)")
        }
        SecurityEventUpdate { id, status, note } => {
            let e = security::get(&inner.store, id)?;
            if !e.status.can_move_to(status) {
                return Err(EngineError::invalid("status", status.to_string(), &format!("a status a {} event can move to", e.status)));
            }
            Preview::new(spec, format!("security event #{id}: {} → {status} ({note})", e.status))
                .target(format!("security event #{id}"))
                .change(&format!("security event #{id}"), "status", Some(e.status.to_string()), Some(status.to_string()))
        }
    };
    Ok(p)
}
