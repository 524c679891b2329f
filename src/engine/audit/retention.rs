//! Retention: dropping entries older than a cutoff, and rebuilding the index.

use super::{AuditEntry, BY_CATEGORY, LOG, index_key};
use crate::engine::error::EngineResult;
use crate::engine::store::{Store, codec, keys};
use chrono::{DateTime, Utc};

/// Remove every entry older than `cutoff` (and its index key). Works in
/// batches so a large cleanup does not hold everything in memory.
pub fn cleanup(store: &Store, cutoff: DateTime<Utc>) -> EngineResult<u64> {
    let upper = keys::time_prefix(cutoff);
    let (log_tree, by_category) = (store.tree(LOG)?, store.tree(BY_CATEGORY)?);
    let mut removed = 0u64;
    loop {
        let mut log = sled::Batch::default();
        let mut idx = sled::Batch::default();
        let mut n = 0;
        for item in log_tree.range(..upper.to_vec()).take(10_000) {
            let (k, v) = item?;
            if let Ok(entry) = codec::decode::<AuditEntry>(&v) {
                idx.remove(index_key(entry.category, &k));
            }
            log.remove(k);
            n += 1;
        }
        if n == 0 {
            break;
        }
        by_category.apply_batch(idx)?;
        log_tree.apply_batch(log)?;
        removed += n;
    }
    Ok(removed)
}

/// Rebuild the category index from the log (migrations, repair).
pub fn rebuild_category_index(store: &Store) -> EngineResult<()> {
    let by_category = store.tree(BY_CATEGORY)?;
    by_category.clear()?;
    let mut batch = sled::Batch::default();
    let mut n = 0;
    for item in store.tree(LOG)?.iter() {
        let (k, v) = item?;
        if let Ok(entry) = codec::decode::<AuditEntry>(&v) {
            batch.insert(index_key(entry.category, &k), &[][..]);
            n += 1;
        }
        if n % 10_000 == 0 {
            by_category.apply_batch(std::mem::take(&mut batch))?;
        }
    }
    by_category.apply_batch(batch)?;
    Ok(())
}
