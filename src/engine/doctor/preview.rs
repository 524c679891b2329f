//! `doctor_repair`'s preview is the check it starts with: each finding and
//! whether it is one the repair fixes.

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::DoctorCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;

pub(crate) async fn preview(_inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: DoctorCommand) -> EngineResult<Preview> {
    Ok(match command {
        DoctorCommand::DoctorCheck { .. } => Preview::reads(spec),
        DoctorCommand::DoctorRepair { read_data } => Preview::unavailable(
            spec,
            format!("check the store, backup catalog{}, permissions and socket, and fix what is safe to fix", if read_data == Some(true) { " (hashing every archive)" } else { "" }),
            "what is repaired depends on what the check finds; run doctor_check first to see the findings",
        ),
    })
}
