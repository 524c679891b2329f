//! Conversations: list, show, rename, delete, export as Markdown.

use super::model::{ActionStatus, Conversation, Role};
use super::outcome::{AiEvent, AiOutcome, ConversationSummary};
use super::store;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Event, Inner, Outcome};

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    let mut conversations: Vec<ConversationSummary> = Vec::new();
    for c in store::conversations(inner)? {
        let pending = store::actions_of(inner, c.id)?.iter().filter(|a| a.status == ActionStatus::Proposed).count();
        conversations.push(ConversationSummary { id: c.id, title: c.title, created: c.created, updated: c.updated, messages: c.messages.len(), pending });
    }
    conversations.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.id.cmp(&a.id)));
    Ok(Outcome::Ai(AiOutcome::Conversations { conversations }))
}

pub(crate) fn show(inner: &Inner, id: u64) -> EngineResult<Outcome> {
    let conversation = store::conversation(inner, id)?;
    let actions = store::actions_of(inner, id)?;
    Ok(Outcome::Ai(AiOutcome::Conversation { conversation, actions }))
}

pub(crate) fn rename(inner: &Inner, ctx: &mut Ctx, id: u64, title: &str) -> EngineResult<Outcome> {
    let title = title.trim();
    ctx.resource("ai_conversation", Some(id.to_string()), None);
    if title.is_empty() || title.chars().count() > 200 {
        return Err(EngineError::Invalid { field: "title".into(), value: title.into(), expected: "1 to 200 characters".into() });
    }
    let mut c = store::conversation(inner, id)?;
    ctx.change("title", Some(c.title.clone()), Some(title.to_string()));
    ctx.describe(format!("AI conversation {id} renamed to {title:?}"));
    c.title = title.to_string();
    store::put_conversation(inner, &c)?;
    inner.emit(Event::Ai(AiEvent::ConversationsChanged));
    Ok(Outcome::Ai(AiOutcome::Renamed { conversation: id, title: title.to_string() }))
}

pub(crate) fn delete(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    ctx.resource("ai_conversation", Some(id.to_string()), None);
    let c = store::conversation(inner, id)?;
    if inner.ai.running().contains_key(&id) {
        return Err(EngineError::Invalid {
            field: "conversation".into(),
            value: id.to_string(),
            expected: "a conversation with no reply being generated (stop it first: ai_stop)".into(),
        });
    }
    let n = store::delete(inner, id)?;
    ctx.describe(format!("AI conversation {id} ({:?}) deleted with {n} action record(s)", c.title));
    inner.emit(Event::Ai(AiEvent::ConversationsChanged));
    Ok(Outcome::Ai(AiOutcome::Deleted { conversation: id }))
}

pub(crate) fn export(inner: &Inner, id: u64) -> EngineResult<Outcome> {
    let c = store::conversation(inner, id)?;
    let actions = store::actions_of(inner, id)?;
    Ok(Outcome::Ai(AiOutcome::Exported { conversation: id, markdown: markdown(&c, &actions) }))
}

/// The conversation as Markdown: each message under its speaker, each
/// action as a list item with its command, status and result.
pub fn markdown(c: &Conversation, actions: &[super::model::Action]) -> String {
    let mut out = format!("# {}\n\nConversation {} · started {} · by {}\n", c.title, c.id, c.created.format("%Y-%m-%d %H:%M UTC"), c.user);
    for m in &c.messages {
        let who = match m.role {
            Role::User => "You",
            Role::Assistant => "Assistant",
            Role::Tool => continue,
        };
        out.push_str(&format!("\n## {who} · {}\n\n{}\n", m.at.format("%H:%M:%S"), m.text.trim()));
        for id in &m.actions {
            if let Some(a) = actions.iter().find(|a| a.id == *id) {
                let args = crate::engine::tools::audit_arguments(&a.command);
                out.push_str(&format!("\n- action {} `{} {}` — **{}**", a.id, a.name, args, a.status.as_str()));
                if let Some(r) = &a.result {
                    out.push_str(&format!(": {}", r.replace('\n', " ")));
                }
                if let Some(ms) = a.duration_ms {
                    out.push_str(&format!(" ({ms} ms)"));
                }
                out.push('\n');
            }
        }
    }
    out
}
