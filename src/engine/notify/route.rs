//! The notify verbs, from their own command enum to their handlers (the
//! match is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::NotifyCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: NotifyCommand) -> EngineResult<Outcome> {
    use super::handlers;
    match command {
        NotifyCommand::NotifyRoutes {} => handlers::routes(inner),
        NotifyCommand::NotifyTest { route } => handlers::test(inner, ctx, &route).await,
        NotifyCommand::NotifySend { route, title, body, severity } => handlers::send(inner, ctx, route, title, body, severity),
        NotifyCommand::NotifyQueue {} => handlers::queue(inner),
        NotifyCommand::NotifyRetry { id } => handlers::retry(inner, ctx, id),
    }
}
