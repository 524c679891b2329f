//! What the AI domain keeps: conversations (their messages) and actions
//! (every command a conversation proposed or ran, with its status, result,
//! duration, preview and recorded inverse). Both are stored in sled, so a
//! console that closes mid-conversation loses nothing: the engine (or the
//! daemon) holds them.

use crate::engine::command::Command;
use crate::engine::command_table::Permission;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
    /// The answer of a tool call, fed back to the model.
    Tool,
}

/// One tool call the model (or the offline interpreter) asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call (`call_…`), echoed in the answer.
    pub id: String,
    pub name: String,
    /// The JSON arguments exactly as the model sent them.
    pub arguments: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub text: String,
    pub at: DateTime<Utc>,
    /// Assistant messages: the calls it made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Tool messages: which call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Actions (proposals or runs) this message led to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<u64>,
}

impl Message {
    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Message { role, text: text.into(), at: Utc::now(), tool_calls: Vec::new(), tool_call_id: None, actions: Vec::new() }
    }
}

/// A conversation with the assistant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: u64,
    pub title: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The OS user who started it.
    pub user: String,
    pub messages: Vec<Message>,
    /// The model's summary of the oldest messages, once the history
    /// outgrew the context budget (`summary.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

/// A summary of `messages[..covers]`, written by the model and kept so it
/// is not asked for again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub text: String,
    /// How many of the oldest messages it stands for.
    pub covers: usize,
    pub at: DateTime<Utc>,
}

impl Record for Conversation {
    const WHAT: &'static str = "AI conversation";
}

/// Where an action is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Waiting for the person to confirm or reject it.
    Proposed,
    Confirmed,
    Rejected,
    Running,
    Done,
    Failed,
    /// Done, then undone by its inverse (which is an action of its own).
    RolledBack,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Proposed => "proposed",
            ActionStatus::Confirmed => "confirmed",
            ActionStatus::Rejected => "rejected",
            ActionStatus::Running => "running",
            ActionStatus::Done => "done",
            ActionStatus::Failed => "failed",
            ActionStatus::RolledBack => "rolled back",
        }
    }
}

/// One command a conversation proposed or ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Action {
    pub id: u64,
    pub conversation: u64,
    /// Index of the message that proposed it.
    pub message: usize,
    /// The command, exactly as it will run (never a secret value: tool
    /// calls cannot carry one).
    pub command: Command,
    /// `command.name()`, kept for listing without decoding the command.
    pub name: String,
    pub class: Permission,
    pub status: ActionStatus,
    /// The outcome's summary (done) or the error (failed).
    pub result: Option<String>,
    /// A confirmed run's whole answer as JSON (cut, secret values out), told
    /// to the model with the next question (`ran.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub created: DateTime<Utc>,
    pub started: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// What it will change, as the engine's preview lines (or why none),
    /// for plain output (the CLI, the Markdown export).
    #[serde(default)]
    pub preview: Vec<String>,
    /// The same preview as the engine computed it, for front ends that lay
    /// it out themselves (the AI pane's card); `None` when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previewed: Option<crate::engine::preview::Preview>,
    /// The command that reverses it, recorded when it ran (where the
    /// engine's preview knows one).
    #[serde(default)]
    pub inverse: Option<Command>,
    /// Every command that together undo it (one per device of a group
    /// whose devices differ); `inverse` is its only element when there is one.
    #[serde(default)]
    pub inverses: Vec<Command>,
    /// This action undoes that one.
    #[serde(default)]
    pub undo_of: Option<u64>,
    /// Why the model or interpreter proposed it (one line).
    #[serde(default)]
    pub reason: String,
}

impl Record for Action {
    const WHAT: &'static str = "AI action";
}

impl Action {
    /// Dangerous commands need their name typed back to confirm.
    pub fn needs_typed_name(&self) -> bool {
        self.class == Permission::Dangerous
    }
}
