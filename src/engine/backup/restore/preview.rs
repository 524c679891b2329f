//! What a restore would change: files added, changed and removed, compared
//! by SHA-256 against what is on disk now.

use crate::engine::backup::archive::manifest::{EntryKind, Manifest};
use crate::engine::backup::archive::{FILES_PREFIX, Sha256};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub backup: Option<u64>,
    pub source: String,
    pub target: String,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: u64,
    /// Live captures that a post-restore step sends back (Node-RED flows).
    pub live: Vec<String>,
    pub warnings: Vec<String>,
}

fn hash_file(p: &Path) -> Option<String> {
    let mut f = std::fs::File::open(p).ok()?;
    let mut h = Sha256::default();
    let mut buf = vec![0u8; 128 * 1024];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return Some(h.hex());
        }
        h.update(&buf[..n]);
    }
}

/// Compare `manifest` with `target` on this machine. `selected` says which
/// files on disk the source covers (others are carried over, never
/// "removed"). The disk is described the way a remote scan describes a
/// server, then compared by the same rules (`compare`).
pub fn compute(manifest: &Manifest, target: &Path, only: Option<&str>, selected: &dyn Fn(&Path, bool) -> bool) -> Preview {
    let mut now = BTreeMap::new();
    // What the archive holds: hashed, so unchanged files count as such.
    for rel in archived(manifest, only) {
        let disk = target.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&disk) else { continue };
        let what = if meta.file_type().is_symlink() {
            Now::Link(std::fs::read_link(&disk).map(|l| l.to_string_lossy().into_owned()).unwrap_or_default())
        } else if meta.is_file() {
            Now::File(hash_file(&disk))
        } else if meta.is_dir() {
            Now::Dir
        } else {
            Now::Other
        };
        now.insert(rel.to_string(), what);
    }
    // The rest of what the source covers: only listed (it can only be "removed").
    if only.is_none() {
        let mut stack = vec![std::path::PathBuf::new()];
        while let Some(rel) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(target.join(&rel)) else { continue };
            for e in rd.filter_map(Result::ok) {
                let r = rel.join(e.file_name());
                let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
                if !selected(&r, is_dir) {
                    continue;
                }
                if is_dir {
                    stack.push(r);
                } else if let Some(s) = r.to_str() {
                    now.entry(s.to_string()).or_insert(Now::Other);
                }
            }
        }
    }
    compare(manifest, only, &now)
}

/// The archive's file and link paths (relative to the target) a restore
/// with `only` would write.
fn archived<'a>(manifest: &'a Manifest, only: Option<&'a str>) -> impl Iterator<Item = &'a str> {
    manifest
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Dir)
        .filter_map(|e| e.path.strip_prefix(FILES_PREFIX))
        .filter(move |rel| only.is_none_or(|o| o == *rel))
}

/// What a path in the target is now (on a server: from an SFTP walk and
/// `sha256sum`; here: from the disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Now {
    /// A file, with its SHA-256 when the server computed it.
    File(Option<String>),
    Link(String),
    Dir,
    Other,
}

/// Compare `manifest` with the target's entries `now` (only those the
/// source covers, so the rest is carried over, never "removed").
pub fn compare(manifest: &Manifest, only: Option<&str>, now: &BTreeMap<String, Now>) -> Preview {
    let mut p = Preview::default();
    let mut in_archive = BTreeSet::new();
    for e in &manifest.entries {
        if let Some(rest) = e.path.strip_prefix("live/") {
            p.live.push(rest.to_string());
            continue;
        }
        let Some(rel) = e.path.strip_prefix(FILES_PREFIX) else { continue };
        if e.kind == EntryKind::Dir || only.is_some_and(|o| o != rel) {
            continue;
        }
        in_archive.insert(rel.to_string());
        let same = match (e.kind, now.get(rel)) {
            (_, None) => {
                p.added.push(rel.to_string());
                continue;
            }
            (EntryKind::File, Some(Now::File(Some(h)))) => *h == e.sha256,
            (EntryKind::Symlink, Some(Now::Link(t))) => Some(t) == e.link.as_ref(),
            _ => false,
        };
        if same {
            p.unchanged += 1;
        } else {
            p.changed.push(rel.to_string());
        }
    }
    if only.is_none() {
        p.removed = now.iter().filter(|(r, n)| **n != Now::Dir && !in_archive.contains(*r)).map(|(r, _)| r.clone()).collect();
    }
    p.added.sort();
    p.changed.sort();
    p.removed.sort();
    p.warnings = manifest.warnings.clone();
    p
}
