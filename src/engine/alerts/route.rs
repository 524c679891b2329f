//! The alerts verbs, from their own command enum to their handlers (the
//! match is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::AlertsCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: AlertsCommand) -> EngineResult<Outcome> {
    match command {
        AlertsCommand::AlertList { filter, limit } => super::handlers::list(inner, filter, limit),
        AlertsCommand::AlertShow { id } => super::handlers::show(inner, id),
        AlertsCommand::AlertAck { id, note } => super::handlers::ack(inner, ctx, id, &note),
        AlertsCommand::AlertSilence { rule, target, duration, note } => super::handlers::silence(inner, ctx, rule, target, &duration, note),
        AlertsCommand::AlertUnsilence { id } => super::handlers::unsilence(inner, ctx, id),
        AlertsCommand::AlertRules {} => super::handlers::rules(inner),
    }
}
