//! The doctor verbs, from their own command enum to their handler (the
//! match is exhaustive, so a new verb does not compile until handled).

use crate::engine::command::DoctorCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: DoctorCommand) -> EngineResult<Outcome> {
    match command {
        DoctorCommand::DoctorCheck { read_data } => super::run(inner, ctx, false, read_data.unwrap_or(false)),
        DoctorCommand::DoctorRepair { read_data } => super::run(inner, ctx, true, read_data.unwrap_or(false)),
    }
}
