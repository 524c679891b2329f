//! Older turns summarised. When a conversation's history would pass the
//! provider's context budget (`[ai] context_tokens`, tokens estimated as a
//! quarter of the bytes), its oldest turns are replaced by a summary the
//! model writes — one extra, non-streamed request without tools — stored
//! with the conversation (`Conversation::summary`), so later questions reuse
//! it and only a history that outgrows the budget again asks for a new one
//! (which folds the old summary in). The offline interpreter reads only the
//! newest question and needs none. A summary that cannot be had (the
//! endpoint down, an empty answer) is no failure: the rolling window alone
//! decides what is sent, as before.

use super::context_window;
use super::model::{Conversation, Message, Role, Summary};
use super::options::ProviderOptions;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use chrono::Utc;
use serde_json::json;

/// What the model is asked to do with the older turns.
pub const SUMMARY_PROMPT: &str = "Summarise the earlier part of a conversation between a person and the assistant of homedeck, a home-lab console. \
Keep what later questions may refer to: the servers, devices, deployments and backups named, what was asked, what was proposed, confirmed, run or rejected, and the results. \
Plain sentences, at most 150 words, no preamble.";


/// Make sure `conv` has a summary that leaves what follows it within
/// `budget` tokens; true when a new one was written (the caller stores the
/// conversation).
pub(crate) async fn ensure(inner: &Inner, actor: &Actor, p: &ProviderOptions, conv: &mut Conversation, budget: usize) -> bool {
    let covered = conv.summary.as_ref().map_or(0, |s| s.covers.min(conv.messages.len()));
    let summary_tokens = conv.summary.as_ref().map_or(0, |s| context_window::approx_tokens(&s.text));
    let Some(split) = context_window::summary_split(&conv.messages, covered, summary_tokens, budget) else { return false };
    // The request itself must fit the budget: the older turns take at most
    // three quarters of it (4 bytes a token), the answer a quarter; one long
    // message (a rambling reply) gets at most half, so it cannot crowd out
    // the rest.
    let limit = budget.saturating_mul(3);
    let mut transcript = String::new();
    if let Some(s) = &conv.summary {
        transcript.push_str(&format!("Summary so far: {}\n\n", super::ask::cut_to(s.text.trim().to_string(), limit / 2)));
    }
    for m in &conv.messages[covered..split] {
        transcript.push_str(&super::ask::cut_to(line_of(m), limit / 2));
        transcript.push('\n');
    }
    let transcript = super::ask::cut_to(transcript, limit);
    let mut messages = vec![json!({ "role": "system", "content": SUMMARY_PROMPT }), json!({ "role": "user", "content": transcript })];
    let scrubber = crate::engine::vault::scrubber(inner);
    messages.iter_mut().for_each(|m| scrubber.scrub_json(m));
    let mut body = super::provider::request::body(&p.model, messages, &[], false, None);
    // A quarter of the budget at most, so the summary and the newest turns
    // kept (half the budget) leave room for the next ones.
    body["max_tokens"] = json!((budget / 4).clamp(64, 1024));
    // A summary should say what was there, not improvise.
    body["temperature"] = json!(0);
    let key = match super::provider::chat::api_key(inner, actor, p) {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(conversation = conv.id, error = %e, "no summary of older turns");
            return false;
        }
    };
    let text = match super::provider::chat::send(&inner.ai.http, p, key.as_ref(), &body, &mut |_| {}).await {
        Ok(reply) => reply.text,
        Err(e) => {
            tracing::warn!(conversation = conv.id, error = %e, "no summary of older turns");
            return false;
        }
    };
    let text = scrubber.scrub(text.trim()).into_owned();
    if text.is_empty() {
        return false;
    }
    conv.summary = Some(Summary { text, covers: split, at: Utc::now() });
    true
}

/// The summary as a paragraph of the system message.
pub(crate) fn paragraph(conv: &Conversation) -> String {
    match &conv.summary {
        Some(s) => format!("Summary of the earlier conversation (its messages are not repeated): {}", s.text.trim()),
        None => String::new(),
    }
}

fn line_of(m: &Message) -> String {
    let who = match m.role {
        Role::User => "Person",
        Role::Assistant => "Assistant",
        Role::Tool => "Tool result",
    };
    let mut text = m.text.trim().to_string();
    for c in &m.tool_calls {
        text.push_str(&format!(" [calls {} {}]", c.name, c.arguments));
    }
    format!("{who}: {text}")
}
