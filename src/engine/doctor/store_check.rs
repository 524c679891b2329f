//! The store's own consistency: the schema version, the audit log against
//! its category index, and the secrets against their name index and access
//! history. What is safe to repair is repaired with `--repair` (an index
//! rebuilt from its entries, a name pointing at nothing dropped, a record
//! nobody names given its name back); damaged records are only reported.

use super::outcome::{Area, Checked, Finding};
use crate::engine::audit::{self, AuditEntry};
use crate::engine::error::EngineResult;
use crate::engine::store::codec;
use crate::engine::store::migrate::{SCHEMA_VERSION, stored_version};
use crate::engine::store::Store;
use crate::engine::vault::record::SecretMetaOnly;
use crate::engine::vault::{SECRET_ACCESS, SECRET_NAMES, SECRETS};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn check(store: &Store, repair: bool, checked: &mut Checked, out: &mut Vec<Finding>) -> EngineResult<()> {
    checked.schema_version = stored_version(store)?;
    if checked.schema_version != SCHEMA_VERSION {
        out.push(Finding::problem(
            Area::Store,
            "schema_version",
            format!("the database is at schema version {}, this homedeck writes {SCHEMA_VERSION}", checked.schema_version),
            "reopen it with the homedeck that wrote it, or restore the data dir from a backup",
        ));
    }
    audit_index(store, repair, checked, out)?;
    secret_index(store, repair, checked, out)?;
    Ok(())
}

/// "3 entries (e.g. key 00…): …" for a finding that covers many keys.
/// `n` records with the phrase that agrees with it (`1 audit entry is …`,
/// `2 audit entries are …`) and the first key, as a place to look.
fn some(n: usize, one: &str, many: &str, example: &[u8]) -> String {
    let hex: String = example.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{} (first key {hex}…)", crate::engine::text::plural(n, one, many))
}

fn audit_index(store: &Store, repair: bool, checked: &mut Checked, out: &mut Vec<Finding>) -> EngineResult<()> {
    let mut want = BTreeSet::new();
    let mut unreadable = Vec::new();
    for item in store.tree(audit::LOG)?.iter() {
        let (k, v) = item?;
        checked.audit_entries += 1;
        match codec::decode::<AuditEntry>(&v) {
            Ok(e) => {
                want.insert(audit::index_key(e.category, &k));
            }
            Err(e) => unreadable.push((k.to_vec(), e.to_string())),
        }
    }
    let mut extra = Vec::new();
    for item in store.tree(audit::BY_CATEGORY)?.iter() {
        let (k, _) = item?;
        if !want.remove(k.as_ref()) {
            extra.push(k.to_vec());
        }
    }
    if let Some((k, e)) = unreadable.first() {
        out.push(Finding::problem(
            Area::Store,
            "audit_unreadable",
            format!("{}: {e}", some(unreadable.len(), "audit entry cannot be read", "audit entries cannot be read", k)),
            "keep this data dir aside (cp -a) and report it; `homedeck audit search` skips these entries",
        ));
    }
    let mut findings = Vec::new();
    if let Some(k) = want.iter().next() {
        findings.push(Finding::problem(Area::Store, "audit_index_missing", some(want.len(), "audit entry is missing from the category index, so --category filters skip it", "audit entries are missing from the category index, so --category filters skip them", k), "homedeck doctor --repair (rebuilds the index from the entries)"));
    }
    if let Some(k) = extra.first() {
        findings.push(Finding::problem(Area::Store, "audit_index_orphan", some(extra.len(), "category index key points at no audit entry", "category index keys point at no audit entry", k), "homedeck doctor --repair (rebuilds the index from the entries)"));
    }
    if repair && !findings.is_empty() {
        audit::rebuild_category_index(store)?;
        for f in &mut findings {
            f.repaired = Some("rebuilt the audit category index from the entries".into());
        }
    }
    out.extend(findings);
    Ok(())
}

fn secret_index(store: &Store, repair: bool, checked: &mut Checked, out: &mut Vec<Finding>) -> EngineResult<()> {
    let names_tree = store.tree(SECRET_NAMES)?;
    let mut records: BTreeMap<Vec<u8>, String> = BTreeMap::new();
    for item in store.tree(SECRETS)?.iter() {
        let (k, v) = item?;
        checked.secrets += 1;
        match codec::decode::<SecretMetaOnly>(&v) {
            Ok(r) => {
                records.insert(k.to_vec(), r.meta.name);
            }
            Err(e) => out.push(Finding::problem(Area::Store, "secret_unreadable", format!("secret record {} cannot be read: {e}", hex(&k)), "keep this data dir aside (cp -a) and restore the secret from a backup or add it again")),
        }
    }
    let mut named = BTreeSet::new();
    for item in names_tree.iter() {
        let (name, id) = item?;
        let shown = String::from_utf8_lossy(&name).into_owned();
        match records.get(id.as_ref()) {
            None => {
                let mut f = Finding::problem(Area::Store, "secret_name_dangling", format!("secret name {shown:?} points at record {}, which does not exist", hex(&id)), format!("homedeck doctor --repair (drops the name), then add the secret again: homedeck secret add {shown} --kind …"));
                if repair {
                    names_tree.remove(&name)?;
                    f.repaired = Some(format!("dropped the name {shown:?}"));
                }
                out.push(f);
            }
            Some(n) if n.as_bytes() != name.as_ref() => out.push(Finding::problem(Area::Store, "secret_name_mismatch", format!("secret name {shown:?} points at the record of {n:?}"), "keep this data dir aside (cp -a) and report it; do not rotate either secret until it is sorted out")),
            Some(_) => {
                named.insert(id.to_vec());
            }
        }
    }
    for (id, name) in records.iter().filter(|(id, _)| !named.contains(*id)) {
        let mut f = Finding::problem(Area::Store, "secret_unnamed", format!("secret record {} ({name:?}) has no name pointing at it, so it cannot be found", hex(id)), "homedeck doctor --repair (gives it its name back)");
        if repair && names_tree.compare_and_swap(name.as_bytes(), None as Option<&[u8]>, Some(id.as_slice()))?.is_ok() {
            f.repaired = Some(format!("gave record {} its name {name:?} back", hex(id)));
        }
        out.push(f);
    }
    let mut orphans = 0usize;
    let mut first = None;
    for item in store.tree(SECRET_ACCESS)?.iter().keys() {
        let k = item?;
        if k.len() >= 8 && !records.contains_key(&k[..8]) {
            orphans += 1;
            first.get_or_insert_with(|| k.to_vec());
        }
    }
    if let Some(k) = first {
        out.push(Finding::note(Area::Store, "secret_access_orphan", some(orphans, "access-history line belongs to no secret", "access-history lines belong to no secret", &k), "nothing to do: history is kept; report it if secrets went missing"));
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
