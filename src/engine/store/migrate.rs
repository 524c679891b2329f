//! The db's schema version and the migrations that run at open.
//!
//! Record-level format bytes handle a changed value shape; a migration is for
//! changes across records (a new index built from existing data, a moved tree).

use super::Store;
use crate::engine::error::{EngineError, EngineResult};

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = 1;
const KEY: &[u8] = b"schema_version";

type Migration = fn(&Store) -> EngineResult<()>;

/// `MIGRATIONS[i]` takes a db from schema `i` to `i + 1`.
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] = [to_v1];

/// Schema 0 is a db created before versioning (or an empty one): the
/// category index of the audit log is rebuilt from the entries.
fn to_v1(store: &Store) -> EngineResult<()> {
    super::super::audit::rebuild_category_index(store)
}

pub fn stored_version(store: &Store) -> EngineResult<u32> {
    match store.meta.get(KEY)? {
        None => Ok(0),
        Some(v) => {
            let bytes: [u8; 4] = v.as_ref().try_into().map_err(|_| EngineError::Corrupt {
                what: "schema version".into(),
                detail: format!("{} bytes, expected 4", v.len()),
            })?;
            Ok(u32::from_be_bytes(bytes))
        }
    }
}

/// Bring the db up to [`SCHEMA_VERSION`], one step at a time, flushing after each.
pub fn run(store: &Store) -> EngineResult<()> {
    let mut current = stored_version(store)?;
    if current > SCHEMA_VERSION {
        return Err(EngineError::Corrupt {
            what: "database".into(),
            detail: format!(
                "schema version {current} was written by a newer homedeck; this one understands up to {SCHEMA_VERSION}"
            ),
        });
    }
    while current < SCHEMA_VERSION {
        MIGRATIONS[current as usize](store)?;
        current += 1;
        store.meta.insert(KEY, &current.to_be_bytes())?;
        store.flush()?;
        tracing::info!(schema = current, "migrated database");
    }
    Ok(())
}
