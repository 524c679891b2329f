//! The scheduler has only reads.

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::SchedulerCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;

pub(crate) async fn preview(_inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: SchedulerCommand) -> EngineResult<Preview> {
    match command {
        SchedulerCommand::SchedulerStatus {} => Ok(Preview::reads(spec)),
    }
}
