//! The Home Assistant profiles verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `HaCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::HaCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};
use crate::engine::ha;

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: HaCommand) -> EngineResult<Outcome> {
    use HaCommand::*;
    match command {
        HaList {} => ha::handlers::list(inner),
        HaAdd { name, url, token_secret, token, deployment, site } => {
            ha::handlers::add(inner, ctx, ha::handlers::AddRequest { name, url, token_secret, token, deployment, site })
        }
        HaRemove { name } => ha::handlers::remove(inner, ctx, &name),
        HaTest { name } => ha::handlers::test(inner, &ctx.actor, &name).await,
        HaStates { name, filter } => ha::handlers::states(inner, &ctx.actor, &name, filter).await,
        HaHistory { name, entity, since, until } => ha::history::history(inner, &ctx.actor, &name, &entity, since, until).await,
        HaWatch { name, filter } => ha::handlers::watch(inner, &ctx.actor, &name, filter).await,
        HaUnwatch { name } => Ok(Outcome::done(if ha::handlers::unwatch(inner, &name) {
            format!("stopped watching {name}")
        } else {
            format!("{name} was not being watched")
        })),
        HaCall { name, service, entity, data, confirmed } => {
            ha::handlers::call(inner, ctx, &name, &service, entity, data, confirmed.unwrap_or(false)).await
        }
    }
}
