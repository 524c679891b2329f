//! The scheduler's verbs, from its own command enum to its handlers (the
//! match is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::SchedulerCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, _ctx: &mut Ctx, command: SchedulerCommand) -> EngineResult<Outcome> {
    match command {
        SchedulerCommand::SchedulerStatus {} => super::status::status(inner),
    }
}
