//! The seam between the AI pane and the engine's AI domain: the only file of
//! the pane that names engine commands, outcomes and events. Until the
//! engine's `ai` domain is in this build, every action says so plainly.

use super::{AiPane, ConversationView};
use crate::engine::{Command, EngineError, Event, Outcome};
use crate::tui::app::{Purpose, Step};
use crate::tui::panes::pane::{Ctx, Submit};

const MISSING: &str = "the AI engine is not in this build of homedeck";

pub fn ask(conversation: Option<String>, text: String, context: Option<String>) -> Step {
    let _ = (conversation, text, context);
    Step::Status(MISSING.into())
}

pub fn stop(conversation: String) -> Step {
    let _ = conversation;
    Step::Status(MISSING.into())
}

pub fn confirm(proposal: String, typed: Option<String>) -> Step {
    let _ = (proposal, typed);
    Step::Status(MISSING.into())
}

pub fn confirm_typed(proposal: String, typed: String) -> Result<Submit, String> {
    let _ = (proposal, typed);
    Err(MISSING.into())
}

pub fn reject(proposal: String) -> Step {
    let _ = proposal;
    Step::Status(MISSING.into())
}

pub fn undo(proposal: String) -> Step {
    let _ = proposal;
    Step::Status(MISSING.into())
}

pub fn list() -> Step {
    Step::Nothing
}

pub fn show(conversation: String) -> Step {
    let _ = conversation;
    Step::Status(MISSING.into())
}

pub fn rename(conversation: String, title: String) -> Result<Submit, String> {
    let _ = (conversation, title);
    Err(MISSING.into())
}

pub fn delete(c: &ConversationView) -> Step {
    let _ = c;
    Step::Status(MISSING.into())
}

pub fn export(conversation: String) -> Step {
    let _ = conversation;
    Step::Status(MISSING.into())
}

pub fn refresh() -> Vec<Command> {
    Vec::new()
}

pub fn on_outcome(p: &mut AiPane, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
    let _ = (p, outcome, purpose, cx);
}

pub fn on_event(p: &mut AiPane, event: Event, cx: &mut Ctx) {
    let _ = (p, event, cx);
}

pub fn on_error(p: &mut AiPane, name: &str, error: &EngineError) {
    let _ = (name, error);
    p.generating = false;
    p.transcript.finish();
}
