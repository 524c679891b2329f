//! The sled store: one db in the data dir, one tree per kind of record.
//!
//! The store itself owns only `meta`; every domain (vault, audit and
//! security included) names its trees in a `TREES` constant at its top and
//! opens them with [`Store::tree`], so the on-disk layout can be read off
//! those lists. Writers call [`Store::flush`] before reporting success, so a
//! kill -9 after "done" loses nothing.

pub mod codec;
pub mod keys;
mod lock;
pub mod migrate;

use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use codec::Record;
use std::path::{Path, PathBuf};

pub use lock::DataDirLock;

pub struct Store {
    db: sled::Db,
    pub dir: PathBuf,
    /// Schema version and other db-wide facts.
    pub meta: sled::Tree,
    _lock: DataDirLock,
}

impl Store {
    /// Open (creating if needed) the db under `dir`, lock it for this process
    /// and run pending migrations.
    pub fn open(dir: &Path, actor: &Actor) -> EngineResult<Self> {
        crate::engine::doctor::permissions::create_private_dir(dir)
            .map_err(|e| EngineError::Store(format!("cannot create data dir {}: {e}", dir.display())))?;
        let lock = DataDirLock::acquire(dir, actor)?;
        let db = open_sled(dir)?;
        // sled creates its files with the process umask: make them 0600.
        crate::engine::doctor::permissions::tighten(dir);
        let store = Store {
            meta: db.open_tree("meta")?,
            dir: dir.to_path_buf(),
            db,
            _lock: lock,
        };
        migrate::run(&store)?;
        Ok(store)
    }

    /// A db-wide unique, increasing id (ties in time keys, record ids).
    pub fn next_id(&self) -> EngineResult<u64> {
        Ok(self.db.generate_id()?)
    }

    /// The next value of a named counter in `meta`: small ids (#1, #2 …)
    /// that, unlike `next_id`, stay contiguous across restarts.
    pub fn next_counter(&self, name: &str) -> EngineResult<u64> {
        let v = self.meta.update_and_fetch(name.as_bytes(), |old| {
            let n = old.and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes).unwrap_or(0);
            Some((n + 1).to_be_bytes().to_vec())
        })?;
        v.and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| EngineError::Store(format!("counter {name} is unreadable")))
    }

    /// A domain's own tree. Each domain module names its trees in one
    /// `TREES` list at its top, so the on-disk layout stays findable.
    pub fn tree(&self, name: &str) -> EngineResult<sled::Tree> {
        Ok(self.db.open_tree(name)?)
    }

    /// Every tree in the db, by name (sled's own default tree left out):
    /// what a full export of homedeck's state walks.
    pub fn tree_names(&self) -> Vec<String> {
        self.db
            .tree_names()
            .into_iter()
            .filter(|n| n.as_ref() != b"__sled__default")
            .map(|n| String::from_utf8_lossy(&n).into_owned())
            .collect()
    }

    /// Make every write so far durable.
    pub fn flush(&self) -> EngineResult<()> {
        self.db.flush()?;
        Ok(())
    }

    pub fn get<T: Record>(&self, tree: &sled::Tree, key: impl AsRef<[u8]>) -> EngineResult<Option<T>> {
        tree.get(key)?.map(|v| codec::decode(&v)).transpose()
    }

    pub fn put<T: Record>(&self, tree: &sled::Tree, key: impl AsRef<[u8]>, value: &T) -> EngineResult<()> {
        tree.insert(key.as_ref(), codec::encode(value)?)?;
        Ok(())
    }
}

/// Open sled. Our own `DataDirLock` is already held, so sled's file lock can
/// only be busy because a store this process just dropped still has sled
/// background work finishing (it releases the lock when its last internal
/// reference goes): wait for that briefly instead of failing a reopen.
fn open_sled(dir: &Path) -> EngineResult<sled::Db> {
    let config = sled::Config::new()
        .path(dir.join("db"))
        .cache_capacity(8 * 1024 * 1024)
        // Every command flushes before it reports success, so sled's own
        // flusher adds no durability; it also spends the time between its
        // flushes on page GC, which kept an idle console busy.
        .flush_every_ms(None);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            // sled reports a busy lock only as text (ErrorKind::Other).
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(EngineError::Store(format!("cannot open database in {}: {e}", dir.display()))),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The vault, audit and security trees moved from `Store` fields to
    /// their domains' `TREES`; their names on disk must not change, or an
    /// existing data dir would look empty (there is no migration for it).
    #[test]
    fn core_domain_tree_names_are_the_ones_on_disk() {
        use crate::engine::{audit, security, vault};
        assert_eq!(vault::TREES, ["vault", "secrets", "secret_names", "secret_access"]);
        assert_eq!(audit::TREES, ["audit", "audit_by_category"]);
        assert_eq!(security::TREES, ["security_events"]);
    }
}
