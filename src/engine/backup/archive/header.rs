//! The clear-text preamble of an archive: format, compression, and how the
//! key is found (never the key). Its bytes are bound into every encrypted
//! chunk, so changing a header field makes every chunk fail to open.

use super::bad;
use crate::engine::vault::crypto::KdfParams;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

pub const MAGIC: &[u8; 5] = b"HDBK\x01";
/// A header larger than this is not a homedeck header.
pub const MAX_HEADER: u32 = 64 * 1024;
/// Plaintext bytes per encrypted chunk.
pub const CHUNK_SIZE: u32 = 1024 * 1024;
/// Readers refuse chunk sizes above this (no blind allocation).
pub const MAX_CHUNK: u32 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    #[default]
    Zstd,
    Gzip,
}

impl std::str::FromStr for Compression {
    type Err = crate::engine::EngineError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zstd" | "zst" => Ok(Compression::Zstd),
            "gzip" | "gz" => Ok(Compression::Gzip),
            _ => Err(crate::engine::EngineError::invalid("compression", s, "zstd or gzip")),
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
        })
    }
}

/// Where the archive's key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum KeyRef {
    /// A backup password typed by the operator.
    Password,
    /// A secret in the vault, by name.
    Vault(String),
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRef::Password => f.write_str("password"),
            KeyRef::Vault(n) => write!(f, "vault secret {n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encryption {
    pub key: KeyRef,
    pub kdf: KdfParams,
    /// Argon2id salt, hex.
    pub salt: String,
    /// First four bytes of every chunk nonce, hex.
    pub nonce_prefix: String,
    pub chunk_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub compression: Compression,
    pub encryption: Option<Encryption>,
    pub source: String,
    pub kind: String,
    pub created: chrono::DateTime<chrono::Utc>,
    pub homedeck: String,
}

impl Header {
    /// Write magic, length and JSON; returns the exact header bytes (for AAD).
    pub fn write_to(&self, w: &mut impl Write) -> std::io::Result<Vec<u8>> {
        let json = serde_json::to_vec(self).map_err(|e| bad(format!("cannot encode header: {e}")))?;
        w.write_all(MAGIC)?;
        w.write_all(&(json.len() as u32).to_be_bytes())?;
        w.write_all(&json)?;
        Ok(json)
    }

    /// Read and check the preamble. Returns the header and its raw bytes.
    pub fn read_from(r: &mut impl Read) -> std::io::Result<(Header, Vec<u8>)> {
        let mut magic = [0u8; 5];
        r.read_exact(&mut magic).map_err(|_| bad("not a homedeck archive: the file is shorter than its preamble"))?;
        if &magic != MAGIC {
            return Err(bad(format!("not a homedeck archive: starts with {:?}, expected \"HDBK\\x01\"", String::from_utf8_lossy(&magic))));
        }
        let mut len = [0u8; 4];
        r.read_exact(&mut len).map_err(|_| bad("archive header is cut short"))?;
        let len = u32::from_be_bytes(len);
        if len > MAX_HEADER {
            return Err(bad(format!("archive header claims {len} bytes, at most {MAX_HEADER} expected")));
        }
        let mut json = vec![0u8; len as usize];
        r.read_exact(&mut json).map_err(|_| bad("archive header is cut short"))?;
        let h: Header = serde_json::from_slice(&json).map_err(|e| bad(format!("archive header is not valid: {e}")))?;
        if h.format != 1 {
            return Err(bad(format!("archive format {} is not readable by this homedeck (expects 1)", h.format)));
        }
        if let Some(e) = &h.encryption {
            if e.chunk_size == 0 || e.chunk_size > MAX_CHUNK {
                return Err(bad(format!("archive chunk size {} is outside 1..={MAX_CHUNK}", e.chunk_size)));
            }
            // A hostile header must not make us allocate gigabytes in Argon2.
            if e.kdf.memory_kib > 1024 * 1024 || e.kdf.iterations > 64 || e.kdf.parallelism > 16 {
                return Err(bad(format!("archive KDF parameters {:?} are beyond what homedeck writes", e.kdf)));
            }
        }
        Ok((h, json))
    }
}
