//! A dry run is a read: it is audited only where every call is (a program
//! calling tools over MCP), and then under `<verb>_preview`, never as the
//! write it previews, so the log never claims a change that did not happen.

use super::Preview;
use crate::engine::Inner;
use crate::engine::actor::{Actor, Frontend};
use crate::engine::audit::{self, Change, Status};
use crate::engine::command::Command;
use crate::engine::context::AuditDraft;
use crate::engine::error::EngineResult;
use std::time::Instant;

/// Record an MCP client's dry run (success or failure); other front ends'
/// previews are not audited, as their reads are not.
pub(crate) fn record(inner: &Inner, actor: &Actor, command: &Command, started: Instant, result: &EngineResult<Preview>) -> EngineResult<()> {
    if actor.frontend != Frontend::Mcp {
        return Ok(());
    }
    let spec = command.spec();
    let mut draft = AuditDraft::for_command(spec);
    draft.severity = audit::Severity::Info;
    draft.description = match result {
        Ok(p) => format!("dry run of {}: {}", spec.name, p.summary),
        Err(_) => format!("dry run of {} failed", spec.name),
    };
    draft.changes.push(Change::new("arguments", None, Some(crate::engine::tools::audit::arguments_text(command))));
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    draft.changes.push(Change::new("duration_ms", None, Some(format!("{ms:.3}"))));
    let (status, error) = match result {
        Ok(_) => (Status::Success, None),
        Err(e) => (Status::Failure, Some(e.to_string())),
    };
    audit::record(inner, actor, &format!("{}_preview", spec.name), draft, status, error)?;
    inner.store.flush()
}
