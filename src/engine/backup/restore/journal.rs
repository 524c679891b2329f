//! The restore journal: one sled record per restore in progress, written
//! (and flushed) before the first rename. If homedeck dies mid-restore, the
//! next start finds the record and puts the original back with
//! `Swap::undo`, then audits that it did.

use super::swap::Swap;
use crate::engine::audit::{self, Category, Severity, Status};
use crate::engine::backup::TREES;
use crate::engine::context::AuditDraft;
use crate::engine::error::EngineResult;
use crate::engine::event::Event;
use crate::engine::store::codec::{self, Record};
use crate::engine::{Actor, Inner};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Staging,
    Swapped,
    PostRestore,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub rid: u64,
    pub source: String,
    pub backup: Option<u64>,
    pub pre_restore: Option<u64>,
    pub swap: Swap,
    pub phase: Phase,
    pub started: DateTime<Utc>,
}

impl Record for Journal {
    const WHAT: &'static str = "restore journal";
}

pub(crate) fn put(inner: &Inner, j: &Journal) -> EngineResult<()> {
    inner.store.put(&inner.store.tree(TREES.journal)?, j.rid.to_be_bytes(), j)?;
    inner.store.flush()
}

pub(crate) fn remove(inner: &Inner, rid: u64) -> EngineResult<()> {
    inner.store.tree(TREES.journal)?.remove(rid.to_be_bytes())?;
    inner.store.flush()
}

/// Roll back every restore a crash interrupted. Returns how many.
pub(crate) fn recover(inner: &Inner) -> EngineResult<usize> {
    let tree = inner.store.tree(TREES.journal)?;
    let pending: Vec<Journal> = tree.iter().values().filter_map(|v| v.ok().and_then(|v| codec::decode(&v).ok())).collect();
    for j in &pending {
        let result = match &j.swap.server {
            Some(_) => super::remote_swap::undo_blocking(inner, &j.swap),
            None => j.swap.undo().map_err(|e| crate::engine::error::EngineError::Other(e.to_string())).inspect(|_| j.swap.cleanup()),
        };
        let ok = result.is_ok();
        let at = j.swap.server.as_ref().map(|n| format!("{n}:")).unwrap_or_default();
        let draft = AuditDraft {
            category: Category::Backup,
            severity: Severity::High,
            resource: Some(audit::Resource::new("backup_source", None, Some(j.source.clone()))),
            description: match &result {
                Ok(()) => format!(
                    "restore #{} of {} into {at}{} was interrupted ({:?}); rolled back to the previous content at start",
                    j.rid,
                    j.source,
                    j.swap.target.display(),
                    j.phase
                ),
                Err(e) => format!("restore #{} of {} was interrupted and could NOT be rolled back: {e}", j.rid, j.source),
            },
            changes: Vec::new(),
        };
        let status = if ok { Status::Success } else { Status::Failure };
        audit::record(inner, &Actor::engine(), "backup_restore_rollback", draft, status, result.as_ref().err().map(|e| e.to_string()))?;
        inner.emit(Event::Notice { text: format!("interrupted restore of {} rolled back", j.source) });
        if ok {
            tree.remove(j.rid.to_be_bytes())?;
        }
    }
    inner.store.flush()?;
    Ok(pending.len())
}
