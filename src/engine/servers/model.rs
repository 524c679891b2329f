//! What a server is, as stored: where it is, how to log in (by reference to
//! vault secrets, never the secret itself), how it is grouped, and the host
//! key pinned on first contact.

use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The name of the built-in server for the machine homedeck runs on.
pub const LOCAL: &str = "local";

/// How homedeck logs in. Keys and passwords are vault secret names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Auth {
    /// A private key stored in the vault (OpenSSH or PEM text).
    Key { secret: String },
    /// A password stored in the vault.
    Password { secret: String },
    /// Whatever keys the running ssh-agent ($SSH_AUTH_SOCK) offers.
    Agent,
    /// The built-in `local` server: no login at all.
    Local,
}

impl Auth {
    pub fn label(&self) -> String {
        match self {
            Auth::Key { secret } => format!("key ({secret})"),
            Auth::Password { secret } => format!("password ({secret})"),
            Auth::Agent => "ssh-agent".into(),
            Auth::Local => "local processes".into(),
        }
    }
}

/// The auth method as typed by a person: `key`, `password` or `agent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Key,
    Password,
    Agent,
}

impl FromStr for AuthMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "key" => Ok(AuthMethod::Key),
            "password" => Ok(AuthMethod::Password),
            "agent" => Ok(AuthMethod::Agent),
            _ => Err(format!("invalid auth {s:?} — expected key, password or agent")),
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthMethod::Key => "key",
            AuthMethod::Password => "password",
            AuthMethod::Agent => "agent",
        })
    }
}

/// A host key accepted for a server (trust on first use, or `server trust`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedKey {
    /// e.g. `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:…`, the form `ssh-keygen -lf` prints.
    pub fingerprint: String,
    /// The public key in OpenSSH one-line form, for known_hosts export.
    pub openssh: String,
    pub pinned_at: DateTime<Utc>,
    /// `first use` or the actor who ran `server trust`.
    pub pinned_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Server {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub auth: Auth,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub host_key: Option<PinnedKey>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

impl Record for Server {
    const WHAT: &'static str = "server";
}

impl Server {
    pub fn is_local(&self) -> bool {
        matches!(self.auth, Auth::Local)
    }

    /// The built-in server for this machine; never stored, always listed.
    pub fn local() -> Server {
        let now = Utc::now();
        Server {
            name: LOCAL.into(),
            host: "localhost".into(),
            port: 0,
            user: whoami::username(),
            auth: Auth::Local,
            tags: vec!["builtin".into()],
            site: None,
            host_key: None,
            created: now,
            updated: now,
        }
    }

    /// `user@host:port`, or `this machine` for `local`.
    pub fn address(&self) -> String {
        if self.is_local() {
            return "this machine".into();
        }
        if self.host.contains(':') {
            format!("{}@[{}]:{}", self.user, self.host, self.port)
        } else {
            format!("{}@{}:{}", self.user, self.host, self.port)
        }
    }
}
