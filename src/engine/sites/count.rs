//! `site_list`: every site in use with how many resources of each kind are
//! at it (by effective site, so a deployment counts at its server's site).

use super::SiteIndex;
use super::outcome::{SiteCount, SitesOutcome};
use crate::engine::error::EngineResult;
use crate::engine::store::Store;
use crate::engine::{Inner, Outcome};
use std::collections::BTreeMap;

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Sites(SitesOutcome::SiteList { sites: counts(&inner.store)? }))
}

pub(crate) fn counts(store: &Store) -> EngineResult<Vec<SiteCount>> {
    let ix = SiteIndex::load(store)?;
    let mut by: BTreeMap<Option<String>, SiteCount> = BTreeMap::new();
    let mut bump = |site: Option<String>, f: fn(&mut SiteCount)| {
        f(by.entry(site.clone()).or_insert_with(|| SiteCount { site, ..SiteCount::default() }));
    };
    for s in crate::engine::servers::store::all(store)? {
        bump(s.site, |c| c.servers += 1);
    }
    for d in crate::engine::deploy::store::all(store)? {
        bump(ix.deployment_of(&d), |c| c.deployments += 1);
    }
    for d in crate::engine::esphome::registry::list(store)? {
        bump(d.site, |c| c.esphome += 1);
    }
    let inv = crate::engine::lights::inventory::Inventory::open(store)?;
    for d in inv.devices()? {
        bump(d.site, |c| c.wled += 1);
    }
    for h in inv.hosts()? {
        bump(h.site, |c| c.fpp += 1);
    }
    for p in crate::engine::ha::profile::all(store)? {
        bump(ix.profile(&p), |c| c.ha_profiles += 1);
    }
    for s in crate::engine::backup::catalog::sources(store)? {
        bump(ix.source(&s), |c| c.backup_sources += 1);
    }
    // Named sites first (BTreeMap puts `None` first), then the unplaced.
    let mut out: Vec<SiteCount> = by.into_values().collect();
    let unplaced_first = out.first().is_some_and(|c| c.site.is_none());
    out.rotate_left(usize::from(unplaced_first));
    Ok(out)
}
