//! The vault header and the unlock-failure counter, as stored in the `vault` tree.

use super::crypto::{KdfParams, Sealed};
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const HEADER_KEY: &[u8] = b"header";
pub const FAILURES_KEY: &[u8] = b"unlock_failures";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VaultHeader {
    pub created: DateTime<Utc>,
    pub passphrase_changed: Option<DateTime<Utc>>,
    pub kdf: KdfParams,
    /// Base64 of the Argon2 salt.
    pub salt: String,
    /// The data key, sealed with the key-encryption key.
    pub wrapped_key: Sealed,
}

impl Record for VaultHeader {
    const WHAT: &'static str = "vault header";
}

/// Kept in the db, not in memory, so restarting homedeck does not reset the
/// back-off: a guesser gains nothing by starting a new process.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UnlockFailures {
    pub count: u32,
    pub last: Option<DateTime<Utc>>,
}

impl Record for UnlockFailures {
    const WHAT: &'static str = "unlock failure counter";
}

impl UnlockFailures {
    /// 1 s after the first failure, then 2 s, 4 s … capped at five minutes.
    pub fn backoff_secs(&self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let exp = (self.count - 1).min(8);
        (1u64 << exp).min(300)
    }

    /// Seconds still to wait before another attempt is allowed.
    pub fn wait_secs(&self, now: DateTime<Utc>) -> u64 {
        let Some(last) = self.last else { return 0 };
        let allowed = last + chrono::Duration::seconds(self.backoff_secs() as i64);
        let left = (allowed - now).num_milliseconds();
        if left <= 0 { 0 } else { (left as u64).div_ceil(1000) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let f = |count| UnlockFailures { count, last: None }.backoff_secs();
        assert_eq!((f(0), f(1), f(2), f(3), f(4)), (0, 1, 2, 4, 8));
        assert_eq!(f(40), 256);
    }

    #[test]
    fn wait_counts_down() {
        let now = Utc::now();
        let f = UnlockFailures { count: 3, last: Some(now) };
        assert_eq!(f.wait_secs(now), 4);
        assert_eq!(f.wait_secs(now + chrono::Duration::seconds(4)), 0);
    }
}
