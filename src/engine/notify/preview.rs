//! Previews of the notification verbs: which routes a message would be
//! queued on (secret parts of a route are never shown). A sent message
//! cannot be taken back.

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::NotifyCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: NotifyCommand) -> EngineResult<Preview> {
    use NotifyCommand::*;
    let opts = inner.notify.opts.get();
    let known = |r: &str| {
        opts.route(r).map(|_| ()).ok_or_else(|| {
            let names: Vec<&str> = opts.routes.iter().map(|x| x.name.as_str()).collect();
            EngineError::invalid("route", r, &format!("one of the routes in config.toml: {}", names.join(", ")))
        })
    };
    let p = match command {
        NotifyRoutes {} | NotifyQueue {} => Preview::reads(spec),
        NotifyTest { route } => {
            known(&route)?;
            Preview::new(spec, format!("send a test notification on route {route} now")).target(route).note("a sent message cannot be taken back")
        }
        NotifySend { route, title, severity, .. } => {
            let names: Vec<String> = match route {
                Some(r) => {
                    known(&r)?;
                    vec![r]
                }
                None => opts.routes.iter().map(|r| r.name.clone()).collect(),
            };
            if names.is_empty() {
                return Err(EngineError::invalid("route", "(all)", "a route from [[notify.routes]] in config.toml (none is configured yet)"));
            }
            let sev = severity.map(|s| s.as_str().to_string()).unwrap_or_else(|| "info".into());
            Preview::new(spec, format!("queue {title:?} ({sev}) on {}", crate::engine::text::plural(names.len(), "route", "routes")))
                .targets(names)
                .note("a sent message cannot be taken back")
        }
        NotifyRetry { id } => Preview::new(spec, format!("queue dead-lettered delivery #{id} again with fresh attempts")).target(format!("delivery #{id}")),
    };
    Ok(p)
}
