//! The seam between the AI pane and the engine's AI domain: the only file of
//! the pane that names the engine's AI types. Keys become `Command`s here
//! (run by the console's loop through the front end's `Handle`, in-process
//! or attached to the daemon); answers and broadcasts become the pane's own
//! view models (`ProposalView`, `ConversationView`), so everything that
//! draws is tested without an engine.

use super::ai_card::{Class, ProposalView, Status};
use super::{AiPane, ConversationView};
use crate::engine::views::ai::{Action, ActionStatus, AiEvent, AiOutcome, Conversation, Role};
use crate::engine::{Command, EngineError, Event, Outcome, Permission};
use crate::tui::app::{Level, Purpose, Step};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::{Ctx, Parts, Submit};
use serde_json::Value;

/// Refresh parts: the conversation list, and the conversation on screen.
pub const LIST: Parts = 1;
pub const SHOW: Parts = 2;

pub fn ask(conversation: Option<u64>, text: String, context: Option<String>) -> Step {
    Step::Run(Command::AiAsk { conversation, text, context })
}

pub fn stop(conversation: u64) -> Step {
    Step::Run(Command::AiStop { conversation })
}

pub fn confirm(proposal: u64) -> Step {
    Step::Run(Command::AiConfirm { proposal, typed: None })
}

pub fn confirm_typed(proposal: u64, typed: String) -> Result<Submit, String> {
    Ok(Submit::Run(Command::AiConfirm { proposal, typed: Some(typed) }))
}

pub fn reject(proposal: u64) -> Step {
    Step::Run(Command::AiReject { proposal })
}

pub fn undo(action: u64) -> Step {
    Step::Run(Command::AiUndo { action })
}

pub fn list() -> Step {
    Step::Run(Command::AiConversations {})
}

pub fn show(conversation: u64) -> Step {
    Step::Run(Command::AiShow { conversation })
}

pub fn rename(conversation: u64, title: String) -> Result<Submit, String> {
    Ok(Submit::Run(Command::AiRename { conversation, title }))
}

pub fn delete(c: &ConversationView) -> Step {
    Step::Confirm(Confirm {
        title: "Delete conversation".into(),
        message: format!("Delete \"{}\" ({} messages) and its action records for good? Its audit entries stay.", c.title, c.messages),
        on_yes: OnYes::Run(Box::new(Command::AiDelete { conversation: c.id })),
    })
}

pub fn export(conversation: u64) -> Step {
    Step::Run(Command::AiExport { conversation })
}

pub fn refresh(p: &AiPane, parts: Parts) -> Vec<Command> {
    let mut out = Vec::new();
    if parts & LIST != 0 {
        out.push(Command::AiConversations {});
    }
    // Not while a reply streams: the stored conversation does not hold it yet.
    if let (true, Some(conversation), false) = (parts & SHOW != 0, p.conversation, p.generating) {
        out.push(Command::AiShow { conversation });
    }
    out
}

