//! `overview_seen` moves the caller's "last looked" mark to now.

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::OverviewCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;

pub(crate) async fn preview(_inner: &Inner, actor: &Actor, spec: &'static CommandSpec, command: OverviewCommand) -> EngineResult<Preview> {
    Ok(match command {
        OverviewCommand::Overview { .. } => Preview::reads(spec),
        OverviewCommand::OverviewSeen {} => Preview::new(spec, format!("remember now as the time {} last looked at the overview", actor.user))
            .target(format!("overview mark of {}", actor.user))
            .change(&format!("overview mark of {}", actor.user), "last looked", None, Some("(now)".into())),
    })
}
