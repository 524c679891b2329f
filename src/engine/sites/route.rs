//! The sites verbs, from their own command enum to their handlers (the
//! match is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::SitesCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: SitesCommand) -> EngineResult<Outcome> {
    match command {
        SitesCommand::SiteList {} => super::count::list(inner),
        SitesCommand::SiteSet { kind, name, site } => super::assign::set(inner, ctx, kind, &name, Some(site)),
    }
}
