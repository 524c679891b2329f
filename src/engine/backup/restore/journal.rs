//! The restore journal: one sled record per restore in progress, written
//! (and flushed) before the first rename. If homedeck dies mid-restore, the
//! next start finds the record and puts the original back with
//! `Swap::undo`, then audits that it did.

use crate::engine::text::plural;
use crate::engine::GeneralEvent;
use super::swap::Swap;
use crate::engine::audit::{self, Category, Severity, Status};
use crate::engine::backup::TREES;
use crate::engine::context::AuditDraft;
use crate::engine::error::{EngineError, EngineResult};
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
    /// The restore went through (or was undone) and only its staging and
    /// old dirs are left to remove: a crash now must not undo anything
    /// (the old dir may be half deleted), only finish the cleanup.
    CleaningUp,
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

pub(crate) fn pending(inner: &Inner) -> EngineResult<Vec<Journal>> {
    let tree = inner.store.tree(TREES.journal)?;
    Ok(tree.iter().values().filter_map(|v| v.ok().and_then(|v| codec::decode(&v).ok())).collect())
}

/// At start: roll back every local restore a crash interrupted. Remote ones
/// need the server's login from the vault, which is locked at start: they
/// wait for `recover_remote`. Returns how many were pending.
pub(crate) fn recover(inner: &Inner) -> EngineResult<usize> {
    let all = pending(inner)?;
    for j in all.iter().filter(|j| j.swap.server.is_none() && j.phase == Phase::CleaningUp) {
        j.swap.cleanup();
        remove(inner, j.rid)?;
        tracing::info!(rid = j.rid, "finished the cleanup of a restore a crash interrupted after it was done");
    }
    let all: Vec<Journal> = all.into_iter().filter(|j| !(j.swap.server.is_none() && j.phase == Phase::CleaningUp)).collect();
    for j in all.iter().filter(|j| j.swap.server.is_none()) {
        let result = j.swap.undo().map_err(|e| EngineError::Other(e.to_string()));
        if result.is_ok() {
            j.swap.cleanup();
        }
        finish(inner, j, result)?;
    }
    let remote = all.iter().filter(|j| j.swap.server.is_some()).count();
    if remote > 0 {
        inner.emit(Event::General(GeneralEvent::Notice { text: format!("{} will be rolled back by the next backup command once the vault is unlocked", plural(remote as usize, "interrupted remote restore", "interrupted remote restores")) }));
    }
    inner.store.flush()?;
    if all.iter().any(|j| j.swap.server.is_none()) {
        // Rolled-back local targets are new inodes: the watcher re-arms.
        crate::engine::backup::rearm_watches(inner);
    }
    Ok(all.len())
}

/// Roll back interrupted restores on servers (run by the backup verbs
/// before anything else). A locked vault is returned as is, so the front
/// end unlocks and retries; other failures keep the journal for next time.
pub(crate) async fn recover_remote(inner: &Inner, actor: &Actor) -> EngineResult<()> {
    let active = inner.backup.active_restores.lock().map(|a| a.clone()).unwrap_or_default();
    for j in pending(inner)?.into_iter().filter(|j| j.swap.server.is_some() && !active.contains(&j.rid)) {
        if j.phase == Phase::CleaningUp {
            super::remote_swap::cleanup(inner, actor, &j.swap).await?;
            remove(inner, j.rid)?;
            continue;
        }
        let result = match super::remote_swap::undo(inner, actor, &j.swap).await {
            Err(EngineError::VaultLocked) => return Err(EngineError::VaultLocked),
            Ok(()) => {
                super::remote_swap::cleanup_any(inner, actor, &j.swap).await;
                Ok(())
            }
            Err(e) => Err(e),
        };
        finish(inner, &j, result)?;
    }
    inner.store.flush()
}

/// Audit the rollback of `j`; forget the journal when it worked.
fn finish(inner: &Inner, j: &Journal, result: EngineResult<()>) -> EngineResult<()> {
    let ok = result.is_ok();
    let at = j.swap.server.as_ref().map(|n| format!("{n}:")).unwrap_or_default();
    let draft = AuditDraft {
        category: Category::Backup,
        severity: Severity::High,
        resource: Some(audit::Resource::new("backup_source", None, Some(j.source.clone()))),
        description: match &result {
            Ok(()) => format!(
                "restore #{} of {} into {at}{} was interrupted ({:?}); rolled back to the previous content",
                j.rid,
                j.source,
                j.swap.target.display(),
                j.phase
            ),
            Err(e) => format!("restore #{} of {} was interrupted and could NOT be rolled back: {e}", j.rid, j.source),
        },
        changes: Vec::new(),
        action: None,
        ended: None,
    };
    let status = if ok { Status::Success } else { Status::Failure };
    audit::record(inner, &Actor::engine(), "backup_restore_rollback", draft, status, result.as_ref().err().map(|e| e.to_string()))?;
    inner.emit(Event::General(GeneralEvent::Notice { text: format!("interrupted restore of {} rolled back", j.source) }));
    if ok {
        inner.store.tree(TREES.journal)?.remove(j.rid.to_be_bytes())?;
    }
    Ok(())
}
