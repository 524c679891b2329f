//! Proposals become runs only here: `ai_confirm` (a dangerous command needs
//! its name typed back), `ai_reject`, and `ai_undo`, which proposes the
//! inverse a done action recorded when it ran. Every run goes through
//! `EngineHandle::execute` as `USER@ai`, so read-only refusal, the
//! command's own checks and its audit entry are the engine's as always.

use super::model::{Action, ActionStatus, Message, Role};
use super::outcome::{AiEvent, AiOutcome};
use super::store;
use crate::engine::actor::{Actor, Frontend};
use crate::engine::audit::Status;
use crate::engine::command::Command;
use crate::engine::preview::Preview;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Event, Inner, Outcome};
use chrono::Utc;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// Run a command through the engine's one door as `actor`. Boxed as a
/// trait object: the command may be any verb, so its future's type would
/// otherwise contain this domain's own.
pub(crate) fn execute_as_ai<'a>(inner: &'a Inner, command: Command, actor: Actor) -> Pin<Box<dyn Future<Output = EngineResult<Outcome>> + Send + 'a>> {
    Box::pin(async move {
        let handle = inner.ai.handle()?;
        handle.execute(command, actor).await
    })
}

/// The engine's preview of `command` as `actor` would run it (boxed: the
/// command may be any verb, this domain's own included).
async fn preview_of(inner: &Inner, actor: &Actor, command: &Command) -> EngineResult<Preview> {
    Box::pin(crate::engine::preview::preview(inner, actor, command.clone())).await
}

/// What a proposal would change: the engine's preview and its lines (or,
/// when it failed, no preview and a line saying why).
pub(crate) async fn preview_card(inner: &Inner, actor: &Actor, command: &Command) -> (Option<Preview>, Vec<String>) {
    match preview_of(inner, actor, command).await {
        Ok(p) => {
            let lines = p.lines();
            (Some(p), lines)
        }
        Err(e) => (None, vec![format!("{}: no preview: {e}", command.name())]),
    }
}

fn action_changed(inner: &Inner, a: &Action) {
    inner.emit(Event::Ai(AiEvent::ActionChanged { conversation: a.conversation, action: a.id, status: a.status }));
}

pub(crate) async fn confirm(inner: &Inner, ctx: &mut Ctx, id: u64, typed: Option<&str>) -> EngineResult<Outcome> {
    let mut action = store::action(inner, id)?;
    ctx.resource("ai_action", Some(id.to_string()), Some(action.name.clone()));
    if action.status != ActionStatus::Proposed {
        return Err(EngineError::Invalid { field: "proposal".into(), value: id.to_string(), expected: format!("a proposal waiting for confirmation (this one is {})", action.status.as_str()) });
    }
    if action.needs_typed_name() && typed.map(str::trim) != Some(action.name.as_str()) {
        return Err(EngineError::Invalid {
            field: "typed".into(),
            value: typed.unwrap_or("").into(),
            expected: format!("the command name `{}` typed back: it is dangerous and cannot be undone", action.name),
        });
    }
    // The command runs through `execute` and takes the write gate itself.
    ctx.release_gate();
    let actor = Actor { user: ctx.actor.user.clone(), frontend: Frontend::Ai };
    action.status = ActionStatus::Confirmed;
    store::put_action(inner, &action)?;
    action_changed(inner, &action);
    // Its preview from the state just before it runs: what undoes it.
    if let Ok(p) = preview_of(inner, &actor, &action.command).await {
        action.inverse = p.inverse.clone();
        action.inverses = p.inverses.clone();
        if !p.changes.is_empty() || p.diff.is_some() {
            action.preview = p.lines();
            action.previewed = Some(p);
        }
    }
    action.status = ActionStatus::Running;
    action.started = Some(Utc::now());
    store::put_action(inner, &action)?;
    inner.store.flush()?;
    action_changed(inner, &action);
    let started = Instant::now();
    inner.emit(Event::Ai(AiEvent::ActionStarted { conversation: action.conversation, action: id, at: action.started.unwrap_or_else(Utc::now) }));
    let result = run_forwarding_progress(inner, &action, actor).await;
    action.duration_ms = Some(started.elapsed().as_millis() as u64);
    // The result is stored, audited (below) and shown to the model with the
    // next question: no secret value in it (a command's output may hold one).
    let scrubber = crate::engine::vault::scrubber(inner);
    match &result {
        Ok(outcome) => {
            action.status = ActionStatus::Done;
            action.result = Some(scrubber.scrub(&outcome.summary()).into_owned());
            let mut json = crate::engine::tools::outcome_json(outcome);
            scrubber.scrub_json(&mut json);
            action.output = Some(super::ask::cut(json.to_string()));
        }
        Err(e) => {
            let why = scrubber.scrub(&e.to_string()).into_owned();
            action.status = ActionStatus::Failed;
            action.result = Some(why.clone());
            action.inverse = None;
            action.inverses = Vec::new();
            ctx.ended(Status::Failure, Some(why));
        }
    }
    store::put_action(inner, &action)?;
    inner.emit(Event::Ai(AiEvent::ActionFinished { conversation: action.conversation, action: id, status: action.status, duration_ms: action.duration_ms.unwrap_or(0) }));
    action_changed(inner, &action);
    ctx.describe(format!("AI action {id} ({}) confirmed: {}", action.name, action.result.clone().unwrap_or_default()));
    ctx.change("status", Some("proposed".into()), Some(action.status.as_str().into()));
    if let (Some(original), ActionStatus::Done) = (action.undo_of, action.status)
        && let Ok(mut o) = store::action(inner, original)
    {
        o.status = ActionStatus::RolledBack;
        store::put_action(inner, &o)?;
        action_changed(inner, &o);
    }
    Ok(Outcome::Ai(AiOutcome::Action { action: Box::new(action) }))
}

