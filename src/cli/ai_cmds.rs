//! `homedeck ai ask|confirm|reject|undo|conversations|show|rename|delete|export|test`.
//! `ask` subscribes to the engine's events first, so the reply's tokens are
//! printed as they arrive (in-process or attached to the daemon); `--yes`
//! then confirms every proposal that is not dangerous.

use super::Session;
use super::ai_args::AiCmd;
use crate::engine::views::ai::{AiEvent, AiOutcome};
use crate::engine::{Command, Event, Outcome, Permission};
use anyhow::Result;
use std::io::Write;

pub async fn run(s: &Session, cmd: AiCmd) -> Result<()> {
    let command = match cmd {
        AiCmd::Ask { text, conversation, context, yes } => return ask(s, text, conversation, context, yes).await,
        AiCmd::Confirm { id, typed } => Command::AiConfirm { proposal: id, typed },
        AiCmd::Reject { id } => Command::AiReject { proposal: id },
        AiCmd::Undo { id } => Command::AiUndo { action: id },
        AiCmd::Conversations => Command::AiConversations {},
        AiCmd::Show { id } => Command::AiShow { conversation: id },
        AiCmd::Rename { id, title } => Command::AiRename { conversation: id, title },
        AiCmd::Delete { id, yes } => {
            if !yes && !super::confirm(&format!("delete conversation {id} and its action records for good?")) {
                anyhow::bail!("not run: ai_delete was not confirmed");
            }
            Command::AiDelete { conversation: id }
        }
        AiCmd::Export { id } => {
            let outcome = s.exec(Command::AiExport { conversation: id }).await?;
            if let (false, Outcome::Ai(AiOutcome::Exported { markdown, .. })) = (s.json, &outcome) {
                print!("{markdown}");
                return Ok(());
            }
            return s.print(&outcome);
        }
        AiCmd::Test => Command::AiTest {},
    };
    s.print(&s.exec(command).await?)
}

async fn ask(s: &Session, text: String, conversation: Option<u64>, context: Option<String>, yes: bool) -> Result<()> {
    // Subscribed before asking, so no token is missed.
    let mut events = s.engine.subscribe();
    let stream = !s.json;
    let printer = tokio::spawn(async move {
        let mut which = conversation;
        let mut printed = false;
        loop {
            match events.recv().await {
                Ok(Event::Ai(AiEvent::Token { conversation: c, text })) if stream => {
                    if *which.get_or_insert(c) == c {
                        print!("{text}");
                        let _ = std::io::stdout().flush();
                        printed = true;
                    }
                }
                Ok(Event::Ai(AiEvent::ReplyDone { conversation: c, .. })) if which.is_none_or(|w| w == c) => return printed,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return printed,
            }
        }
    });
    let result = s.exec(Command::AiAsk { conversation, text, context }).await;
    let printed = tokio::time::timeout(std::time::Duration::from_secs(2), printer).await.ok().and_then(Result::ok).unwrap_or(false);
    let outcome = result?;
    let Outcome::Ai(AiOutcome::Reply { reply }) = &outcome else { return s.print(&outcome) };
    let mut confirmed = Vec::new();
    if yes {
        for p in reply.proposals.iter().filter(|p| p.class != Permission::Dangerous) {
            confirmed.push(s.exec(Command::AiConfirm { proposal: p.id, typed: None }).await?);
        }
    }
    if s.json {
        let v = if yes { serde_json::json!({ "reply": outcome, "confirmed": confirmed }) } else { serde_json::to_value(&outcome)? };
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if printed {
        println!();
    } else if !reply.text.is_empty() {
        println!("{}", reply.text);
    }
    super::ai_output::print_reply_actions(reply, yes);
    for c in &confirmed {
        s.print(c)?;
    }
    Ok(())
}
