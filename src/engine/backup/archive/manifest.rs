//! The list of what an archive holds, written as its last tar entry and
//! checked entry by entry whenever an archive is read.

use super::bad;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Read};

/// The manifest is small; one larger than this is refused.
pub const MAX_MANIFEST: u64 = 256 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path inside the archive (`files/…` or `live/…`).
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
    /// SHA-256 of the content, hex (empty for directories and links).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub source: String,
    pub kind: String,
    pub homedeck: String,
    pub created: chrono::DateTime<chrono::Utc>,
    pub entries: Vec<ManifestEntry>,
    /// Things the operator should know (a missing Node-RED credential key,
    /// a file that changed while it was read).
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Manifest {
    pub fn files(&self) -> impl Iterator<Item = &ManifestEntry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::File)
    }

    pub fn total_bytes(&self) -> u64 {
        self.files().map(|e| e.size).sum()
    }

    pub fn find(&self, path: &str) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.path == path)
    }
}

impl Manifest {
    /// The manifest repeats the archive header's source, kind, version and
    /// time; a manifest that says otherwise was altered (without the file
    /// hash nothing else would notice a changed `created`).
    pub fn check_header(&self, header: &super::header::Header) -> io::Result<()> {
        let pairs = [
            ("source", self.source.clone(), header.source.clone()),
            ("kind", self.kind.clone(), header.kind.clone()),
            ("homedeck", self.homedeck.clone(), header.homedeck.clone()),
            ("created", self.created.to_rfc3339(), header.created.to_rfc3339()),
        ];
        match pairs.into_iter().find(|(_, m, h)| m != h) {
            Some((field, m, h)) => Err(bad(format!("the manifest's {field} is {m:?}, the archive header's {h:?}: the archive was altered"))),
            None => Ok(()),
        }
    }

    /// Read the manifest entry's JSON (bounded by [`MAX_MANIFEST`]).
    pub fn read_from(entry: impl Read) -> io::Result<Manifest> {
        let mut json = Vec::new();
        entry.take(MAX_MANIFEST).read_to_end(&mut json)?;
        serde_json::from_slice(&json).map_err(|e| bad(format!("the manifest is not valid: {e}")))
    }
}

/// What one pass over a tar stream found of each entry, to be checked
/// against the manifest at its end: the verification and the extraction
/// both walk the stream and both answer to this one check.
#[derive(Default)]
pub struct Seen(HashMap<String, SeenEntry>);

/// One entry as the tar stream had it.
#[derive(Clone, Debug)]
pub struct SeenEntry {
    pub size: u64,
    /// Its SHA-256, when this pass hashed entries (a pass that checks a
    /// stream digest instead does not).
    pub sha256: Option<String>,
    /// The tar header's permission bits.
    pub mode: u32,
}

/// An entry's permission bits from its tar header, or an error naming it.
pub fn header_mode(header: &tar::Header, name: &str) -> io::Result<u32> {
    header.mode().map(|m| m & 0o7777).map_err(|e| bad(format!("entry {name:?}: its mode is not a number ({e})")))
}

impl Seen {
    pub fn add(&mut self, path: String, entry: SeenEntry) {
        self.0.insert(path, entry);
    }

    /// A hard link takes on what was seen of its target.
    pub fn get(&self, path: &str) -> Option<SeenEntry> {
        self.0.get(path).cloned()
    }

    /// Every manifest entry was seen, with its size, permission bits and
    /// (where hashed) its SHA-256, and nothing else was. The modes are
    /// compared because without the file hash nothing else covered them:
    /// the fuzzer changed a directory's 0755 to 0760 in a manifest and the
    /// entry checks passed.
    pub fn check(mut self, manifest: &Manifest) -> io::Result<()> {
        for e in &manifest.entries {
            let Some(seen) = self.0.remove(&e.path) else {
                return Err(bad(format!("{} is in the manifest but not in the archive", e.path)));
            };
            if e.kind == EntryKind::File && seen.size != e.size {
                return Err(bad(format!("{}: {} bytes in the archive, {} in the manifest", e.path, seen.size, e.size)));
            }
            if let Some(sha) = seen.sha256.filter(|sha| e.kind == EntryKind::File && *sha != e.sha256) {
                return Err(bad(format!("{}: content does not match the manifest (SHA-256 {sha}, manifest {})", e.path, e.sha256)));
            }
            if seen.mode & 0o7777 != e.mode & 0o7777 {
                return Err(bad(format!("{}: mode {:04o} in the archive, {:04o} in the manifest", e.path, seen.mode & 0o7777, e.mode & 0o7777)));
            }
        }
        match self.0.keys().next() {
            Some(extra) => Err(bad(format!("{extra} is in the archive but not in the manifest"))),
            None => Ok(()),
        }
    }
}
