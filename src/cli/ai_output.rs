//! The human output of the AI verbs: proposals as cards (command, class,
//! preview, how to confirm), conversations as a table, one line for the rest.

use super::table::{self, age};
use crate::engine::views::ai::{Action, ActionStatus, AiOutcome, Reply, Role};
use crate::engine::Permission;

impl super::output::Human for AiOutcome {
    fn human(&self) {
        match self {
            AiOutcome::Reply { reply } => {
                if !reply.text.is_empty() {
                    println!("{}", reply.text);
                }
                print_reply_actions(reply, false);
            }
            AiOutcome::Action { action } => card(action),
            AiOutcome::Conversations { conversations } => {
                if conversations.is_empty() {
                    println!("no conversations yet — `homedeck ai ask \"what is down?\"` starts one");
                    return;
                }
                let rows: Vec<Vec<String>> = conversations
                    .iter()
                    .map(|c| vec![c.id.to_string(), c.title.clone(), c.messages.to_string(), c.pending.to_string(), age(c.updated)])
                    .collect();
                print!("{}", table::render(&["ID", "TITLE", "MESSAGES", "PENDING", "UPDATED"], &rows));
            }
            AiOutcome::Conversation { conversation, actions } => {
                println!("conversation {} — {}", conversation.id, conversation.title);
                for m in &conversation.messages {
                    let who = match m.role {
                        Role::User => "you",
                        Role::Assistant => "assistant",
                        Role::Tool => continue,
                    };
                    if !m.text.is_empty() {
                        println!("\n{who} ({}):\n{}", m.at.format("%H:%M:%S"), m.text.trim());
                    }
                    for id in &m.actions {
                        if let Some(a) = actions.iter().find(|a| a.id == *id) {
                            card(a);
                        }
                    }
                }
            }
            other => println!("{}", other.summary()),
        }
    }
}

/// What ran at once and what waits for a confirm, after the streamed text.
pub fn print_reply_actions(reply: &Reply, confirming: bool) {
    for a in &reply.ran {
        card(a);
    }
    for a in &reply.proposals {
        card(a);
        if a.class == Permission::Dangerous {
            println!("  dangerous: confirm with `homedeck ai confirm {} --typed {}`", a.id, a.name);
        } else if !confirming {
            println!("  confirm with `homedeck ai confirm {}` (or reject: `homedeck ai reject {}`)", a.id, a.id);
        }
    }
}

fn card(a: &Action) {
    let args = crate::engine::views::tools::audit_arguments(&a.command);
    println!("[{}] action {} · {} {} · {}", a.status.as_str(), a.id, a.name, args, a.class.as_str());
    if a.status == ActionStatus::Proposed {
        for l in &a.preview {
            println!("    {l}");
        }
    }
    if let Some(r) = &a.result {
        let ms = a.duration_ms.map(|d| format!(" ({d} ms)")).unwrap_or_default();
        println!("    → {}{ms}", r.lines().next().unwrap_or(""));
    }
}
