//! The list of what an archive holds, written as its last tar entry and
//! checked entry by entry whenever an archive is read.

use serde::{Deserialize, Serialize};

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
