//! Runs one turn of a conversation: feeds the pure state machine
//! (`flow.rs`) from the provider or the offline interpreter, and carries out
//! its effects — tokens broadcast as they arrive, reads run at once through
//! `EngineHandle::execute` as `USER@ai`, writes recorded as proposals with
//! their preview. The conversation is stored before the model is asked and
//! again when the turn ends, so a console that closes loses nothing.

use super::flow::{Effect, Input, Turn};
use super::model::{Action, ActionStatus, Conversation, Message, Role, ToolCall};
use super::outcome::{AiEvent, AiOutcome, Reply};
use super::{context_window, offline, provider, store};
use crate::engine::actor::{Actor, Frontend};
use crate::engine::command::Command;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Event, Inner, Outcome};
use chrono::Utc;
use std::collections::VecDeque;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Longest question accepted (characters).
const MAX_QUESTION: usize = 8000;
/// Longest tool result handed back to the model (bytes).
const MAX_RESULT: usize = 6000;

/// How a model round ended.
#[derive(Debug)]
pub(crate) enum RoundEnd {
    Text,
    Calls(Vec<ToolCall>),
}

/// Removes the conversation from the running set however the turn ends.
struct Running<'a> {
    inner: &'a Inner,
    conversation: u64,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.inner.ai.running().remove(&self.conversation);
    }
}

