//! A stored secret: metadata in the clear, value sealed. After revocation
//! the sealed value is dropped, so not even a key holder can read it again.

use super::crypto::Sealed;
use super::types::{SecretAccess, SecretMeta};
use crate::engine::error::EngineError;
use crate::engine::store::codec::Record;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretRecord {
    pub meta: SecretMeta,
    pub sealed: Option<Sealed>,
}

impl Record for SecretRecord {
    const WHAT: &'static str = "secret";
}

/// The metadata half of a stored secret: listing reads only this, so the
/// sealed value is skipped rather than decoded.
#[derive(Debug, Deserialize)]
pub struct SecretMetaOnly {
    pub meta: SecretMeta,
}

impl Serialize for SecretMetaOnly {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("SecretMetaOnly is read-only"))
    }
}

impl Record for SecretMetaOnly {
    const WHAT: &'static str = "secret";
    const VERSION: u8 = SecretRecord::VERSION;
}

impl Record for SecretAccess {
    const WHAT: &'static str = "secret access record";
}

/// Secret names: what people type, so keep them plain.
pub fn validate_name(name: &str) -> Result<(), EngineError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "-_.:/@".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(ok_char) {
        return Err(EngineError::invalid(
            "secret name",
            name,
            "1–64 characters of letters, digits and - _ . : / @",
        ));
    }
    Ok(())
}

/// Values are never echoed back in errors, only described.
pub fn validate_value(len: usize) -> Result<(), EngineError> {
    const MAX: usize = 64 * 1024;
    if len == 0 {
        return Err(EngineError::invalid("secret value", "(empty)", "a non-empty value"));
    }
    if len > MAX {
        return Err(EngineError::invalid("secret value", format!("({len} bytes)"), "at most 64 KiB"));
    }
    Ok(())
}

pub fn validate_passphrase(len_chars: usize) -> Result<(), EngineError> {
    if len_chars < 8 {
        return Err(EngineError::invalid(
            "passphrase",
            format!("({len_chars} characters)"),
            "at least 8 characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("ha/token-1").is_ok());
        let e = validate_name("bad name;rm").unwrap_err().to_string();
        assert!(e.contains("\"bad name;rm\"") && e.contains("letters"), "{e}");
        assert!(validate_name("").is_err());
    }

    #[test]
    fn values_never_echoed() {
        let e = validate_value(0).unwrap_err().to_string();
        assert!(e.contains("non-empty"));
        assert!(validate_value(70_000).unwrap_err().to_string().contains("64 KiB"));
        assert!(validate_passphrase(3).unwrap_err().to_string().contains("at least 8"));
    }
}
