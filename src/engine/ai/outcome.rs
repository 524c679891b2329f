//! What the AI domain answers ([`AiOutcome`]) and broadcasts ([`AiEvent`]).

use super::model::{Action, ActionStatus, Conversation};
use crate::engine::text::plural;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A conversation in a list: no messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: u64,
    pub title: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub messages: usize,
    /// Proposals still waiting for a confirm or reject.
    pub pending: usize,
}

/// The assistant's answer to one `ai_ask`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    pub conversation: u64,
    /// What it said (the streamed tokens, joined).
    pub text: String,
    /// Write and dangerous commands waiting for a confirm.
    pub proposals: Vec<Action>,
    /// Read commands it ran at once, with their results.
    pub ran: Vec<Action>,
    /// Who answered: `offline` (the built-in interpreter) or the provider's model.
    pub by: String,
    /// The reply was stopped (`ai_stop`) before it finished.
    pub stopped: bool,
}

/// What `ai_test` found about the provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProviderReport {
    /// `offline` when no provider is configured.
    pub provider: String,
    pub base_url: String,
    pub model: String,
    /// Time of a one-word chat completion.
    pub latency_ms: Option<u64>,
    /// The endpoint's model list, where it has one.
    pub models: Vec<String>,
    /// A forced tool call came back as a well-formed call.
    pub tool_calling: Option<bool>,
    /// What went wrong, per step (`models: …`, `chat: …`, `tools: …`).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AiOutcome {
    Reply { reply: Box<Reply> },
    /// An action after a confirm, reject or undo (the undo's new proposal).
    /// Boxed: it carries a whole `Command`.
    Action { action: Box<Action> },
    /// `ai_stop`: whether a reply was being generated.
    Stopped { conversation: u64, was_running: bool },
    Conversations { conversations: Vec<ConversationSummary> },
    Conversation { conversation: Conversation, actions: Vec<Action> },
    Renamed { conversation: u64, title: String },
    Deleted { conversation: u64 },
    Exported { conversation: u64, markdown: String },
    Tested { report: Box<ProviderReport> },
}

impl AiOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Reply { reply } => {
                let mut s = format!("conversation {}: ", reply.conversation);
                if reply.proposals.is_empty() && reply.ran.is_empty() {
                    s.push_str("reply");
                } else {
                    s.push_str(&format!("{} to confirm, {} ran", plural(reply.proposals.len(), "proposal", "proposals"), reply.ran.len()));
                }
                if reply.stopped {
                    s.push_str(" (stopped)");
                }
                s
            }
            Self::Action { action } => format!("action {} {}: {}", action.id, action.name, action.status.as_str()),
            Self::Stopped { conversation, was_running } => {
                if *was_running {
                    format!("conversation {conversation}: reply stopped")
                } else {
                    format!("conversation {conversation}: nothing was being generated")
                }
            }
            Self::Conversations { conversations } => plural(conversations.len(), "conversation", "conversations"),
            Self::Conversation { conversation, .. } => {
                format!("conversation {} ({})", conversation.id, plural(conversation.messages.len(), "message", "messages"))
            }
            Self::Renamed { conversation, title } => format!("conversation {conversation} renamed to {title:?}"),
            Self::Deleted { conversation } => format!("conversation {conversation} deleted"),
            Self::Exported { conversation, .. } => format!("conversation {conversation} exported as Markdown"),
            Self::Tested { report } => {
                if report.problems.is_empty() {
                    format!("{} ({}): ok", report.provider, report.model)
                } else {
                    format!("{} ({}): {}", report.provider, report.model, report.problems.join("; "))
                }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AiEvent {
    /// A piece of the reply being generated, as it arrives.
    Token { conversation: u64, text: String },
    /// A reply finished (or was stopped); `ai_show` has it in full.
    ReplyDone { conversation: u64, stopped: bool },
    /// An action was proposed or changed status.
    ActionChanged { conversation: u64, action: u64, status: ActionStatus },
    /// A confirmed action began to run (its card counts from `at`).
    ActionStarted { conversation: u64, action: u64, at: DateTime<Utc> },
    /// A line of a running action's progress: the domain's own progress
    /// broadcast about its targets (`progress.rs`), secret values out.
    ActionProgress { conversation: u64, action: u64, line: String },
    /// A confirmed action ended (done or failed) after `duration_ms`.
    ActionFinished { conversation: u64, action: u64, status: ActionStatus, duration_ms: u64 },
    /// A conversation was added, renamed or deleted.
    ConversationsChanged,
}
