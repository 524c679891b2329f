//! `site_set KIND NAME SITE`: give one resource a site of its own, or take
//! it away (`-`) so it inherits again. Each kind's record is read and
//! written through its own domain's store functions; the domain's
//! "changed" event goes out so its pane reloads.

use super::outcome::{SitesEvent, SitesOutcome};
use super::{SiteIndex, SiteKind, parse_site};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Event, Inner, Outcome};

pub(crate) fn set(inner: &Inner, ctx: &mut Ctx, kind: SiteKind, name: &str, site: Option<String>) -> EngineResult<Outcome> {
    ctx.resource(kind.as_str(), None, Some(name.to_string()));
    let site = parse_site(site)?;
    let store = &inner.store;
    let before = match kind {
        SiteKind::Server => {
            let mut s = crate::engine::servers::store::get(store, name)?;
            if s.name == crate::engine::servers::model::LOCAL {
                return Err(EngineError::invalid("name", name, "a server other than the built-in `local` (this machine has no site)"));
            }
            let before = std::mem::replace(&mut s.site, site.clone());
            crate::engine::servers::store::put(store, &s)?;
            inner.emit(Event::Servers(crate::engine::ServersEvent::ServersChanged));
            before
        }
        SiteKind::Deployment => {
            let mut d = crate::engine::deploy::store::get(store, name)?;
            let before = std::mem::replace(&mut d.site, site.clone());
            crate::engine::deploy::store::put(store, &d)?;
            inner.emit(Event::Deploy(crate::engine::DeployEvent::DeploymentsChanged));
            before
        }
        SiteKind::Esphome => {
            let before = crate::engine::esphome::registry::get(store, name)?.site;
            let tree = crate::engine::esphome::registry::devices(store)?;
            crate::engine::esphome::registry::update_in(&tree, name, |d| d.site = site.clone())?;
            inner.emit(Event::Esphome(crate::engine::EsphomeEvent::EsphomeDevicesChanged));
            before
        }
        SiteKind::Wled => {
            let inv = crate::engine::lights::inventory::Inventory::open(store)?;
            let mut d = inv.need_device(name)?;
            let before = std::mem::replace(&mut d.site, site.clone());
            inv.put_device(&d)?;
            before
        }
        SiteKind::Fpp => {
            let inv = crate::engine::lights::inventory::Inventory::open(store)?;
            let mut h = inv.need_host(name)?;
            let before = std::mem::replace(&mut h.site, site.clone());
            inv.put_host(&h)?;
            before
        }
        SiteKind::Ha => {
            let mut p = crate::engine::ha::profile::get(store, name)?;
            let before = std::mem::replace(&mut p.site, site.clone());
            crate::engine::ha::profile::put(store, &p)?;
            inner.emit(Event::Ha(crate::engine::HaEvent::HaProfilesChanged));
            before
        }
        SiteKind::BackupSource => {
            let mut s = crate::engine::backup::catalog::source(store, name)?;
            let before = std::mem::replace(&mut s.site, site.clone());
            crate::engine::backup::catalog::put_source(store, &s)?;
            before
        }
    };
    ctx.change("site", before, site.clone());
    let effective = effective(inner, kind, name)?;
    ctx.describe(match (&site, &effective) {
        (Some(s), _) => format!("moved {kind} {name} to site {s}"),
        (None, Some(e)) => format!("{kind} {name} inherits site {e} again"),
        (None, None) => format!("{kind} {name} is at no site"),
    });
    inner.emit(Event::Sites(SitesEvent::SiteChanged { kind, name: name.to_string() }));
    Ok(Outcome::Sites(SitesOutcome::SiteSet { kind, name: name.to_string(), site, effective }))
}

/// Where a resource is now, its own site or the one it inherits.
pub(crate) fn effective(inner: &Inner, kind: SiteKind, name: &str) -> EngineResult<Option<String>> {
    let store = &inner.store;
    let ix = SiteIndex::load(store)?;
    Ok(match kind {
        SiteKind::Server => ix.server(name).map(str::to_string),
        SiteKind::Deployment => ix.deployment(name),
        SiteKind::Esphome => crate::engine::esphome::registry::get(store, name)?.site,
        SiteKind::Wled => crate::engine::lights::inventory::Inventory::open(store)?.need_device(name)?.site,
        SiteKind::Fpp => crate::engine::lights::inventory::Inventory::open(store)?.need_host(name)?.site,
        SiteKind::Ha => ix.profile(&crate::engine::ha::profile::get(store, name)?),
        SiteKind::BackupSource => ix.source(&crate::engine::backup::catalog::source(store, name)?),
    })
}
