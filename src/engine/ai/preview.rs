//! Previews of the AI verbs: confirming a proposal previews the proposed
//! command itself; undo previews the recorded inverse; rename and delete
//! say what they change.

use super::store;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::AiCommand;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, actor: &Actor, spec: &'static CommandSpec, command: AiCommand) -> EngineResult<Preview> {
    use AiCommand::*;
    Ok(match command {
        AiAsk { .. } | AiStop { .. } | AiConversations {} | AiShow { .. } | AiExport { .. } | AiTest {} => Preview::reads(spec),
        AiConfirm { proposal, .. } => {
            let a = store::action(inner, proposal)?;
            let inner_preview = Box::pin(crate::engine::preview::preview(inner, actor, a.command.clone())).await?;
            let mut p = Preview::new(spec, format!("confirm proposal {proposal}: {}", inner_preview.summary));
            p.targets = inner_preview.targets;
            p.changes = inner_preview.changes;
            p.diff = inner_preview.diff;
            p.unavailable = inner_preview.unavailable;
            p.notes = inner_preview.notes;
            p.with_inverses(inner_preview.inverses)
        }
        AiReject { proposal } => {
            let a = store::action(inner, proposal)?;
            let t = format!("proposal {proposal}");
            Preview::new(spec, format!("reject proposal {proposal} ({}): it never runs", a.name)).target(t.clone()).change(&t, "status", Some(a.status.as_str().into()), Some("rejected".into()))
        }
        AiUndo { action } => {
            let a = store::action(inner, action)?;
            match a.inverse.clone().or_else(|| a.inverses.first().cloned()) {
                Some(inv) => {
                    let p = Box::pin(crate::engine::preview::preview(inner, actor, inv)).await?;
                    Preview::new(spec, format!("propose the undo of action {action} ({}): {}", a.name, p.summary)).targets(p.targets)
                }
                None => Preview::unavailable(spec, format!("undo action {action} ({})", a.name), "it recorded no inverse"),
            }
        }
        AiRename { conversation, title } => {
            let c = store::conversation(inner, conversation)?;
            let t = format!("conversation {conversation}");
            Preview::new(spec, format!("rename conversation {conversation}")).target(t.clone()).change(&t, "title", Some(c.title), Some(title))
        }
        AiDelete { conversation } => {
            let c = store::conversation(inner, conversation)?;
            let n = store::actions_of(inner, conversation)?.len();
            let t = format!("conversation {conversation}");
            Preview::new(spec, format!("delete conversation {conversation} ({:?}, {} messages, {n} action records) for good", c.title, c.messages.len()))
                .target(t.clone())
                .change(&t, "conversation", Some(c.title), None)
                .note("cannot be undone")
        }
    })
}
