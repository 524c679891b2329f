//! AI: this domain's façade, `engine::views::ai` (what front ends may name).

pub use crate::engine::ai::model::{Action, ActionStatus, Conversation, Message, Role, Summary, ToolCall};
/// A command as the line that runs it again (`name key=value …`), as preview cards write undo.
pub use crate::engine::preview::command_line;
pub use crate::engine::ai::options::{AiOptions, ProviderOptions, ProviderPreset};
pub use crate::engine::ai::outcome::{AiEvent, AiOutcome, ConversationSummary, ProviderReport, Reply};
