//! What became of earlier proposals, told to the model with the next
//! question. A proposal's tool answer only says it waits for a confirm;
//! without this the model would not know that the person confirmed it, nor
//! what it printed or why it failed ("restart HA, then show me what it
//! said"). Results are stored already scrubbed of secret values, and the
//! whole request is scrubbed again before it leaves.

use super::model::{ActionStatus, Conversation};
use super::store;
use crate::engine::Inner;
use crate::engine::command_table::Permission;
use crate::engine::error::EngineResult;

/// At most this many outcomes go with a question (the newest).
const MAX_OUTCOMES: usize = 10;
/// Each result is cut to this many characters.
const MAX_RESULT_CHARS: usize = 400;
/// …and its whole answer to this many.
const MAX_OUTPUT_CHARS: usize = 1500;

/// One paragraph for the system message (empty when nothing ran).
pub(crate) fn note(inner: &Inner, conv: &Conversation) -> EngineResult<String> {
    let actions = store::actions_of(inner, conv.id)?;
    let ran: Vec<String> = actions
        .iter()
        .filter(|a| a.class != Permission::Read && matches!(a.status, ActionStatus::Done | ActionStatus::Failed | ActionStatus::RolledBack | ActionStatus::Rejected))
        .map(|a| {
            let mut result: String = a.result.as_deref().unwrap_or("").replace('\n', " ").chars().take(MAX_RESULT_CHARS).collect();
            if a.result.as_ref().is_some_and(|r| r.chars().count() > MAX_RESULT_CHARS) {
                result.push('…');
            }
            let line = crate::engine::preview::command_line(&a.command);
            let mut out = if result.is_empty() { format!("- action {} `{line}`: {}", a.id, a.status.as_str()) } else { format!("- action {} `{line}`: {}: {result}", a.id, a.status.as_str()) };
            if let Some(o) = &a.output {
                let o: String = o.chars().take(MAX_OUTPUT_CHARS).collect();
                out.push_str(&format!("\n  its answer: {o}"));
            }
            out
        })
        .collect();
    if ran.is_empty() {
        return Ok(String::new());
    }
    let shown = &ran[ran.len().saturating_sub(MAX_OUTCOMES)..];
    Ok(format!("What became of your earlier proposals (oldest first):\n{}", shown.join("\n")))
}
