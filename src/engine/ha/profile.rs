//! Connection profiles: a Home Assistant URL and the name of the vault
//! secret holding its long-lived access token — for instances homedeck
//! deployed and for ones it did not. A profile named like a deployment is
//! the one that deployment's health check uses for `/api/`.

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use crate::engine::store::codec::{self, Record};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const TREES: [&str; 1] = [PROFILES];
pub const PROFILES: &str = "ha_profiles";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    /// `http(s)://host:port`, no trailing slash.
    pub url: String,
    /// The vault secret with the long-lived access token.
    pub token_secret: String,
    /// The deployment this profile reaches, when homedeck made it.
    #[serde(default)]
    pub deployment: Option<String>,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// `None` inherits its deployment's site. Absent in records written
    /// before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub added: DateTime<Utc>,
}

impl Record for Profile {
    const WHAT: &'static str = "Home Assistant profile";
}

/// Profile names are typed on command lines and used as default secret
/// names (`ha/NAME/token`): the same short, quote-free alphabet as
/// deployment names, so a profile can be named after its deployment.
pub fn validate_name(name: &str) -> EngineResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(()) } else { Err(EngineError::invalid("profile name", name, "1–40 letters, digits, - or _")) }
}

/// Check and normalise a base URL: http or https, a host, no path beyond `/`.
pub fn normalise_url(url: &str) -> EngineResult<String> {
    let u = url.trim().trim_end_matches('/');
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
        .ok_or_else(|| EngineError::invalid("url", url, "http://host:port or https://host"))?;
    let ok = !rest.is_empty() && !rest.contains('/') && !rest.contains(char::is_whitespace) && !rest.contains('@');
    if !ok {
        return Err(EngineError::invalid("url", url, "http://host:port or https://host (no path, no user info)"));
    }
    Ok(u.to_string())
}

pub fn all(store: &Store) -> EngineResult<Vec<Profile>> {
    let mut out = Vec::new();
    for item in store.tree(PROFILES)?.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<Profile>(&v)?);
    }
    Ok(out)
}

pub fn get(store: &Store, name: &str) -> EngineResult<Profile> {
    store.get::<Profile>(&store.tree(PROFILES)?, name.as_bytes())?.ok_or_else(|| EngineError::not_found("Home Assistant profile", name))
}

pub fn find(store: &Store, name: &str) -> EngineResult<Option<Profile>> {
    store.get::<Profile>(&store.tree(PROFILES)?, name.as_bytes())
}

pub fn put(store: &Store, p: &Profile) -> EngineResult<()> {
    store.put(&store.tree(PROFILES)?, p.name.as_bytes(), p)
}

pub fn remove(store: &Store, name: &str) -> EngineResult<bool> {
    Ok(store.tree(PROFILES)?.remove(name.as_bytes())?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(normalise_url("http://127.0.0.1:8123/").unwrap(), "http://127.0.0.1:8123");
        assert_eq!(normalise_url(" https://ha.lan ").unwrap(), "https://ha.lan");
        for bad in ["127.0.0.1:8123", "http://", "http://a/b", "http://u:p@h", "ws://h"] {
            let e = normalise_url(bad).unwrap_err().to_string();
            assert!(e.contains("invalid url"), "{e}");
        }
    }

    #[test]
    fn names() {
        for good in ["home", "ha-2024", "a_b", &"x".repeat(40)] {
            validate_name(good).unwrap();
        }
        for bad in ["", "-x", "a b", "a/b", "x;rm", &"a".repeat(41)] {
            let e = validate_name(bad).unwrap_err().to_string();
            assert!(e.contains("profile name"), "{e}");
        }
    }
}
