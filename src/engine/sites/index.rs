//! Effective sites: one read of the trees whose sites others inherit
//! (servers, deployments, WLED devices, FPP hosts), then lookups. Lists
//! call the `fill_*` functions so every front end sees a resource's
//! effective site in its `site` field without knowing the rule.

use super::inherit;
use crate::engine::backup::model::Source;
use crate::engine::deploy::model::Deployment;
use crate::engine::error::EngineResult;
use crate::engine::ha::profile::Profile;
use crate::engine::servers::model::LOCAL;
use crate::engine::store::Store;
use std::collections::HashMap;

/// The sites other resources inherit from, read once.
#[derive(Debug, Default, Clone)]
pub struct SiteIndex {
    servers: HashMap<String, Option<String>>,
    /// Deployment name → (own site, server name).
    deployments: HashMap<String, (Option<String>, String)>,
    wled: HashMap<String, Option<String>>,
    fpp: HashMap<String, Option<String>>,
}

impl SiteIndex {
    pub(crate) fn load(store: &Store) -> EngineResult<SiteIndex> {
        let mut ix = SiteIndex::default();
        for s in crate::engine::servers::store::all(store)? {
            ix.add_server(&s.name, s.site);
        }
        for d in crate::engine::deploy::store::all(store)? {
            ix.add_deployment(&d.name, d.site, &d.server);
        }
        let inv = crate::engine::lights::inventory::Inventory::open(store)?;
        for d in inv.devices()? {
            ix.add_device(true, &d.name, d.site);
        }
        for h in inv.hosts()? {
            ix.add_device(false, &h.name, h.site);
        }
        Ok(ix)
    }

    pub fn add_server(&mut self, name: &str, site: Option<String>) {
        self.servers.insert(name.to_string(), site);
    }

    pub fn add_deployment(&mut self, name: &str, own: Option<String>, server: &str) {
        self.deployments.insert(name.to_string(), (own, server.to_string()));
    }

    pub fn add_device(&mut self, wled: bool, name: &str, site: Option<String>) {
        let map = if wled { &mut self.wled } else { &mut self.fpp };
        map.insert(name.to_string(), site);
    }

    pub fn server(&self, name: &str) -> Option<&str> {
        self.servers.get(name).and_then(|s| s.as_deref())
    }

    /// A deployment is at its own site, else its server's.
    pub fn deployment(&self, name: &str) -> Option<String> {
        let (own, server) = self.deployments.get(name)?;
        inherit(own.as_deref(), self.server(server))
    }

    pub fn deployment_of(&self, d: &Deployment) -> Option<String> {
        inherit(d.site.as_deref(), self.server(&d.server))
    }

    /// A profile is at its own site, else its deployment's.
    pub fn profile(&self, p: &Profile) -> Option<String> {
        let parent = p.deployment.as_deref().and_then(|d| self.deployment(d));
        inherit(p.site.as_deref(), parent.as_deref())
    }

    /// A backup source is at its own site, else at its WLED device's or FPP
    /// host's (live sources), else at its server's (`local` for this machine).
    pub fn source(&self, s: &Source) -> Option<String> {
        let device = s.device.as_deref().and_then(|d| match s.kind {
            crate::engine::backup::model::SourceKind::Wled => self.wled.get(d).cloned().flatten(),
            crate::engine::backup::model::SourceKind::Fpp => self.fpp.get(d).cloned().flatten(),
            _ => None,
        });
        let server = device.or_else(|| self.server(s.server.as_deref().unwrap_or(LOCAL)).map(str::to_string));
        inherit(s.site.as_deref(), server.as_deref())
    }
}

/// Put each deployment's effective site in its `site` (for a list).
pub(crate) fn fill_deployments(store: &Store, list: &mut [Deployment]) -> EngineResult<()> {
    let ix = SiteIndex::load(store)?;
    for d in list {
        d.site = ix.deployment_of(d);
    }
    Ok(())
}

/// Put each profile's effective site in its `site` (for a list).
pub(crate) fn fill_profiles(store: &Store, list: &mut [Profile]) -> EngineResult<()> {
    let ix = SiteIndex::load(store)?;
    for p in list {
        p.site = ix.profile(p);
    }
    Ok(())
}

