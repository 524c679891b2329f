//! The overview verbs, from their own command enum to their handlers.

use super::outcome::{OverviewEvent, OverviewOutcome};
use crate::engine::audit::time_arg;
use crate::engine::command::OverviewCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Event, Inner, Outcome};
use chrono::Utc;

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: OverviewCommand) -> EngineResult<Outcome> {
    match command {
        OverviewCommand::Overview { since, site } => {
            let now = Utc::now();
            let (since, from) = match since {
                Some(s) => (time_arg::parse("since", &s, now)?, "asked"),
                None => match super::seen(&inner.store, &ctx.actor.user)? {
                    Some(t) => (t, "last look"),
                    None => (now - super::DEFAULT_WINDOW, "default (24 hours)"),
                },
            };
            // `-` or empty: every site, as for `site set`.
            let site = crate::engine::sites::parse_site(site)?;
            let overview = super::gather::overview(inner, since, from, site.as_deref())?;
            Ok(Outcome::Overview(OverviewOutcome::Overview { overview: Box::new(overview) }))
        }
        OverviewCommand::OverviewSeen {} => {
            let user = ctx.actor.user.clone();
            let time = Utc::now();
            ctx.resource("overview_mark", None, Some(user.clone()));
            let before = super::mark_seen(&inner.store, &user, time)?;
            ctx.change("seen", before.map(|t| t.to_rfc3339()), Some(time.to_rfc3339()));
            ctx.describe(format!("{user} looked at the overview"));
            inner.emit(Event::Overview(OverviewEvent::Seen { user: user.clone(), time }));
            Ok(Outcome::Overview(OverviewOutcome::Seen { user, time }))
        }
    }
}
