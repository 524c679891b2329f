//! The homedeck archive: one file that streams from start to end.
//!
//! ```text
//! "HDBK" 0x01 │ header length (u32 BE) │ header JSON │ body
//! body, plain:      zstd|gzip( tar )
//! body, encrypted:  frame* where frame = final flag (u8) │ length (u32 BE) │ AES-256-GCM(chunk)
//! ```
//!
//! The tar stream holds the source's files under `files/`, live captures
//! (a Node-RED `GET /flows`, a Zigbee2MQTT backup zip) under `live/`, and
//! ends with `.homedeck/manifest.json`: every entry's path, size, mode and
//! SHA-256. The manifest comes last so an archive is written in one pass.
//!
//! Split by concern: `header` (the clear-text preamble), `sealed` (chunked
//! encryption), `writer` / `sink` / `reader` / `readahead` (the streams and
//! the threads they run on), `tail` and `overlap` (reading an archive back
//! while it is written), `manifest`, `safety` (what a restore refuses) and
//! `extract`.

pub mod extract;
pub mod header;
pub mod manifest;
pub mod overlap;
pub mod readahead;
pub mod reader;
pub mod safety;
pub mod sealed;
pub mod sink;
pub mod tail;
pub mod writer;

pub use header::{Compression, Encryption, Header, KeyRef};
pub use manifest::{Manifest, ManifestEntry};

/// Where the manifest sits inside the tar stream.
pub const MANIFEST_PATH: &str = ".homedeck/manifest.json";
/// Source files live under this prefix in the tar stream.
pub const FILES_PREFIX: &str = "files/";
/// Live captures (API exports) live under this prefix.
pub const LIVE_PREFIX: &str = "live/";

// The archive's hashes are the engine's one SHA-256 (`engine::digest`),
// named here so the archive's submodules keep reading `super::Sha256`.
pub(crate) use crate::engine::digest::{Sha256, hex};

/// A fast 128-bit digest (XXH3) over a stream. The read-back after a create
/// compares the file and the decompressed tar stream with what the writer
/// produced through these rather than re-hashing every entry with SHA-256:
/// the same bytes are compared at a tenth of the cost (see `overlap`).
#[derive(Default, Clone)]
pub struct StreamDigest(xxhash_rust::xxh3::Xxh3Default);

impl StreamDigest {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub fn value(&self) -> u128 {
        self.0.digest128()
    }
}

/// An I/O error for a broken archive, carrying a message for people.
pub(crate) fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

#[cfg(test)]
mod tests;
