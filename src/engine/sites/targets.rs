//! `site:NAME` in the bulk commands of other domains: ESPHome logs and
//! bulk OTA, WLED targets, and the backup catalog by source. Each expands
//! to the names at that site, and an unknown or empty site is an error that
//! names it (a typo must not silently act on nothing).

use super::{SiteIndex, same};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;

/// The site a `site:NAME` target names, if it is one.
pub fn site_target(part: &str) -> Option<&str> {
    part.trim().strip_prefix("site:").map(str::trim)
}

fn none_at(field: &str, part: &str, what: &str) -> EngineError {
    EngineError::invalid(field, part, &format!("site:NAME where NAME is a site with at least one {what} (see `homedeck site list`)"))
}

/// ESPHome device names at `site` (sorted).
pub(crate) fn esphome_devices(store: &Store, field: &str, part: &str, site: &str) -> EngineResult<Vec<String>> {
    let mut names: Vec<String> = crate::engine::esphome::registry::list(store)?
        .into_iter()
        .filter(|d| same(d.site.as_deref(), site))
        .map(|d| d.name)
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(none_at(field, part, "ESPHome device"));
    }
    Ok(names)
}

/// Expand every `site:NAME` in a comma- or space-separated list of names.
pub(crate) fn expand_esphome(store: &Store, field: &str, list: &str) -> EngineResult<String> {
    let mut out: Vec<String> = Vec::new();
    for part in list.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        match site_target(part) {
            Some(site) => out.extend(esphome_devices(store, field, part, site)?),
            None => out.push(part.to_string()),
        }
    }
    out.dedup();
    Ok(out.join(","))
}

/// WLED devices at `site` (sorted).
pub(crate) fn wled_devices(store: &Store, part: &str, site: &str) -> EngineResult<Vec<crate::engine::lights::inventory::WledDevice>> {
    let mut found: Vec<_> = crate::engine::lights::inventory::Inventory::open(store)?
        .devices()?
        .into_iter()
        .filter(|d| same(d.site.as_deref(), site))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    if found.is_empty() {
        return Err(none_at("target", part, "WLED device"));
    }
    Ok(found)
}

/// Backup source names at `site` (by effective site).
pub(crate) fn backup_sources(store: &Store, part: &str, site: &str) -> EngineResult<Vec<String>> {
    let ix = SiteIndex::load(store)?;
    let names: Vec<String> = crate::engine::backup::catalog::sources(store)?
        .into_iter()
        .filter(|s| same(ix.source(s).as_deref(), site))
        .map(|s| s.name)
        .collect();
    if names.is_empty() {
        return Err(none_at("source", part, "backup source"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_targets_are_recognised() {
        assert_eq!(site_target("site:cabin"), Some("cabin"));
        assert_eq!(site_target(" site: cabin"), Some("cabin"));
        assert_eq!(site_target("cabin"), None);
    }
}