/// Run the action's command; while it runs, the domains' progress
/// broadcasts about it go out again as the action's progress lines.
async fn run_forwarding_progress(inner: &Inner, action: &Action, actor: Actor) -> EngineResult<Outcome> {
    let mut events = inner.events.subscribe();
    let mut tracker = super::progress::Tracker::new(action.conversation, action.id, &action.command, crate::engine::vault::scrubber(inner));
    let run = execute_as_ai(inner, action.command.clone(), actor);
    tokio::pin!(run);
    loop {
        tokio::select! {
            result = &mut run => {
                // What the run broadcast in its last steps is in the
                // channel already: forward it before saying it finished.
                while let Ok(e) = events.try_recv() {
                    if let Some(line) = tracker.line(&e) {
                        inner.emit(tracker.event(line));
                    }
                }
                return result;
            }
            event = events.recv() => match event {
                Ok(e) => {
                    if let Some(line) = tracker.line(&e) {
                        inner.emit(tracker.event(line));
                    }
                }
                // Lagged: some lines were missed, the next ones still come.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                // The engine is closing: the run ends on its own.
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return run.await,
            },
        }
    }
}

pub(crate) fn reject(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    let mut action = store::action(inner, id)?;
    ctx.resource("ai_action", Some(id.to_string()), Some(action.name.clone()));
    if action.status != ActionStatus::Proposed {
        return Err(EngineError::Invalid { field: "proposal".into(), value: id.to_string(), expected: format!("a proposal waiting for confirmation (this one is {})", action.status.as_str()) });
    }
    action.status = ActionStatus::Rejected;
    store::put_action(inner, &action)?;
    ctx.describe(format!("AI action {id} ({}) rejected", action.name));
    ctx.change("status", Some("proposed".into()), Some("rejected".into()));
    action_changed(inner, &action);
    Ok(Outcome::Ai(AiOutcome::Action { action: Box::new(action) }))
}

pub(crate) async fn undo(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    let original = store::action(inner, id)?;
    ctx.resource("ai_action", Some(id.to_string()), Some(original.name.clone()));
    if original.status != ActionStatus::Done {
        return Err(EngineError::Invalid { field: "action".into(), value: id.to_string(), expected: format!("a done action (this one is {})", original.status.as_str()) });
    }
    let inverses = if original.inverses.is_empty() { original.inverse.clone().into_iter().collect() } else { original.inverses.clone() };
    if inverses.is_empty() {
        return Err(EngineError::Invalid { field: "action".into(), value: id.to_string(), expected: format!("an action whose effect can be reversed ({} recorded no inverse)", original.name) });
    }
    ctx.release_gate();
    let actor = Actor { user: ctx.actor.user.clone(), frontend: Frontend::Ai };
    let mut conv = store::conversation(inner, original.conversation)?;
    let mut proposals = Vec::new();
    for inverse in inverses {
        proposals.push(super::ask::propose(inner, &actor, conv.id, conv.messages.len(), inverse, format!("undo of action {id} ({})", original.name), Some(id)).await?);
    }
    let ids: Vec<String> = proposals.iter().map(|p| p.id.to_string()).collect();
    let mut m = Message::new(Role::Assistant, format!("Undo of action {id} ({}) proposed as action {}.", original.name, ids.join(", ")));
    m.actions = proposals.iter().map(|p| p.id).collect();
    let proposal = proposals.swap_remove(0);
    conv.messages.push(m);
    conv.updated = Utc::now();
    store::put_conversation(inner, &conv)?;
    ctx.describe(format!("undo of AI action {id} ({}) proposed as action {}", original.name, proposal.id));
    Ok(Outcome::Ai(AiOutcome::Action { action: Box::new(proposal) }))
}
