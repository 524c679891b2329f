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
    pub added: DateTime<Utc>,
}

impl Record for Profile {
    const WHAT: &'static str = "Home Assistant profile";
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
}
