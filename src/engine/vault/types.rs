//! What the vault shows of a secret — everything except its value.

use crate::engine::actor::Actor;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    ApiKey,
    Password,
    Token,
    Certificate,
    SshKey,
}

impl SecretKind {
    pub const ALL: [SecretKind; 5] = [
        SecretKind::ApiKey,
        SecretKind::Password,
        SecretKind::Token,
        SecretKind::Certificate,
        SecretKind::SshKey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "api_key",
            SecretKind::Password => "password",
            SecretKind::Token => "token",
            SecretKind::Certificate => "certificate",
            SecretKind::SshKey => "ssh_key",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecretKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SecretKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("invalid secret type {s:?} — expected one of api_key, password, token, certificate, ssh_key"))
    }
}

/// Why and when a secret was revoked. Revocation is final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub reason: String,
    pub by: String,
}

/// A secret's metadata: safe to list, log and show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretMeta {
    pub id: u64,
    pub name: String,
    pub kind: SecretKind,
    pub note: Option<String>,
    pub created: DateTime<Utc>,
    pub last_rotated: Option<DateTime<Utc>>,
    pub rotation_days: Option<u32>,
    /// Bumped on every rotation; part of the sealed value's associated data.
    pub version: u32,
    pub access_count: u64,
    pub last_access: Option<DateTime<Utc>>,
    pub revoked: Option<Revocation>,
}

impl SecretMeta {
    /// When rotation falls due: the rotation interval after the last rotation
    /// (or creation). `None` when no interval is set or the secret is revoked.
    pub fn rotation_due_at(&self) -> Option<DateTime<Utc>> {
        if self.revoked.is_some() {
            return None;
        }
        let days = self.rotation_days.filter(|d| *d > 0)?;
        let since = self.last_rotated.unwrap_or(self.created);
        Some(since + Duration::days(i64::from(days)))
    }

    pub fn rotation_due(&self, now: DateTime<Utc>) -> bool {
        self.rotation_due_at().is_some_and(|due| due <= now)
    }
}

/// One line of a secret's access history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretAccess {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// create, reveal, rotate, set_rotation, revoke, denied.
    pub action: String,
    pub ok: bool,
}

/// The vault's state as front ends show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultStatus {
    pub initialized: bool,
    pub unlocked: bool,
    pub secrets: u64,
    pub created: Option<DateTime<Utc>>,
    pub passphrase_changed: Option<DateTime<Utc>>,
    pub idle_lock_secs: u64,
    /// Seconds until the idle lock, while unlocked.
    pub locks_in_secs: Option<u64>,
    pub failed_unlocks: u32,
    pub rotation_due: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(days: Option<u32>) -> SecretMeta {
        SecretMeta {
            id: 1,
            name: "n".into(),
            kind: SecretKind::Token,
            note: None,
            created: Utc::now() - Duration::days(10),
            last_rotated: None,
            rotation_days: days,
            version: 1,
            access_count: 0,
            last_access: None,
            revoked: None,
        }
    }

    #[test]
    fn rotation_due_follows_interval() {
        let now = Utc::now();
        assert!(meta(Some(7)).rotation_due(now));
        assert!(!meta(Some(30)).rotation_due(now));
        assert!(!meta(None).rotation_due(now));
        assert!(!meta(Some(0)).rotation_due(now));
    }

    #[test]
    fn kinds_parse_and_reject_clearly() {
        assert_eq!("ssh_key".parse::<SecretKind>(), Ok(SecretKind::SshKey));
        let err = "sshkey".parse::<SecretKind>().unwrap_err();
        assert!(err.contains("\"sshkey\"") && err.contains("api_key"));
    }
}
