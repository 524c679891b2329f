//! The engine's errors. Each message is meant to be shown to a person as is:
//! it quotes the bad value (never a secret one) and says what was expected.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Error, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineError {
    #[error("homedeck is read-only: `{command}` changes state and was refused (started with --readonly or `readonly = true` in config.toml)")]
    ReadOnly { command: String },

    #[error("the vault is not initialised yet: run `homedeck vault init` (or press `i` in the Secrets pane)")]
    VaultNotInitialized,

    #[error("the vault is already initialised; use `homedeck vault passwd` to change its passphrase")]
    VaultAlreadyInitialized,

    #[error("the vault is locked: unlock it first (`homedeck vault status`, or `u` in the Secrets pane)")]
    VaultLocked,

    #[error("wrong passphrase ({failures} failed attempt(s) in a row); the next attempt is allowed in {retry_in_secs} s")]
    WrongPassphrase { failures: u32, retry_in_secs: u64 },

    #[error("unlock is backing off after {failures} failed attempt(s): try again in {retry_in_secs} s")]
    UnlockBackoff { failures: u32, retry_in_secs: u64 },

    /// Things with ids (backups, snapshots, runs) are "with id 999", never
    /// "named".
    #[error("no {what} {}", if *.by_id { format!("with id {name}") } else { format!("named {name:?}") })]
    NotFound {
        what: String,
        name: String,
        #[serde(default)]
        by_id: bool,
    },

    #[error("a {what} named {name:?} already exists")]
    AlreadyExists { what: String, name: String },

    #[error("invalid {field}: {value:?} — expected {expected}")]
    Invalid { field: String, value: String, expected: String },

    #[error("secret {name:?} was revoked at {at} ({reason}); revoked secrets can never be read again")]
    Revoked { name: String, at: String, reason: String },

    #[error("the data dir {path} is in use by another homedeck ({holder}); close it or pass a different --data-dir")]
    Busy { path: String, holder: String },

    #[error("the store failed: {0}")]
    Store(#[serde(with = "message")] String),

    #[error("the stored {what} could not be read: {detail}")]
    Corrupt { what: String, detail: String },

    #[error("cannot reach server {server} at {address}: {reason}")]
    Unreachable { server: String, address: String, reason: String },

    #[error("cannot resolve host {host:?} of server {server}: {detail} (DNS failure — check the name, or use an IP address)")]
    DnsFailure { server: String, host: String, detail: String },

    #[error("authentication failed for {user}@{server} with {method}{hint}")]
    AuthFailed { server: String, user: String, method: String, hint: String },

    #[error("HOST KEY MISMATCH for server {server}: pinned {pinned}, but the server presented {presented}. Refused — this can be a man-in-the-middle. If the server was reinstalled, check the new fingerprint on its console and run `homedeck server trust {server} --fingerprint {presented}`")]
    HostKeyMismatch { server: String, pinned: String, presented: String },

    #[error("server {server}: {detail}")]
    RemoteShellMissing { server: String, detail: String },

    #[error("server {server}: {detail}")]
    Remote { server: String, detail: String },

    #[error("{what} needs confirmation: {reason}. Run it again with confirmed=true (CLI: --yes)")]
    ConfirmationRequired { what: String, reason: String },

    #[error("the private key is protected by a passphrase: give key_passphrase (the CLI prompts for it)")]
    KeyPassphraseRequired,

    /// The operator (or a shutdown) stopped it; audited as `cancelled`, not
    /// as a failure.
    #[error("{what} was cancelled")]
    Cancelled { what: String },

    /// Too many calls (a token over its rate, a peer sending wrong tokens):
    /// the caller may try again after `retry_after_ms` (HTTP answers 429
    /// with `Retry-After` from it).
    #[error("rate limited: {what}; retry in {:.1} s", *.retry_after_ms as f64 / 1000.0)]
    RateLimited { what: String, retry_after_ms: u64 },

    #[error("{0}")]
    Other(#[serde(with = "message")] String),
}

/// The wire form of the one-string variants: `{"kind": "other", "message":
/// "…"}`. An internally tagged enum cannot carry a bare string, and
/// serde_json refused to encode them, so an attached client lost the
/// message (it saw the daemon drop the answer instead).
mod message {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Message {
        message: String,
    }

    pub fn serialize<S: Serializer>(m: &str, s: S) -> Result<S::Ok, S::Error> {
        Message { message: m.to_string() }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Message::deserialize(d).map(|m| m.message)
    }
}

impl EngineError {
    pub fn invalid(field: &str, value: impl Into<String>, expected: &str) -> Self {
        EngineError::Invalid {
            field: field.to_string(),
            value: value.into(),
            expected: expected.to_string(),
        }
    }

    pub fn not_found(what: &str, name: &str) -> Self {
        EngineError::NotFound { what: what.to_string(), name: name.to_string(), by_id: false }
    }

    pub fn not_found_id(what: &str, id: u64) -> Self {
        EngineError::NotFound { what: what.to_string(), name: id.to_string(), by_id: true }
    }
}

impl From<sled::Error> for EngineError {
    fn from(e: sled::Error) -> Self {
        EngineError::Store(e.to_string())
    }
}

impl From<sled::transaction::TransactionError<EngineError>> for EngineError {
    fn from(e: sled::transaction::TransactionError<EngineError>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(inner) => inner,
            sled::transaction::TransactionError::Storage(s) => EngineError::Store(s.to_string()),
        }
    }
}

