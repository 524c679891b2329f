//! A wrapper for secret material (secret values, passphrases).
//!
//! It exists so that secrets cannot leak by accident: `Debug` prints a
//! placeholder, there is no `Display`, and the bytes are zeroized on drop.
//! `Serialize` does write the real value, because a command carrying a secret
//! must be able to cross a socket to a daemon; the audit log never serializes
//! commands, it records names and redacted changes only.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::Zeroizing;

/// What every redacted value is shown as.
pub const REDACTED: &str = "[redacted]";

#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(Zeroizing<String>);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        SecretValue(Zeroizing::new(value.into()))
    }

    /// The secret itself. Call sites are few and deliberate: sealing,
    /// revealing to the operator, and handing a credential to a protocol.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for SecretValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretValue::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let v = SecretValue::new("hunter2-canary");
        assert_eq!(format!("{v:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&v)), format!("Some({REDACTED})"));
    }

    #[test]
    fn serde_round_trips_the_real_value() {
        let v = SecretValue::new("abc");
        let s = serde_json::to_string(&v).unwrap();
        let back: SecretValue = serde_json::from_str(&s).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
