//! The catalog and the other backup trees in sled. An archive gets its
//! catalog entry only after it was written, read back, verified and renamed
//! into place, so a crash never leaves an entry for a partial archive.

use super::TREES;
use super::model::{BackupSchedule, CatalogEntry, Repo, Source};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::{Store, codec};

pub fn sources(store: &Store) -> EngineResult<Vec<Source>> {
    store.tree(TREES.sources)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn source(store: &Store, name: &str) -> EngineResult<Source> {
    store.get(&store.tree(TREES.sources)?, name)?.ok_or_else(|| EngineError::not_found("backup source", name))
}

pub fn put_source(store: &Store, s: &Source) -> EngineResult<()> {
    store.put(&store.tree(TREES.sources)?, &s.name, s)
}

pub fn remove_source(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(store.tree(TREES.sources)?.remove(name)?.is_some())
}

pub fn entries(store: &Store) -> EngineResult<Vec<CatalogEntry>> {
    store.tree(TREES.catalog)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn entry(store: &Store, id: u64) -> EngineResult<CatalogEntry> {
    store.get(&store.tree(TREES.catalog)?, id.to_be_bytes())?.ok_or_else(|| EngineError::not_found_id("backup", id))
}

pub fn put_entry(store: &Store, e: &CatalogEntry) -> EngineResult<()> {
    store.put(&store.tree(TREES.catalog)?, e.id.to_be_bytes(), e)
}

pub fn remove_entry(store: &Store, id: u64) -> EngineResult<()> {
    store.tree(TREES.catalog)?.remove(id.to_be_bytes())?;
    Ok(())
}

pub fn repos(store: &Store) -> EngineResult<Vec<Repo>> {
    store.tree(TREES.repos)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn repo(store: &Store, name: &str) -> EngineResult<Option<Repo>> {
    store.get(&store.tree(TREES.repos)?, name)
}

pub fn put_repo(store: &Store, r: &Repo) -> EngineResult<()> {
    store.put(&store.tree(TREES.repos)?, &r.name, r)
}

pub fn schedules(store: &Store) -> EngineResult<Vec<BackupSchedule>> {
    store.tree(TREES.schedules)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

pub fn schedule(store: &Store, name: &str) -> EngineResult<Option<BackupSchedule>> {
    store.get(&store.tree(TREES.schedules)?, name)
}

pub fn put_schedule(store: &Store, s: &BackupSchedule) -> EngineResult<()> {
    store.put(&store.tree(TREES.schedules)?, &s.name, s)
}

pub fn remove_schedule(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(store.tree(TREES.schedules)?.remove(name)?.is_some())
}
