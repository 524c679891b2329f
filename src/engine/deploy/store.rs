//! Deployments in sled: the records by name, and the config-file snapshots
//! taken before every save (what `deploy config revert` puts back).

use super::model::Deployment;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec::Record;
use crate::engine::store::{Store, keys};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The trees this domain owns.
pub const TREES: [&str; 2] = [DEPLOYMENTS, CONFIG_HISTORY];
pub const DEPLOYMENTS: &str = "deployments";
/// name ‖ 0 ‖ path ‖ 0 ‖ time key → `ConfigSnapshot`.
pub const CONFIG_HISTORY: &str = "deploy_config_history";

/// Snapshots kept per file; older ones are dropped.
const KEEP: usize = 20;

/// A config file as it was before a save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigSnapshot {
    pub deployment: String,
    pub path: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// None: the file did not exist before the save.
    pub content: Option<String>,
}

impl Record for ConfigSnapshot {
    const WHAT: &'static str = "config snapshot";
}

pub fn all(store: &Store) -> EngineResult<Vec<Deployment>> {
    let mut out = Vec::new();
    for item in store.tree(DEPLOYMENTS)?.iter() {
        let (_, v) = item?;
        out.push(crate::engine::store::codec::decode::<Deployment>(&v)?);
    }
    Ok(out)
}

pub fn get(store: &Store, name: &str) -> EngineResult<Deployment> {
    store
        .get::<Deployment>(&store.tree(DEPLOYMENTS)?, name.as_bytes())?
        .ok_or_else(|| EngineError::not_found("deployment", name))
}

pub fn exists(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(store.tree(DEPLOYMENTS)?.contains_key(name.as_bytes())?)
}

pub fn put(store: &Store, d: &Deployment) -> EngineResult<()> {
    store.put(&store.tree(DEPLOYMENTS)?, d.name.as_bytes(), d)
}

pub fn remove(store: &Store, name: &str) -> EngineResult<()> {
    store.tree(DEPLOYMENTS)?.remove(name.as_bytes())?;
    let tree = store.tree(CONFIG_HISTORY)?;
    for k in tree.scan_prefix(prefix(name, None)).keys() {
        tree.remove(k?)?;
    }
    Ok(())
}

fn prefix(name: &str, path: Option<&str>) -> Vec<u8> {
    let mut k = name.as_bytes().to_vec();
    k.push(0);
    if let Some(p) = path {
        k.extend_from_slice(p.as_bytes());
        k.push(0);
    }
    k
}

/// Record the file's content before a save; keeps the newest `KEEP`.
pub fn push_snapshot(store: &Store, snap: &ConfigSnapshot) -> EngineResult<()> {
    let tree = store.tree(CONFIG_HISTORY)?;
    let mut key = prefix(&snap.deployment, Some(&snap.path));
    key.extend_from_slice(&keys::time_key(snap.at, store.next_id()?));
    store.put(&tree, &key, snap)?;
    // Time keys sort oldest first: walking backwards, everything past KEEP is older.
    let old: Vec<_> = tree.scan_prefix(prefix(&snap.deployment, Some(&snap.path))).keys().rev().skip(KEEP).collect();
    for k in old {
        tree.remove(k?)?;
    }
    Ok(())
}

/// The newest snapshot of a file, with its key (to drop it after a revert).
pub fn newest_snapshot(store: &Store, name: &str, path: &str) -> EngineResult<Option<(Vec<u8>, ConfigSnapshot)>> {
    let tree = store.tree(CONFIG_HISTORY)?;
    match tree.scan_prefix(prefix(name, Some(path))).next_back() {
        Some(item) => {
            let (k, v) = item?;
            Ok(Some((k.to_vec(), crate::engine::store::codec::decode(&v)?)))
        }
        None => Ok(None),
    }
}

/// How many snapshots a file has.
pub fn snapshot_count(store: &Store, name: &str, path: &str) -> EngineResult<usize> {
    Ok(store.tree(CONFIG_HISTORY)?.scan_prefix(prefix(name, Some(path))).count())
}

pub fn drop_snapshot(store: &Store, key: &[u8]) -> EngineResult<()> {
    store.tree(CONFIG_HISTORY)?.remove(key)?;
    Ok(())
}