pub(crate) async fn ask(inner: &Inner, ctx: &mut Ctx, conversation: Option<u64>, text: &str, context: Option<&str>) -> EngineResult<Outcome> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_QUESTION {
        return Err(EngineError::Invalid { field: "text".into(), value: text.chars().take(60).collect(), expected: format!("a question of 1 to {MAX_QUESTION} characters") });
    }
    let opts = inner.ai.opts.get();
    let mut conv = match conversation {
        Some(id) => store::conversation(inner, id)?,
        None => {
            let now = Utc::now();
            let c = Conversation { id: store::next_conversation_id(inner)?, title: title_of(text), created: now, updated: now, user: ctx.actor.user.clone(), messages: Vec::new(), summary: None };
            inner.emit(Event::Ai(AiEvent::ConversationsChanged));
            c
        }
    };
    let cancel = CancellationToken::new();
    {
        let mut running = inner.ai.running();
        if running.contains_key(&conv.id) {
            return Err(EngineError::Invalid {
                field: "conversation".into(),
                value: conv.id.to_string(),
                expected: "a conversation not answering already (wait, or ai_stop it)".into(),
            });
        }
        running.insert(conv.id, cancel.clone());
    }
    let _running = Running { inner, conversation: conv.id };
    // A secret value typed into a question is stored and sent as its name.
    let text = crate::engine::vault::scrubber(inner).scrub(text).into_owned();
    conv.messages.push(Message::new(Role::User, text));
    conv.updated = Utc::now();
    store::put_conversation(inner, &conv)?;
    inner.store.flush()?;

    let actor = Actor { user: ctx.actor.user.clone(), frontend: Frontend::Ai };
    let brain = match &opts.provider {
        Some(p) => Brain::Provider(p.clone(), Vec::new()),
        None => Brain::Offline,
    };
    let mut brain = brain;
    if let Brain::Provider(p, extra) = &mut brain {
        // Past the budget, the oldest turns give way to a summary.
        if super::summary::ensure(inner, &actor, p, &mut conv, opts.context_tokens).await {
            store::put_conversation(inner, &conv)?;
        }
        *extra = vec![super::summary::paragraph(&conv), super::ran::note(inner, &conv)?];
    }
    // What the summary stands for is not sent again.
    let covered = conv.summary.as_ref().map_or(0, |s| s.covers.min(conv.messages.len()));
    let (mut turn, first) = Turn::start(opts.run_reads);
    let mut queue: VecDeque<Effect> = first.into();
    let mut stopped = false;
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Emit(t) => emit_token(inner, conv.id, t),
            Effect::CallModel => {
                let input = if cancel.is_cancelled() {
                    Input::Stop
                } else {
                    let mut history = conv.messages[covered..].to_vec();
                    history.extend(turn.messages.iter().cloned());
                    let history = context_window::window(&history, opts.max_messages, opts.max_context_tokens).to_vec();
                    let id = conv.id;
                    let round = turn.round();
                    let mut tokens: Vec<Effect> = Vec::new();
                    let result = {
                        let mut on_token = |t: &str| {
                            for e in turn.step(Input::Token(t.to_string())) {
                                if let Effect::Emit(t) = e {
                                    emit_token(inner, id, t);
                                } else {
                                    tokens.push(e);
                                }
                            }
                        };
                        tokio::select! {
                            r = brain.round(inner, &actor, &history, context, round, &mut on_token) => Some(r),
                            _ = cancel.cancelled() => None,
                        }
                    };
                    queue.extend(tokens);
                    match result {
                        None => Input::Stop,
                        Some(Ok(RoundEnd::Text)) => Input::ModelDone,
                        Some(Ok(RoundEnd::Calls(calls))) => Input::ToolCalls(calls),
                        Some(Err(e)) => Input::ModelFailed(e),
                    }
                };
                queue.extend(turn.step(input));
            }
            Effect::RunRead { call_id, command } => {
                let (action, result) = run_read(inner, &actor, conv.id, conv.messages.len(), command).await?;
                queue.extend(turn.step(Input::Ran { call_id, action, result }));
            }
            Effect::Propose { call_id, command, reason } => {
                let action = propose(inner, &actor, conv.id, conv.messages.len(), command, reason, None).await?;
                queue.extend(turn.step(Input::Proposed { call_id, action: action.id }));
            }
            Effect::Finish { stopped: s } => {
                stopped = s;
                break;
            }
        }
    }
    let reply_text = turn.reply_text();
    let action_ids = turn.actions.clone();
    let mut messages = std::mem::take(&mut turn.messages);
    if messages.iter().all(|m| m.role != Role::Assistant) || !action_ids.is_empty() {
        let mut m = Message::new(Role::Assistant, if messages.iter().any(|m| m.role == Role::Assistant) { String::new() } else { reply_text.clone() });
        if m.text.is_empty() && messages.iter().all(|m| m.role != Role::Assistant) && stopped {
            m.text = "[stopped]".into();
        }
        m.actions = action_ids.clone();
        messages.push(m);
    }
    conv.messages.extend(messages);
    conv.updated = Utc::now();
    store::put_conversation(inner, &conv)?;
    inner.store.flush()?;
    inner.emit(Event::Ai(AiEvent::ReplyDone { conversation: conv.id, stopped }));
    let mut proposals = Vec::new();
    let mut ran = Vec::new();
    for id in action_ids {
        let a = store::action(inner, id)?;
        if a.status == ActionStatus::Proposed { proposals.push(a) } else { ran.push(a) }
    }
    Ok(Outcome::Ai(AiOutcome::Reply { reply: Box::new(Reply { conversation: conv.id, text: reply_text, proposals, ran, by: brain.name(), stopped }) }))
}

/// `ai_stop`: cancel the reply being generated, if any.
pub(crate) fn stop(inner: &Inner, conversation: u64) -> Outcome {
    let token = inner.ai.running().get(&conversation).cloned();
    if let Some(t) = &token {
        t.cancel();
    }
    Outcome::Ai(AiOutcome::Stopped { conversation, was_running: token.is_some() })
}

fn emit_token(inner: &Inner, conversation: u64, text: String) {
    inner.emit(Event::Ai(AiEvent::Token { conversation, text }));
}

fn title_of(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut t: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        t.push('…');
    }
    t
}

/// Who answers: the configured provider or the built-in interpreter.
enum Brain {
    Offline,
    /// The provider, and paragraphs added to its system message (what
    /// became of earlier proposals).
    Provider(super::options::ProviderOptions, Vec<String>),
}

impl Brain {
    fn name(&self) -> String {
        match self {
            Brain::Offline => "offline".into(),
            Brain::Provider(p, _) => format!("{} ({})", p.model, p.preset.as_str()),
        }
    }

