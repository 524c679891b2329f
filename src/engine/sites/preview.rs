//! `site_set`'s preview: the resource's own site now → the one given, and
//! the site it ends up at (its own, or inherited); the undo sets the old
//! own site back (`-` to inherit again).

use super::{SiteKind, parse_site};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, SitesCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;
use crate::engine::store::Store;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: SitesCommand) -> EngineResult<Preview> {
    Ok(match command {
        SitesCommand::SiteList {} => Preview::reads(spec),
        SitesCommand::SiteSet { kind, name, site } => {
            let to = parse_site(Some(site))?;
            let from = own_site(&inner.store, kind, &name)?;
            let now = super::assign::effective(inner, kind, &name)?;
            let label = format!("{kind} {name}");
            let mut p = Preview::new(
                spec,
                match &to {
                    Some(s) => format!("move {label} to site {s}"),
                    None => format!("{label} inherits its site again"),
                },
            )
            .target(label.clone())
            .change(&label, "own site", from.clone(), to.clone())
            .inverse(Command::SiteSet { kind, name, site: from.unwrap_or_else(|| "-".into()) });
            p.notes.push(format!("at site {} now", now.unwrap_or_else(|| "(none)".into())));
            p
        }
    })
}

/// The site a resource names itself (not inherited), read without writing.
fn own_site(store: &Store, kind: SiteKind, name: &str) -> EngineResult<Option<String>> {
    Ok(match kind {
        SiteKind::Server => crate::engine::servers::store::get(store, name)?.site,
        SiteKind::Deployment => crate::engine::deploy::store::get(store, name)?.site,
        SiteKind::Esphome => crate::engine::esphome::registry::get(store, name)?.site,
        SiteKind::Wled => crate::engine::lights::inventory::Inventory::open(store)?.need_device(name)?.site,
        SiteKind::Fpp => crate::engine::lights::inventory::Inventory::open(store)?.need_host(name)?.site,
        SiteKind::Ha => crate::engine::ha::profile::get(store, name)?.site,
        SiteKind::BackupSource => crate::engine::backup::catalog::source(store, name)?.site,
    })
}
