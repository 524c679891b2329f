//! Backups: sources, the archive format, the catalog, repositories,
//! schedules with retention, restore with rollback, and snapshots on change.
//!
//! - `archive/`: the file format (tar + zstd/gzip, chunked AES-256-GCM, a
//!   manifest of SHA-256s) and hostile-archive refusal — no engine state;
//! - `sources/`: what each kind of source puts in an archive (files, and
//!   live captures from Node-RED, Zigbee2MQTT and WLED);
//! - `create.rs`: write → read back → verify → move/upload → catalog;
//! - `repo.rs`: the local repository and SFTP repositories on servers;
//! - `restore/`: preview, pre-restore backup, staging, swap, post-restore,
//!   health check, rollback, and the journal that rolls back after a crash;
//! - `retention.rs` + `schedule.rs`: restic-like forget, and the schedules
//!   the engine's one scheduler runs;
//! - `snapshots.rs`: watched files, snapshots, diffs;
//! - `export.rs`: homedeck's own db, exported and imported with a password;
//! - `handlers.rs`: the verbs.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod archive;
pub mod catalog;
pub mod create;
pub mod export;
pub mod handlers;
pub mod jobs;
pub mod keys;
pub mod model;
pub mod repo;
pub mod restore;
pub mod retention;
pub mod schedule;
pub mod snapshots;
pub mod sources;
pub mod views;

use crate::engine::Inner;
use std::sync::atomic::{AtomicBool, Ordering};

/// Directories were swapped (a restore ran): make the snapshot watcher
/// watch the new inodes behind the same paths.
pub(crate) fn rearm_watches(inner: &Inner) {
    inner.backup.watch_epoch.fetch_add(1, Ordering::SeqCst);
    inner.backup.watch_changed.notify_one();
}
use std::sync::{Arc, OnceLock, Weak};

/// The sled trees this domain owns.
pub struct Trees {
    pub sources: &'static str,
    pub catalog: &'static str,
    pub repos: &'static str,
    pub schedules: &'static str,
    pub journal: &'static str,
    pub snapshots: &'static str,
    pub watched: &'static str,
    pub meta: &'static str,
}

pub const TREES: Trees = Trees {
    sources: "backup_sources",
    catalog: "backup_catalog",
    repos: "backup_repos",
    schedules: "backup_schedules",
    journal: "backup_restore_journal",
    snapshots: "backup_snapshots",
    watched: "backup_watched",
    meta: "backup_meta",
};

/// Backup state that lives only while the engine runs.
#[derive(Default)]
pub struct Runtime {
    pub jobs: jobs::Jobs,
    pub watch_changed: Arc<tokio::sync::Notify>,
    /// Bumped when directories may have been swapped under the watcher (a
    /// restore): inotify watches follow inodes, so the watcher re-arms.
    pub watch_epoch: std::sync::atomic::AtomicU64,
    /// Restores running in this process (their journals are not crash leftovers).
    pub active_restores: std::sync::Mutex<std::collections::HashSet<u64>>,
    watching: AtomicBool,
    pub(crate) me: OnceLock<Weak<Inner>>,
}

/// At open: remove archives a crash left half-written, and roll back
/// restores a crash interrupted.
pub(crate) fn on_start(inner: &Inner) {
    let n = create::clean_partials(inner);
    if n > 0 {
        tracing::warn!(count = n, "removed partial backup archives left by an interrupted run");
    }
    if let Err(e) = restore::journal::recover(inner) {
        tracing::error!(error = %e, "could not roll back an interrupted restore");
    }
}

/// `backup_watch`: run schedules (the engine's one scheduler) and watch
/// files for snapshots while this front end runs (the console sends it at
/// start).
pub(crate) fn watch(inner: &Inner) -> crate::engine::EngineResult<crate::engine::Outcome> {
    crate::engine::scheduler::start_from(inner);
    if !inner.backup.watching.swap(true, Ordering::SeqCst)
        && let Some(weak) = inner.backup.me.get()
    {
        tokio::spawn(snapshots::watcher(weak.clone()));
    }
    handlers::overview(inner)
}

/// This domain's runtime state on the engine (`inner.backup`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(_: &crate::engine::EngineOptions) -> crate::engine::EngineResult<Runtime> {
        Ok(Runtime::default())
    }

    /// Partial archives and interrupted restores are dealt with at open.
    fn started(inner: &Arc<Inner>, on_runtime: bool) {
        on_start(inner);
        if on_runtime {
            let _ = inner.backup.me.set(Arc::downgrade(inner));
        }
    }
}