    async fn round(
        &self,
        inner: &Inner,
        actor: &Actor,
        history: &[Message],
        context: Option<&str>,
        round: usize,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<RoundEnd, String> {
        match self {
            Brain::Offline => Ok(offline_round(inner, actor, history, context, round, on_token).await),
            Brain::Provider(p, extra) => provider::chat::round(inner, actor, p, history, context, extra, on_token).await.map_err(|e| e.to_string()),
        }
    }
}

/// The interpreter answers the newest question in its first round; after
/// the reads it asked for have run there is nothing more to say.
async fn offline_round(inner: &Inner, actor: &Actor, history: &[Message], context: Option<&str>, round: usize, on_token: &mut (dyn FnMut(&str) + Send)) -> RoundEnd {
    if round > 0 {
        return RoundEnd::Text;
    }
    let question = history.iter().rev().find(|m| m.role == Role::User).map(|m| m.text.as_str()).unwrap_or("");
    let inventory = super::inventory::gather(inner, actor).await;
    let plan = offline::interpret(question, context, &inventory);
    on_token(&plan.text);
    if plan.calls.is_empty() {
        RoundEnd::Text
    } else {
        RoundEnd::Calls(plan.calls.into_iter().enumerate().map(|(i, (name, args))| ToolCall { id: format!("offline-{i}"), name, arguments: args.to_string() }).collect())
    }
}

/// Run a read now and record it as a done (or failed) action.
async fn run_read(inner: &Inner, actor: &Actor, conversation: u64, message: usize, command: Command) -> EngineResult<(u64, Result<String, String>)> {
    let mut action = new_action(inner, conversation, message, command.clone(), String::new())?;
    action.status = ActionStatus::Running;
    action.started = Some(Utc::now());
    store::put_action(inner, &action)?;
    let started = Instant::now();
    let result = super::actions::execute_as_ai(inner, command, actor.clone()).await;
    action.duration_ms = Some(started.elapsed().as_millis() as u64);
    // The result goes to the model and into the store: every secret value
    // out of it first (a command's output may hold one: a config file, an
    // environment), not only a revealed one.
    let scrubber = crate::engine::vault::scrubber(inner);
    let fed = match &result {
        Ok(outcome) => {
            action.status = ActionStatus::Done;
            action.result = Some(scrubber.scrub(&outcome.summary()).into_owned());
            let mut json = crate::engine::tools::outcome_json(outcome);
            scrubber.scrub_json(&mut json);
            Ok(cut(json.to_string()))
        }
        Err(e) => {
            let why = scrubber.scrub(&e.to_string()).into_owned();
            action.status = ActionStatus::Failed;
            action.result = Some(why.clone());
            Err(why)
        }
    };
    store::put_action(inner, &action)?;
    inner.emit(Event::Ai(AiEvent::ActionChanged { conversation, action: action.id, status: action.status }));
    Ok((action.id, fed))
}

/// Record a proposal with its preview (what it would change, computed by
/// the engine from current state without changing anything).
pub(crate) async fn propose(inner: &Inner, actor: &Actor, conversation: u64, message: usize, command: Command, reason: String, undo_of: Option<u64>) -> EngineResult<Action> {
    let mut action = new_action(inner, conversation, message, command.clone(), reason)?;
    action.undo_of = undo_of;
    (action.previewed, action.preview) = super::actions::preview_card(inner, actor, &command).await;
    store::put_action(inner, &action)?;
    inner.emit(Event::Ai(AiEvent::ActionChanged { conversation, action: action.id, status: action.status }));
    Ok(action)
}

fn new_action(inner: &Inner, conversation: u64, message: usize, command: Command, reason: String) -> EngineResult<Action> {
    let spec = command.spec();
    Ok(Action {
        id: store::next_action_id(inner)?,
        conversation,
        message,
        name: spec.name.to_string(),
        class: spec.class,
        command,
        status: ActionStatus::Proposed,
        result: None,
        output: None,
        created: Utc::now(),
        started: None,
        duration_ms: None,
        preview: Vec::new(),
        previewed: None,
        inverse: None,
        inverses: Vec::new(),
        undo_of: None,
        reason,
    })
}

pub(crate) fn cut(s: String) -> String {
    cut_to(s, MAX_RESULT)
}

/// `s` cut to at most `max` bytes (at a character boundary), marked.
pub(crate) fn cut_to(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push_str("…(cut)");
    }
    s
}
