//! Backups: sources, the archive format, the catalog, repositories,
//! schedules with retention, restore with rollback, and snapshots on change.
//!
//! - `archive/`: the file format (tar + zstd/gzip, chunked AES-256-GCM, a
//!   manifest of SHA-256s) and hostile-archive refusal — no engine state;
pub mod archive;
