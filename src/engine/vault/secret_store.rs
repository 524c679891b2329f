//! Secrets in sled: reads, and the one way a change to a secret is written.
//!
//! A secret lives in three trees — the record (`secrets`), the name index
//! (`secret_names`) and the access history (`secret_access`). Every change
//! to a secret writes them in one multi-tree transaction, so a crash or a
//! lost race can never leave half a secret: a record no name points to, a
//! name pointing at nothing, or a rotation or revocation with no line in the
//! history. A read only bumps its counter ([`count_read`]): two plain
//! writes, history line first: a sled transaction on this path made
//! `secret_reveal` slower than before it (docs/benchmarks.md, issue 13).

use super::record::{SecretMetaOnly, SecretRecord};
use super::types::{SecretAccess, SecretMeta};
use super::{SECRET_ACCESS, SECRET_NAMES, SECRETS};
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::{Store, codec, keys};
use chrono::Utc;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionResult, abort};

pub(crate) fn all_meta(store: &Store) -> EngineResult<Vec<SecretMeta>> {
    let mut out = Vec::new();
    for item in store.tree(SECRETS)?.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<SecretMetaOnly>(&v)?.meta);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

pub(super) fn find(store: &Store, name: &str) -> EngineResult<SecretRecord> {
    let id = store.tree(SECRET_NAMES)?.get(name.as_bytes())?.ok_or_else(|| EngineError::not_found("secret", name))?;
    store
        .get::<SecretRecord>(&store.tree(SECRETS)?, &id)?
        .ok_or_else(|| EngineError::Corrupt { what: "secret".into(), detail: format!("{name:?} is named but missing") })
}

/// An access-history line for now.
pub(super) fn access(actor: &Actor, action: &str, ok: bool) -> SecretAccess {
    SecretAccess { at: Utc::now(), actor: actor.clone(), action: action.to_string(), ok }
}

/// id ‖ time key: a secret's history is one prefix scan, oldest first.
fn access_key(store: &Store, id: u64, a: &SecretAccess) -> EngineResult<Vec<u8>> {
    let mut key = keys::id_key(id).to_vec();
    key.extend_from_slice(&keys::time_key(a.at, store.next_id()?));
    Ok(key)
}

/// A history line on its own (a refused read changes nothing else).
pub(super) fn log_access(store: &Store, id: u64, a: &SecretAccess) -> EngineResult<()> {
    store.put(&store.tree(SECRET_ACCESS)?, access_key(store, id, a)?, a)
}

/// A read of `rec` (its access count and last access already bumped): the
/// history line first, then the record. A crash between the two leaves a
/// read in the history that the count misses — never a read the history
/// misses. Not a transaction: nothing here can be half a secret, and the
/// read path is the vault's hot one.
pub(super) fn count_read(store: &Store, rec: &SecretRecord, a: &SecretAccess) -> EngineResult<()> {
    log_access(store, rec.meta.id, a)?;
    store.put(&store.tree(SECRETS)?, keys::id_key(rec.meta.id), rec)
}

/// Write `rec` and its history line `a` together; with `claim_name` (a new
/// secret) also take its name, aborting with `AlreadyExists` — and writing
/// nothing — when the name is already taken.
pub(super) fn commit(store: &Store, rec: &SecretRecord, claim_name: bool, a: &SecretAccess) -> EngineResult<()> {
    let id = keys::id_key(rec.meta.id);
    let value = codec::encode(rec)?;
    let line_key = access_key(store, rec.meta.id, a)?;
    let line = codec::encode(a)?;
    let name = rec.meta.name.as_bytes();
    let trees = (store.tree(SECRETS)?, store.tree(SECRET_NAMES)?, store.tree(SECRET_ACCESS)?);
    (&trees.0, &trees.1, &trees.2).transaction(|(secrets, names, history)| -> ConflictableTransactionResult<(), EngineError> {
        if claim_name {
            if names.get(name)?.is_some() {
                return abort(EngineError::AlreadyExists { what: "secret".into(), name: rec.meta.name.clone() });
            }
            names.insert(name, &id[..])?;
        }
        secrets.insert(&id[..], value.as_slice())?;
        history.insert(line_key.as_slice(), line.as_slice())?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::actor::Frontend;
    use crate::engine::vault::SecretKind;

    fn record(id: u64, name: &str) -> SecretRecord {
        let now = Utc::now();
        let meta = SecretMeta {
            id,
            name: name.into(),
            kind: SecretKind::Password,
            note: None,
            created: now,
            last_rotated: None,
            rotation_days: None,
            version: 1,
            access_count: 0,
            last_access: None,
            revoked: None,
        };
        SecretRecord { meta, sealed: None }
    }

    fn count(store: &Store, tree: &str) -> usize {
        store.tree(tree).unwrap().len()
    }

    #[test]
    fn a_taken_name_aborts_the_whole_add() {
        let dir = tempfile::tempdir().unwrap();
        let actor = Actor::current(Frontend::Cli);
        let store = Store::open(dir.path(), &actor).unwrap();
        commit(&store, &record(1, "db"), true, &access(&actor, "create", true)).unwrap();
        assert_eq!(find(&store, "db").unwrap().meta.id, 1);
        let before = [count(&store, SECRETS), count(&store, SECRET_NAMES), count(&store, SECRET_ACCESS)];
        assert_eq!(before, [1, 1, 1]);

        let e = commit(&store, &record(2, "db"), true, &access(&actor, "create", true)).unwrap_err();
        assert!(matches!(&e, EngineError::AlreadyExists { name, .. } if name == "db"), "{e}");
        // Nothing of the second secret was written: no record, no history.
        assert!(store.tree(SECRETS).unwrap().get(keys::id_key(2)).unwrap().is_none());
        assert_eq!(store.tree(SECRET_ACCESS).unwrap().scan_prefix(keys::id_key(2)).count(), 0);
        assert_eq!([count(&store, SECRETS), count(&store, SECRET_NAMES), count(&store, SECRET_ACCESS)], before);
        assert_eq!(find(&store, "db").unwrap().meta.id, 1, "the name still points at the first secret");
    }

    #[test]
    fn an_update_writes_the_record_and_its_history_line_together() {
        let dir = tempfile::tempdir().unwrap();
        let actor = Actor::current(Frontend::Cli);
        let store = Store::open(dir.path(), &actor).unwrap();
        let mut rec = record(7, "api");
        commit(&store, &rec, true, &access(&actor, "create", true)).unwrap();
        rec.meta.version = 2;
        commit(&store, &rec, false, &access(&actor, "rotate", true)).unwrap();
        assert_eq!(find(&store, "api").unwrap().meta.version, 2);
        let lines: Vec<SecretAccess> = store
            .tree(SECRET_ACCESS)
            .unwrap()
            .scan_prefix(keys::id_key(7))
            .values()
            .map(|v| codec::decode(&v.unwrap()).unwrap())
            .collect();
        assert_eq!(lines.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(), ["create", "rotate"]);
        assert_eq!(count(&store, SECRET_NAMES), 1, "an update does not touch the name index");
    }
}
