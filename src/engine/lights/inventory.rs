//! The lights inventory in sled: WLED devices, FPP hosts and device groups.
//! Names are the keys people type (`homedeck wled set porch …`), so they are
//! short, unique, and limited to characters that need no quoting.

use super::TREES;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One WLED controller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WledDevice {
    pub name: String,
    /// `host` or `host:port` as homedeck reaches it.
    pub address: String,
    #[serde(default)]
    pub mac: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub led_count: u32,
    /// rgb, rgbw or cct.
    #[serde(default)]
    pub kind: String,
    /// The name the device gives itself.
    #[serde(default)]
    pub device_name: String,
    pub online: bool,
    pub last_seen: Option<DateTime<Utc>>,
    /// Why the last probe (`alerts::presence`) found it offline; cleared
    /// when it answers. Absent in records written before presence probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub added: DateTime<Utc>,
    /// `manual` or `mdns`.
    pub source: String,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// a device has no server to inherit one from. Absent in records
    /// written before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

impl Record for WledDevice {
    const WHAT: &'static str = "WLED device";
}

/// One Falcon Player host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FppHost {
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub version: String,
    pub online: bool,
    pub last_seen: Option<DateTime<Utc>>,
    /// Why the last probe (`alerts::presence`) found it offline; cleared
    /// when it answers. Absent in records written before presence probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub added: DateTime<Utc>,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// a host has no server to inherit one from. Absent in records
    /// written before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

impl Record for FppHost {
    const WHAT: &'static str = "FPP host";
}

/// Several WLED devices acted on as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
}

impl Record for Group {
    const WHAT: &'static str = "device group";
}

/// 1–32 characters of letters, digits, `-`, `_`, `.`; starts with a letter or digit.
pub fn validate_name(field: &str, name: &str) -> EngineResult<()> {
    let ok = (1..=32).contains(&name.len())
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid(field, name, "1–32 letters, digits, - _ . (starting with a letter or digit)"))
    }
}

/// Make a valid name out of what a device calls itself ("WLED Porch" → "wled-porch").
pub fn slug(raw: &str) -> String {
    let mut s: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c.to_ascii_lowercase() } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    let s: String = s.chars().take(28).collect();
    if s.is_empty() { "wled".into() } else { s }
}

/// Typed access to the lights trees.
pub struct Inventory<'a> {
    store: &'a Store,
    devices: sled::Tree,
    hosts: sled::Tree,
    groups: sled::Tree,
}

impl<'a> Inventory<'a> {
    pub fn open(store: &'a Store) -> EngineResult<Self> {
        Ok(Inventory {
            store,
            devices: store.tree(TREES.devices)?,
            hosts: store.tree(TREES.fpp_hosts)?,
            groups: store.tree(TREES.groups)?,
        })
    }

    pub fn devices(&self) -> EngineResult<Vec<WledDevice>> {
        self.devices.iter().values().map(|v| crate::engine::store::codec::decode(&v?)).collect()
    }

    pub fn device(&self, name: &str) -> EngineResult<Option<WledDevice>> {
        self.store.get(&self.devices, name)
    }

    pub fn need_device(&self, name: &str) -> EngineResult<WledDevice> {
        self.device(name)?.ok_or_else(|| EngineError::not_found("WLED device", name))
    }

    pub fn put_device(&self, d: &WledDevice) -> EngineResult<()> {
        self.store.put(&self.devices, &d.name, d)
    }

    pub fn remove_device(&self, name: &str) -> EngineResult<bool> {
        Ok(self.devices.remove(name)?.is_some())
    }

    /// A name not yet taken: `base`, `base-2`, `base-3` …
    pub fn free_name(&self, base: &str) -> EngineResult<String> {
        let mut name = base.to_string();
        let mut n = 2;
        while self.devices.contains_key(&name)? || self.groups.contains_key(&name)? {
            name = format!("{base}-{n}");
            n += 1;
        }
        Ok(name)
    }

    pub fn hosts(&self) -> EngineResult<Vec<FppHost>> {
        self.hosts.iter().values().map(|v| crate::engine::store::codec::decode(&v?)).collect()
    }

    pub fn need_host(&self, name: &str) -> EngineResult<FppHost> {
        self.store.get(&self.hosts, name)?.ok_or_else(|| EngineError::not_found("FPP host", name))
    }

    pub fn host_exists(&self, name: &str) -> EngineResult<bool> {
        Ok(self.hosts.contains_key(name)?)
    }

    pub fn put_host(&self, h: &FppHost) -> EngineResult<()> {
        self.store.put(&self.hosts, &h.name, h)
    }

    pub fn remove_host(&self, name: &str) -> EngineResult<bool> {
        Ok(self.hosts.remove(name)?.is_some())
    }

    pub fn groups(&self) -> EngineResult<Vec<Group>> {
        self.groups.iter().values().map(|v| crate::engine::store::codec::decode(&v?)).collect()
    }

    pub fn group(&self, name: &str) -> EngineResult<Option<Group>> {
        self.store.get(&self.groups, name)
    }

    pub fn put_group(&self, g: &Group) -> EngineResult<()> {
        self.store.put(&self.groups, &g.name, g)
    }

    pub fn remove_group(&self, name: &str) -> EngineResult<bool> {
        Ok(self.groups.remove(name)?.is_some())
    }

    /// A device name, a group name standing for its members, or `site:S`
    /// for every device at that site.
    pub fn resolve(&self, target: &str) -> EngineResult<Vec<WledDevice>> {
        if let Some(site) = crate::engine::sites::targets::site_target(target) {
            return crate::engine::sites::targets::wled_devices(self.store, target, site);
        }
        if let Some(d) = self.device(target)? {
            return Ok(vec![d]);
        }
        if let Some(g) = self.group(target)? {
            return g.members.iter().map(|m| self.need_device(m)).collect();
        }
        Err(EngineError::invalid(
            "target",
            target,
            "the name of a WLED device or group, or site:S (`homedeck wled list`, `homedeck wled group list`)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_slugs() {
        assert!(validate_name("name", "porch-1").is_ok());
        for bad in ["", "-x", "a b", "ä", &"x".repeat(33)] {
            assert!(validate_name("name", bad).is_err(), "{bad}");
        }
        assert_eq!(slug("WLED Porch  Lights!"), "wled-porch-lights");
        assert_eq!(slug("!!!"), "wled");
        assert!(validate_name("name", &slug("Ünïcode ✨ tree")).is_ok());
    }
}
