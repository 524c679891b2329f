//! From a command to the domain that previews it: each domain's
//! `preview.rs` matches its own command enum exhaustively, so a new verb
//! does not compile until its domain decides what its preview is.

use super::Preview;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, Routed};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;

/// What `command` would do, as `actor` would run it. Reads answer at once
/// ("reads only"); writes and dangerous verbs go to their domain.
pub(crate) async fn preview(inner: &Inner, actor: &Actor, command: Command) -> EngineResult<Preview> {
    let spec = command.spec();
    if !spec.class.changes_state() {
        return Ok(Preview::reads(spec));
    }
    to_domain(inner, actor, spec, command.route()).await
}

macro_rules! preview_routes {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        async fn to_domain(inner: &Inner, actor: &Actor, spec: &'static CommandSpec, routed: Routed) -> EngineResult<Preview> {
            match routed {
                $( Routed::$domain(c) => Box::pin(crate::engine::$module::preview::preview(inner, actor, spec, c)).await, )*
            }
        }
    };
}

domain_list!(preview_routes);
