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

    /// The first line of a passphrase or password file. A file that group or
    /// others may read is refused before it is read: a secret in a
    /// world-readable file is no longer a secret, and saying so at once
    /// beats finding out later. The error names the file and the fix, never
    /// the content; the caller adds which variable or setting named it.
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        use std::os::unix::fs::PermissionsExt;
        let shown = path.display();
        let mode = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{shown} is readable by group or others (mode {mode:04o}) — expected it readable by you only; run `chmod 600 {shown}`"
            ));
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?);
        match text.lines().next() {
            Some(line) if !line.is_empty() => Ok(SecretValue::new(line)),
            _ => Err(format!("{shown} is empty — expected the secret on its first line")),
        }
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

/// Marks a secret argument in a generated schema, so a tool generator can
/// drop it (secrets are prompted for, never passed by a model or an MCP client).
pub const SECRET_SCHEMA_MARK: &str = "x-homedeck-secret";

impl schemars::JsonSchema for SecretValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretValue".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "writeOnly": true, "x-homedeck-secret": true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pass");
        std::fs::write(&f, "hunter2-hunter2\nignored\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = SecretValue::from_file(&f).unwrap_err();
        assert!(e.contains("mode 0644") && e.contains(&format!("chmod 600 {}", f.display())), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(SecretValue::from_file(&f).unwrap().expose(), "hunter2-hunter2");
        std::fs::write(&f, "\n").unwrap();
        assert!(SecretValue::from_file(&f).unwrap_err().contains("is empty"));
    }

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