pub type EngineResult<T> = Result<T, EngineError>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every variant crosses the daemon socket as JSON and comes back the
    /// same, so an attached CLI prints what an in-process one prints.
    #[test]
    fn every_variant_round_trips_through_json() {
        let s = || "x".to_string();
        let all = vec![
            EngineError::ReadOnly { command: s() },
            EngineError::VaultNotInitialized,
            EngineError::VaultAlreadyInitialized,
            EngineError::VaultLocked,
            EngineError::WrongPassphrase { failures: 2, retry_in_secs: 4 },
            EngineError::UnlockBackoff { failures: 2, retry_in_secs: 4 },
            EngineError::NotFound { what: s(), name: s(), by_id: true },
            EngineError::AlreadyExists { what: s(), name: s() },
            EngineError::invalid("f", "v", "e"),
            EngineError::Revoked { name: s(), at: s(), reason: s() },
            EngineError::Busy { path: s(), holder: s() },
            EngineError::Store("sled said no".into()),
            EngineError::Corrupt { what: s(), detail: s() },
            EngineError::Unreachable { server: s(), address: s(), reason: s() },
            EngineError::DnsFailure { server: s(), host: s(), detail: s() },
            EngineError::AuthFailed { server: s(), user: s(), method: s(), hint: s() },
            EngineError::HostKeyMismatch { server: s(), pinned: s(), presented: s() },
            EngineError::RemoteShellMissing { server: s(), detail: s() },
            EngineError::Remote { server: s(), detail: s() },
            EngineError::ConfirmationRequired { what: s(), reason: s() },
            EngineError::KeyPassphraseRequired,
            EngineError::Other("backup of big: cancelled".into()),
            EngineError::Cancelled { what: s() },
            EngineError::RateLimited { what: s(), retry_after_ms: 1500 },
        ];
        // No wildcard: a new variant does not compile until it is listed above.
        let listed = |e: &EngineError| match e {
            EngineError::ReadOnly { .. }
            | EngineError::VaultNotInitialized
            | EngineError::VaultAlreadyInitialized
            | EngineError::VaultLocked
            | EngineError::WrongPassphrase { .. }
            | EngineError::UnlockBackoff { .. }
            | EngineError::NotFound { .. }
            | EngineError::AlreadyExists { .. }
            | EngineError::Invalid { .. }
            | EngineError::Revoked { .. }
            | EngineError::Busy { .. }
            | EngineError::Store(_)
            | EngineError::Corrupt { .. }
            | EngineError::Unreachable { .. }
            | EngineError::DnsFailure { .. }
            | EngineError::AuthFailed { .. }
            | EngineError::HostKeyMismatch { .. }
            | EngineError::RemoteShellMissing { .. }
            | EngineError::Remote { .. }
            | EngineError::RateLimited { .. }
            | EngineError::ConfirmationRequired { .. }
            | EngineError::KeyPassphraseRequired
            | EngineError::Cancelled { .. }
            | EngineError::Other(_) => std::mem::discriminant(e),
        };
        let kinds: std::collections::HashSet<_> = all.iter().map(listed).collect();
        assert_eq!(kinds.len(), all.len(), "each variant once");
        for e in all {
            let json = serde_json::to_string(&e).unwrap_or_else(|err| panic!("{e:?} does not encode: {err}"));
            let back: EngineError = serde_json::from_str(&json).unwrap();
            assert_eq!(back, e, "{json}");
            assert_eq!(back.to_string(), e.to_string());
        }
        let json = serde_json::to_string(&EngineError::Other("m".into())).unwrap();
        assert_eq!(json, r#"{"kind":"other","message":"m"}"#);
    }
}