/// Put each backup source's effective site in its `site` (for a list).
pub(crate) fn fill_sources<'a>(store: &Store, list: impl IntoIterator<Item = &'a mut Source>) -> EngineResult<()> {
    let ix = SiteIndex::load(store)?;
    for s in list {
        s.site = ix.source(s);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SiteIndex {
        let mut ix = SiteIndex::default();
        ix.add_server("pi", Some("cabin".into()));
        ix.add_server("nas", Some("house".into()));
        ix.add_server("bare", None);
        ix.add_deployment("ha-cabin", None, "pi");
        ix.add_deployment("ha-moved", Some("flat".into()), "nas");
        ix.add_deployment("ha-bare", None, "bare");
        ix.add_device(true, "porch", Some("cabin".into()));
        ix
    }

    #[test]
    fn a_deployment_is_at_its_servers_site_unless_set() {
        let ix = index();
        assert_eq!(ix.deployment("ha-cabin").as_deref(), Some("cabin"));
        assert_eq!(ix.deployment("ha-moved").as_deref(), Some("flat"));
        assert_eq!(ix.deployment("ha-bare"), None);
        assert_eq!(ix.deployment("unknown"), None);
    }

    #[test]
    fn moving_a_server_moves_what_inherits_from_it() {
        let mut ix = index();
        ix.add_server("pi", Some("house".into()));
        assert_eq!(ix.deployment("ha-cabin").as_deref(), Some("house"));
        assert_eq!(ix.deployment("ha-moved").as_deref(), Some("flat"));
    }

    fn profile(deployment: Option<&str>, site: Option<&str>) -> Profile {
        Profile {
            name: "p".into(),
            url: "http://127.0.0.1:8123".into(),
            token_secret: "t".into(),
            deployment: deployment.map(String::from),
            site: site.map(String::from),
            added: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_profile_follows_its_deployment_through_to_the_server() {
        let ix = index();
        assert_eq!(ix.profile(&profile(Some("ha-cabin"), None)).as_deref(), Some("cabin"));
        assert_eq!(ix.profile(&profile(Some("ha-moved"), None)).as_deref(), Some("flat"));
        assert_eq!(ix.profile(&profile(Some("ha-cabin"), Some("house"))).as_deref(), Some("house"));
        assert_eq!(ix.profile(&profile(None, None)), None);
    }

    fn source(kind: &str, server: Option<&str>, device: Option<&str>, site: Option<&str>) -> Source {
        let json = serde_json::json!({
            "name": "s", "kind": kind, "path": null, "server": server, "url": null, "user": null,
            "password_secret": null, "mqtt": null, "topic": null, "device": device, "encrypt": false,
            "key_secret": null, "compression": "zstd", "repo": null, "health": null, "site": site,
            "created": "2026-01-01T00:00:00Z"
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_backup_source_follows_its_server_or_device() {
        let ix = index();
        assert_eq!(ix.source(&source("dir", Some("pi"), None, None)).as_deref(), Some("cabin"));
        assert_eq!(ix.source(&source("dir", Some("pi"), None, Some("flat"))).as_deref(), Some("flat"));
        assert_eq!(ix.source(&source("wled", None, Some("porch"), None)).as_deref(), Some("cabin"));
        assert_eq!(ix.source(&source("dir", None, None, None)), None);
    }

    #[test]
    fn records_without_a_site_still_read() {
        // A deployment as written before sites existed: no `site` key.
        let old = serde_json::json!({
            "name": "old", "server": "pi", "runtime": "venv", "supervision": "homedeck", "version": "2024.3.3",
            "port": 8123, "base_dir": "/b", "config_dir": "/c", "data_volume": "/v", "status": "running",
            "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z"
        });
        let d: Deployment = serde_json::from_value(old).unwrap();
        assert_eq!(d.site, None);
        assert_eq!(index().deployment_of(&d).as_deref(), Some("cabin"));
        let written = serde_json::to_value(&d).unwrap();
        assert!(written.get("site").is_none(), "an unset site is not written: {written}");
    }
}
