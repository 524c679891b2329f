//! The backup catalog against the repository: every catalogued archive is
//! there with its size (and, with `--read-data`, its SHA-256), every
//! archive there is catalogued, and no restore was left half done. An
//! entry whose archive is gone is forgotten by `--repair` (there is nothing
//! left to restore from) — unless the whole repository is missing, which
//! looks like an unmounted disk, not a lost archive.

use super::outcome::{Area, Checked, Finding};
use crate::engine::Inner;
use crate::engine::backup::catalog;
use crate::engine::backup::model::CatalogEntry;
use crate::engine::backup::repo;
use crate::engine::digest::Sha256;
use crate::engine::error::EngineResult;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

pub(crate) fn check(inner: &Inner, repair: bool, read_data: bool, checked: &mut Checked, out: &mut Vec<Finding>) -> EngineResult<()> {
    let entries = catalog::entries(&inner.store)?;
    checked.backups = entries.len() as u64;
    let root = repo::local_root(inner);
    let (local, remote): (Vec<&CatalogEntry>, Vec<&CatalogEntry>) = entries.iter().partition(|e| e.repo == "local");
    if !remote.is_empty() {
        let repos: BTreeSet<&str> = remote.iter().map(|e| e.repo.as_str()).collect();
        out.push(Finding::note(
            Area::Catalog,
            "remote_not_checked",
            format!("{} backup(s) in remote repositories ({}) were not looked at", remote.len(), repos.into_iter().collect::<Vec<_>>().join(", ")),
            "homedeck backup verify ID reads one back from its server",
        ));
    }
    if !local.is_empty() && !root.is_dir() {
        out.push(Finding::problem(
            Area::Catalog,
            "repository_missing",
            format!("the local repository {} does not exist, but {} backup(s) are catalogued in it", root.display(), local.len()),
            format!("if it lives on another disk, mount it and run homedeck doctor again; if it is lost for good, mkdir {} and homedeck doctor --repair forgets its backups", root.display()),
        ));
        return Ok(());
    }
    let mut known = BTreeSet::new();
    for e in local {
        let path = root.join(&e.file);
        known.insert(path.clone());
        entry(inner, e, &path, repair, read_data, checked, out)?;
    }
    for path in archives(&root) {
        if !known.contains(&path) {
            out.push(Finding::note(
                Area::Catalog,
                "archive_not_catalogued",
                format!("{} is in the repository but not in the catalog (a backup create that was interrupted after writing it, or a file copied in)", path.display()),
                format!("restore from it with homedeck backup restore --file {}, or delete it", path.display()),
            ));
        }
    }
    for j in crate::engine::backup::restore::journal::pending(inner)? {
        let active = inner.backup.active_restores.lock().map(|a| a.contains(&j.rid)).unwrap_or(false);
        if !active {
            let place = j.swap.server.clone().map(|s| format!(" on server {s}")).unwrap_or_default();
            out.push(Finding::problem(
                Area::Catalog,
                "restore_interrupted",
                format!("the restore of {}{place} started {} was interrupted and is not rolled back yet", j.source, j.started.format("%Y-%m-%d %H:%M:%S UTC")),
                "run homedeck backup list with the vault unlocked: it rolls the restore back before anything else",
            ));
        }
    }
    Ok(())
}

fn entry(inner: &Inner, e: &CatalogEntry, path: &Path, repair: bool, read_data: bool, checked: &mut Checked, out: &mut Vec<Finding>) -> EngineResult<()> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(err) => {
            let mut f = Finding::problem(
                Area::Catalog,
                "archive_missing",
                format!("backup #{} ({}, {}) is catalogued but {} cannot be read: {err}", e.id, e.source, e.created.format("%Y-%m-%d %H:%M"), path.display()),
                "homedeck doctor --repair (forgets it: there is nothing left to restore from)",
            );
            if repair && err.kind() == std::io::ErrorKind::NotFound {
                catalog::remove_entry(&inner.store, e.id)?;
                inner.store.flush()?;
                f.repaired = Some(format!("forgot backup #{} (its archive is gone)", e.id));
            }
            out.push(f);
            return Ok(());
        }
    };
    if meta.len() != e.size {
        out.push(Finding::problem(
            Area::Catalog,
            "archive_size",
            format!("backup #{}: {} is {} bytes, the catalog says {}", e.id, path.display(), meta.len(), e.size),
            format!("the archive was cut short or replaced: do not restore from it; homedeck backup verify {} says more; take a new backup: homedeck backup create {}", e.id, e.source),
        ));
        return Ok(());
    }
    if read_data {
        checked.archives_hashed += 1;
        match sha256_file(path) {
            Ok(got) if got == e.sha256 => {}
            Ok(got) => out.push(Finding::problem(
                Area::Catalog,
                "archive_hash",
                format!("backup #{}: {} has SHA-256 {got}, the catalog says {}", e.id, path.display(), e.sha256),
                format!("the archive changed on disk; do not restore from it: take a new backup (homedeck backup create {}); backup forget drops old ones by its keep rules", e.source),
            )),
            Err(err) => out.push(Finding::problem(Area::Catalog, "archive_unreadable", format!("backup #{}: cannot read {}: {err}", e.id, path.display()), "check the disk (dmesg) and the file's permissions")),
        }
    }
    Ok(())
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::default();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(h.hex());
        }
        h.update(&buf[..n]);
    }
}

/// Every `*.hdbk` below the repository root, the partial dir left out.
fn archives(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() && e.file_name() != ".partial" {
                stack.push(p);
            } else if t.is_file() && p.extension().is_some_and(|x| x == "hdbk") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
