//! The AI verbs, from their own command enum to their handlers (the match
//! is exhaustive, so a new verb does not compile until handled).

use super::{actions, ask, handlers};
use crate::engine::command::AiCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: AiCommand) -> EngineResult<Outcome> {
    match command {
        AiCommand::AiAsk { conversation, text, context } => ask::ask(inner, ctx, conversation, &text, context.as_deref()).await,
        AiCommand::AiConfirm { proposal, typed } => actions::confirm(inner, ctx, proposal, typed.as_deref()).await,
        AiCommand::AiReject { proposal } => actions::reject(inner, ctx, proposal),
        AiCommand::AiUndo { action } => actions::undo(inner, ctx, action).await,
        AiCommand::AiStop { conversation } => Ok(ask::stop(inner, conversation)),
        AiCommand::AiConversations {} => handlers::list(inner),
        AiCommand::AiShow { conversation } => handlers::show(inner, conversation),
        AiCommand::AiRename { conversation, title } => handlers::rename(inner, ctx, conversation, &title),
        AiCommand::AiDelete { conversation } => handlers::delete(inner, ctx, conversation),
        AiCommand::AiExport { conversation } => handlers::export(inner, conversation),
        AiCommand::AiTest {} => provider::test::run(inner).await,
    }
}

use super::provider;
