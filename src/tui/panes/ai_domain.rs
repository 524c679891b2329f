//! The seam between the AI pane and the engine's AI domain. Keys become
//! `Command`s here (run by the console's loop through the front end's
//! `Handle`, in-process or attached to the daemon); answers and broadcasts
//! become the pane's own view models (`ProposalView`, `ConversationView`),
//! built from the engine's structured types (the action's `Preview`, its
//! `ActionStatus` and `Permission`, used as they are), never from text
//! parsed back, so everything that draws is tested without an engine.

use super::ai_card::{Change, ProposalView};
use super::{AiPane, ConversationView};
use crate::engine::views::ai::{Action, ActionStatus, AiEvent, AiOutcome, Conversation, Role, command_line};
use crate::engine::{Command, EngineError, Event, Outcome, Permission, Preview};
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

/// A command as the palette line that builds it again (`name key=value …`,
/// in the table's order), for `e`: the arguments are there to change before
/// running it. Secret arguments are left out (the palette prompts for them).
pub fn palette_line(c: &Command) -> String {
    let spec = c.spec();
    let mut line = spec.name.to_string();
    let Ok(Value::Object(obj)) = serde_json::to_value(c) else { return line };
    for a in spec.args.iter().filter(|a| !a.secret()) {
        let text = match obj.get(a.name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let quoted = if text.is_empty() || text.contains([' ', '"', '\'', '\\']) {
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            text
        };
        line.push_str(&format!(" {}={quoted}", a.name));
    }
    line
}

/// The card's fields from the engine's structured preview: summary,
/// targets, each change as `TARGET FIELD from → to` (`(none)` for a side
/// that is not there), notes, the whole diff (the card shows its head, `d`
/// all of it) and what undo would run.
fn fill_preview(v: &mut ProposalView, p: &Preview) {
    v.summary = p.summary.clone();
    v.targets = p.targets.clone();
    v.changes = p
        .changes
        .iter()
        .map(|c| Change {
            what: format!("{} {}", c.target, c.field),
            from: c.from.clone().unwrap_or_else(|| "(none)".into()),
            to: c.to.clone().unwrap_or_else(|| "(none)".into()),
        })
        .collect();
    v.notes = p.notes.clone();
    v.unavailable = p.unavailable.clone();
    v.diff = p.diff.clone();
    v.undo_note = match p.inverses.as_slice() {
        [] if p.class != Permission::Read && p.unavailable.is_none() => Some("none (cannot be undone by a command)".into()),
        [] => None,
        [one] => Some(command_line(one)),
        many => Some(format!("{} commands: {}", many.len(), many.iter().map(command_line).collect::<Vec<_>>().join("; "))),
    };
}

/// An action stored without a structured preview (its preview failed, or
/// an older homedeck wrote it): its first line is the summary, the rest notes.
fn fill_lines(v: &mut ProposalView, lines: &[String]) {
    if let Some((first, rest)) = lines.split_first() {
        v.summary = first.clone();
        v.notes = rest.iter().map(|l| l.trim().to_string()).collect();
    }
}

/// An engine action as its card shows it.
pub fn proposal_view(a: &Action) -> ProposalView {
    let status = a.status;
    let result = a.result.as_ref().map(|r| match a.duration_ms {
        Some(ms) => format!("{r} ({:.1} s)", ms as f64 / 1000.0),
        None => r.clone(),
    });
    let mut v = ProposalView {
        id: a.id,
        command: a.name.clone(),
        line: palette_line(&a.command),
        class: a.class,
        summary: String::new(),
        targets: Vec::new(),
        changes: Vec::new(),
        diff: None,
        inverse: a.inverse.as_ref().map(palette_line),
        undo_note: None,
        unavailable: None,
        notes: Vec::new(),
        reason: a.reason.clone(),
        status,
        started: if status == ActionStatus::Running { a.started } else { None },
        elapsed: None,
        progress: None,
        result,
    };
    match &a.previewed {
        Some(p) => fill_preview(&mut v, p),
        None => fill_lines(&mut v, &a.preview),
    }
    v
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
            let waiting = view.status == ActionStatus::Proposed;
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
            let known = p.transcript.set_status(action, s);
            if !known || matches!(s, ActionStatus::Done | ActionStatus::Failed | ActionStatus::RolledBack) {
                cx.refresh.mark(PaneId::Ai, SHOW);
            }
        }
        AiEvent::ActionStarted { conversation, action, at } => {
            if p.conversation == Some(conversation) && !p.transcript.started(action, at) {
                cx.refresh.mark(PaneId::Ai, SHOW);
            }
        }
        AiEvent::ActionProgress { conversation, action, line } => {
            if p.conversation == Some(conversation) {
                p.transcript.progress(action, line);
            }
        }
        AiEvent::ActionFinished { conversation, action, status: s, .. } => {
            if p.conversation == Some(conversation) {
                p.transcript.set_status(action, s);
                // The result and the duration come with the reload.
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

    #[test]
    fn the_structured_preview_fills_the_card() {
        let spec = crate::engine::command::spec("wled_set").unwrap();
        let undo = Command::AiStop { conversation: 1 };
        let p = Preview::new(spec, "set porch")
            .target("porch")
            .change("porch", "bri", Some("128".into()), Some("77".into()))
            .change("porch", "preset", None, Some("2".into()))
            .note("the segment keeps its colour")
            .with_diff(Some("-a\n+b".into()))
            .inverse(undo.clone());
        let mut v = proposal_view_for_test();
        fill_preview(&mut v, &p);
        assert_eq!(v.summary, "set porch");
        assert_eq!(v.targets, ["porch"]);
        assert_eq!(v.changes[0], Change { what: "porch bri".into(), from: "128".into(), to: "77".into() });
        assert_eq!(v.changes[1].from, "(none)");
        assert_eq!(v.notes, ["the segment keeps its colour"]);
        assert_eq!(v.diff.as_deref(), Some("-a\n+b"));
        assert_eq!(v.undo_note, Some(command_line(&undo)));
        // Several undo commands are one note, not stray lines.
        let p = p.with_inverses(vec![undo.clone(), undo.clone()]);
        fill_preview(&mut v, &p);
        assert!(v.undo_note.as_deref().is_some_and(|n| n.starts_with("2 commands: ")), "{:?}", v.undo_note);
    }

    fn proposal_view_for_test() -> ProposalView {
        ProposalView {
            id: 1,
            command: "wled_set".into(),
            line: String::new(),
            class: Permission::Write,
            summary: String::new(),
            targets: Vec::new(),
            changes: Vec::new(),
            diff: None,
            inverse: None,
            undo_note: None,
            unavailable: None,
            notes: Vec::new(),
            reason: String::new(),
            status: ActionStatus::Proposed,
            started: None,
            elapsed: None,
            progress: None,
            result: None,
        }
    }
}
