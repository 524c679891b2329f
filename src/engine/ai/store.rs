//! The AI domain's sled trees: conversations and actions, each by id.

use super::model::{Action, Conversation};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::keys::id_key;
use crate::engine::store::codec;
use crate::engine::Inner;

/// id (u64 BE) → [`Conversation`].
pub const CONVERSATIONS: &str = "ai_conversations";
/// id (u64 BE) → [`Action`].
pub const ACTIONS: &str = "ai_actions";

pub(crate) fn next_conversation_id(inner: &Inner) -> EngineResult<u64> {
    inner.store.next_counter("ai_conversation")
}

pub(crate) fn next_action_id(inner: &Inner) -> EngineResult<u64> {
    inner.store.next_counter("ai_action")
}

pub(crate) fn conversation(inner: &Inner, id: u64) -> EngineResult<Conversation> {
    let tree = inner.store.tree(CONVERSATIONS)?;
    inner
        .store
        .get(&tree, id_key(id))?
        .ok_or_else(|| EngineError::NotFound { what: "AI conversation".into(), name: id.to_string(), by_id: true })
}

pub(crate) fn put_conversation(inner: &Inner, c: &Conversation) -> EngineResult<()> {
    let tree = inner.store.tree(CONVERSATIONS)?;
    inner.store.put(&tree, id_key(c.id), c)
}

pub(crate) fn conversations(inner: &Inner) -> EngineResult<Vec<Conversation>> {
    let tree = inner.store.tree(CONVERSATIONS)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (_, v) = item?;
        out.push(codec::decode::<Conversation>(&v)?);
    }
    Ok(out)
}

pub(crate) fn action(inner: &Inner, id: u64) -> EngineResult<Action> {
    let tree = inner.store.tree(ACTIONS)?;
    inner.store.get(&tree, id_key(id))?.ok_or_else(|| EngineError::NotFound { what: "AI action".into(), name: id.to_string(), by_id: true })
}

pub(crate) fn put_action(inner: &Inner, a: &Action) -> EngineResult<()> {
    let tree = inner.store.tree(ACTIONS)?;
    inner.store.put(&tree, id_key(a.id), a)
}

/// Every action of a conversation, in id order.
pub(crate) fn actions_of(inner: &Inner, conversation: u64) -> EngineResult<Vec<Action>> {
    let tree = inner.store.tree(ACTIONS)?;
    let mut out = Vec::new();
    for item in tree.iter() {
        let (_, v) = item?;
        let a = codec::decode::<Action>(&v)?;
        if a.conversation == conversation {
            out.push(a);
        }
    }
    Ok(out)
}

pub(crate) fn delete(inner: &Inner, conversation: u64) -> EngineResult<usize> {
    let actions = actions_of(inner, conversation)?;
    let tree = inner.store.tree(ACTIONS)?;
    for a in &actions {
        tree.remove(id_key(a.id))?;
    }
    inner.store.tree(CONVERSATIONS)?.remove(id_key(conversation))?;
    Ok(actions.len())
}