/// A command as the palette line that builds it again (`name key=value …`),
/// for `e`: the arguments are there to change before running it.
pub fn palette_line(c: &Command) -> String {
    let mut line = c.name().to_string();
    let Ok(Value::Object(obj)) = serde_json::to_value(c) else { return line };
    for (k, v) in obj {
        let text = match v {
            Value::Null => continue,
            Value::String(_) if k == "command" => continue,
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        let quoted = if text.is_empty() || text.contains([' ', '"', '\'', '\\']) {
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            text
        };
        line.push_str(&format!(" {k}={quoted}"));
    }
    line
}

fn status(s: ActionStatus) -> Status {
    match s {
        ActionStatus::Proposed => Status::Proposed,
        ActionStatus::Confirmed => Status::Confirmed,
        ActionStatus::Rejected => Status::Rejected,
        ActionStatus::Running => Status::Running,
        ActionStatus::Done => Status::Done,
        ActionStatus::Failed => Status::Failed,
        ActionStatus::RolledBack => Status::RolledBack,
    }
}

/// An engine action as its card shows it.
pub fn proposal_view(a: &Action) -> ProposalView {
    let class = match a.class {
        Permission::Read => Class::Read,
        Permission::Dangerous => Class::Dangerous,
        _ => Class::Write,
    };
    let status = status(a.status);
    let progress = match (status, a.started) {
        (Status::Running, Some(t)) => Some(format!("running since {}", t.with_timezone(&chrono::Local).format("%H:%M:%S"))),
        (Status::Running, None) => Some("starting".into()),
        _ => None,
    };
    let result = a.result.as_ref().map(|r| match a.duration_ms {
        Some(ms) => format!("{r} ({:.1} s)", ms as f64 / 1000.0),
        None => r.clone(),
    });
    ProposalView {
        id: a.id,
        command: a.name.clone(),
        line: palette_line(&a.command),
        class,
        summary: String::new(),
        targets: Vec::new(),
        changes: Vec::new(),
        diff: None,
        inverse: a.inverse.as_ref().map(palette_line),
        unavailable: None,
        notes: a.preview.clone(),
        reason: a.reason.clone(),
        status,
        progress,
        result,
    }
}

/// The transcript of a stored conversation: its messages in order, each
/// followed by the cards of the actions it led to.
fn rebuild(p: &mut AiPane, conversation: &Conversation, actions: &[Action]) {
    let selected = p.transcript.selected_proposal().map(|v| v.id);
    let scroll = p.transcript.scroll;
    p.transcript.clear();
    for m in &conversation.messages {
        match m.role {
            Role::User => p.transcript.user(&m.text),
            Role::Assistant if !m.text.trim().is_empty() => p.transcript.reply(&m.text),
            _ => {}
        }
        for id in &m.actions {
            if let Some(a) = actions.iter().find(|a| a.id == *id) {
                p.transcript.proposal(proposal_view(a));
            }
        }
    }
    if let Some(id) = selected {
        p.transcript.select_id(id);
    }
    p.transcript.scroll = scroll;
    p.conversation = Some(conversation.id);
    p.title = Some(conversation.title.clone());
}

pub fn on_outcome(p: &mut AiPane, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
    let Outcome::Ai(outcome) = outcome else { return };
    match outcome {
        AiOutcome::Reply { reply } => {
            p.generating = false;
            p.conversation = Some(reply.conversation);
            p.answered_by = Some(reply.by.clone());
            if !reply.text.is_empty() || p.transcript.streaming() {
                p.transcript.reply(&reply.text);
            }
            for a in reply.ran.iter().chain(&reply.proposals) {
                p.transcript.proposal(proposal_view(a));
            }
            if reply.stopped {
                p.transcript.notice("stopped", false);
            }
            if !reply.proposals.is_empty() {
                // The keys now act on the card.
                p.focus = super::Focus::Transcript;
            }
            cx.refresh.mark(PaneId::Ai, LIST);
        }
        AiOutcome::Action { action } => {
            let view = proposal_view(&action);
            let waiting = view.status == Status::Proposed;
            p.transcript.proposal(view);
            if waiting {
                p.transcript.select_id(action.id);
                p.focus = super::Focus::Transcript;
            }
        }
        AiOutcome::Stopped { .. } => {
            p.generating = false;
            p.transcript.finish();
        }
        AiOutcome::Conversations { conversations } => {
            p.conversations = conversations
                .iter()
                .map(|c| ConversationView {
                    id: c.id,
                    title: c.title.clone(),
                    messages: c.messages,
                    updated: c.updated.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string(),
                })
                .collect();
            p.list.clamp(p.conversations.len());
        }
        AiOutcome::Conversation { conversation, actions } => {
            // A resume (asked) or a reload of the conversation on screen.
            if purpose != Purpose::Refresh || p.conversation == Some(conversation.id) {
                rebuild(p, &conversation, &actions);
            }
        }
        AiOutcome::Renamed { conversation, title } => {
            if p.conversation == Some(conversation) {
                p.title = Some(title.clone());
            }
            if let Some(c) = p.conversations.iter_mut().find(|c| c.id == conversation) {
                c.title = title;
            }
        }
        AiOutcome::Deleted { conversation } => {
            p.conversations.retain(|c| c.id != conversation);
            p.list.clamp(p.conversations.len());
            if p.conversation == Some(conversation) {
                p.new_conversation();
            }
        }
        AiOutcome::Exported { conversation, markdown } => {
            let path = std::env::current_dir().unwrap_or_default().join(format!("homedeck-conversation-{conversation}.md"));
            match std::fs::write(&path, markdown) {
                Ok(()) => cx.say(format!("conversation {conversation} exported to {}", path.display()), Level::Info),
                Err(e) => cx.say(format!("cannot write {}: {e}", path.display()), Level::Error),
            }
        }
        AiOutcome::Tested { .. } => {}
    }
}

pub fn on_event(p: &mut AiPane, event: Event, cx: &mut Ctx) {
    let Event::Ai(event) = event else { return };
    match event {
        AiEvent::Token { conversation, text } => {
            // A new conversation learns its id from its first token.
            if p.conversation.is_none() && p.generating {
                p.conversation = Some(conversation);
            }
            if p.conversation == Some(conversation) && p.generating {
                p.transcript.token(&text);
            }
        }
        AiEvent::ReplyDone { conversation, .. } => {
            if p.conversation == Some(conversation) {
                p.transcript.finish();
            }
        }
        AiEvent::ActionChanged { conversation, action, status: s } => {
            if p.conversation != Some(conversation) {
                return;
            }
            // The status at once; the result and duration come with the
            // reload (not while a reply streams: see `refresh`).
            let known = p.transcript.set_status(action, status(s));
            if !known || matches!(s, ActionStatus::Done | ActionStatus::Failed | ActionStatus::RolledBack) {
                cx.refresh.mark(PaneId::Ai, SHOW);
            }
        }
        AiEvent::ConversationsChanged => cx.refresh.mark(PaneId::Ai, LIST),
    }
}

pub fn on_error(p: &mut AiPane, name: &str, error: &EngineError) {
    match name {
        "ai_ask" => {
            p.generating = false;
            p.transcript.finish();
            p.transcript.notice(format!("error: {error}"), true);
        }
        "ai_confirm" | "ai_reject" | "ai_undo" => p.transcript.notice(format!("{name}: {error}"), true),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_becomes_the_palette_line_that_builds_it() {
        let c = Command::AiRename { conversation: 3, title: "porch \"lights\"".into() };
        let line = palette_line(&c);
        assert_eq!(line, r#"ai_rename conversation=3 title="porch \"lights\"""#);
        let words = crate::engine::command_parse::split_words(line.trim_start_matches("ai_rename ")).unwrap();
        let back = crate::engine::command_parse::parse("ai_rename", &words, vec![]).unwrap();
        assert_eq!(palette_line(&back), line);
    }
}
