//! Pane 8, AI: say what you want in plain words; the engine's AI domain
//! answers (streamed, Markdown) and proposes the exact engine commands, each
//! on a card showing what it will change; nothing runs until the operator
//! confirms it here (`y`; a dangerous command's name typed back).
//!
//! Three focuses: the request box (every key edits it; Enter sends, Esc
//! stops a reply being generated or leaves the box), the transcript (the
//! keymap's `[ai]` keys act on the selected card) and the conversation list
//! (`[ai_list]`: resume, rename, delete, export, new). All of it is view
//! state; every action is a `Command` built in `ai_domain.rs`, the one file
//! that names the engine's AI types.

#[path = "ai_card.rs"]
pub mod ai_card;
#[path = "ai_domain.rs"]
mod ai_domain;
#[path = "ai_input.rs"]
pub mod ai_input;
#[path = "ai_markdown.rs"]
pub mod ai_markdown;
#[path = "ai_table.rs"]
mod ai_table;
#[path = "ai_transcript.rs"]
pub mod ai_transcript;
#[path = "ai_view.rs"]
mod ai_view;
#[path = "ai_wrap.rs"]
pub mod ai_wrap;

use crate::engine::Permission;
use crate::engine::views::ai::ActionStatus;
use self::ai_input::{Input, InputStep};
use self::ai_transcript::Transcript;
use super::PaneId;
use super::pane::{Ctx, Pane, Parts, Submit};
use crate::tui::app::{Job, Purpose, Step, View};
use crate::tui::form::{Field, Form};
use crate::tui::keymap::{Nav, Section, SectionSpec, Verb, ViewSpec};
use crate::tui::widgets::list::ListView;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

pub const KEYS: SectionSpec = SectionSpec {
    name: "ai",
    // Confirm, reject, undo, stop and the list are the engine's own verbs
    // (`ai_confirm` …), bound by name in assets/keys/ai.toml: `?` shows
    // their doc lines. These are what only the view does.
    views: &[
        ViewSpec { name: "ai_type", desc: "Type a request (Enter sends it, Esc leaves the box)" },
        ViewSpec { name: "ai_diff", desc: "Show or hide the selected proposal's full diff" },
        ViewSpec { name: "ai_edit", desc: "Edit the selected proposal's arguments in the command palette" },
        ViewSpec { name: "ai_context_drop", desc: "Do not send the other pane's selection as context" },
    ],
};

pub const LIST_KEYS: SectionSpec = SectionSpec {
    name: "ai_list",
    // Rename, delete and export are the engine's verbs (assets/keys/ai_list.toml).
    views: &[ViewSpec { name: "ai_new", desc: "Start a new conversation" }],
};

/// The `ai_list` section under the module name `panes!` looks it up by.
pub mod ai_list {
    pub use super::LIST_KEYS as KEYS;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Input,
    Transcript,
    List,
}

/// One stored conversation, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    pub id: u64,
    pub title: String,
    pub messages: usize,
    pub updated: String,
}

/// What the other pane had selected when this one came up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    /// The pane it came from.
    pub from: &'static str,
    /// The selection as the engine reads it (`server:nas`).
    pub text: String,
}

/// The forms this pane opens.
pub enum AiForm {
    /// A dangerous proposal: its command name typed back.
    TypeBack { proposal: u64, command: String },
    Rename { conversation: u64 },
}

pub struct AiPane {
    pub transcript: Transcript,
    pub input: Input,
    pub focus: Focus,
    /// The conversation on screen (`None`: a new one starts with the next request).
    pub conversation: Option<u64>,
    pub title: Option<String>,
    pub conversations: Vec<ConversationView>,
    pub list: ListView,
    /// The provider in words (`ollama · qwen2.5 at http://…`); `None`: the
    /// offline interpreter answers.
    pub provider: Option<String>,
    pub context: Option<Offered>,
    /// A request is being answered (Esc stops it).
    pub generating: bool,
    /// Who answered the last reply (`offline`, or the model), from the engine.
    pub answered_by: Option<String>,
}

impl Default for AiPane {
    fn default() -> Self {
        AiPane {
            transcript: Transcript::default(),
            input: Input::default(),
            focus: Focus::Input,
            conversation: None,
            title: None,
            conversations: Vec::new(),
            list: ListView::default(),
            provider: None,
            context: None,
            generating: false,
            answered_by: None,
        }
    }
}

impl AiPane {
    /// The pane with the provider of `[ai]` named on its empty screen.
    pub fn new(config: &crate::config::Config) -> AiPane {
        let ai = &config.ai;
        let provider = ai.provider.as_deref().filter(|p| !p.is_empty() && *p != "none").map(|p| {
            let model = if ai.model.is_empty() { "(no model set)" } else { ai.model.as_str() };
            match &ai.base_url {
                Some(url) => format!("{p} · {model} at {url}"),
                None => format!("{p} · {model}"),
            }
        });
        AiPane { provider, ..AiPane::default() }
    }

    /// The other pane's selection, offered as context for the next request.
    /// Nothing selected there: nothing is offered (an older offer would
    /// be about a pane the operator has left).
    pub fn offer(&mut self, from: &'static str, text: Option<String>) {
        self.context = text.map(|text| Offered { from, text });
    }

    fn send(&mut self, text: String) -> Step {
        self.transcript.user(&text);
        self.transcript.scroll = 0;
        self.generating = true;
        let context = self.context.as_ref().map(|c| c.text.clone());
        ai_domain::ask(self.conversation, text, context)
    }

    fn stop(&mut self) -> Step {
        match (&self.conversation, self.generating) {
            (Some(c), true) => ai_domain::stop(*c),
            _ => Step::Status("nothing is being generated".into()),
        }
    }

    fn confirm(&mut self) -> Step {
        let Some(p) = self.waiting() else {
            return Step::Status("no proposal waiting for an answer: ↑/↓ select a card".into());
        };
        if p.class == Permission::Dangerous {
            let field = Field::text(&format!("type {} to run it", p.command));
            let kind = AiForm::TypeBack { proposal: p.id, command: p.command.clone() };
            let intro = format!("{} is dangerous: {}", p.line, p.summary);
            return Step::Form(Form::new("Confirm a dangerous command", PaneId::Ai, kind, vec![field]).intro(&intro));
        }
        ai_domain::confirm(p.id)
    }

    /// The selected proposal if it waits for an answer.
    fn waiting(&self) -> Option<&ai_card::ProposalView> {
        self.transcript.selected_proposal().filter(|p| p.status == ActionStatus::Proposed)
    }

    fn transcript_action(&mut self, action: Verb) -> Step {
        let page = isize::try_from(self.transcript.page.max(1)).unwrap_or(1);
        match action.name() {
            "ai_type" | "open" => self.focus = Focus::Input,
            "up" | "down" => {
                self.transcript.select_step(action == Verb::Nav(Nav::Up));
            }
            "page_up" => self.transcript.scroll_by(page),
            "page_down" => self.transcript.scroll_by(-page),
            "top" => self.transcript.scroll = usize::MAX,
            "bottom" => self.transcript.scroll = 0,
            "back" if self.generating => return self.stop(),
            "ai_stop" => return self.stop(),
            "ai_confirm" => return self.confirm(),
            "ai_reject" => {
                return match self.waiting() {
                    Some(p) => ai_domain::reject(p.id),
                    None => Step::Status("no proposal waiting for an answer".into()),
                };
            }
            "ai_diff" => {
                let has = self.transcript.selected_proposal().is_some_and(|p| p.diff.is_some());
                if !has || !self.transcript.toggle_diff() {
                    return Step::Status("the selected proposal has no diff".into());
                }
            }
            "ai_edit" => {
                return match self.transcript.selected_proposal() {
                    Some(p) => Step::Palette(format!("{} ", p.line)),
                    None => Step::Status("no proposal selected".into()),
                };
            }
            "ai_undo" => {
                let sel = self.transcript.selected_proposal().filter(|p| p.status == ActionStatus::Done && p.inverse.is_some());
                let done = sel.or_else(|| self.transcript.proposals().rev().map(|(_, p)| p).find(|p| p.status == ActionStatus::Done && p.inverse.is_some()));
                return match done {
                    Some(p) => ai_domain::undo(p.id),
                    None => Step::Status("no done action that can be undone".into()),
                };
            }
            "ai_conversations" => {
                self.focus = Focus::List;
                return ai_domain::list();
            }
            "ai_context_drop" => return self.drop_context(),
            _ => return Step::Unhandled,
        }
        Step::Nothing
    }

    fn list_action(&mut self, action: Verb) -> Step {
        let len = self.shown().len();
        if self.list.navigate(action, len) {
            return Step::Nothing;
        }
        let selected = self.shown().get(self.list.selected).map(|c| (*c).clone());
        match (action.name(), selected) {
            ("back", _) => self.focus = Focus::Transcript,
            ("ai_new", _) => {
                self.new_conversation();
                self.focus = Focus::Input;
            }
            ("open", Some(c)) => {
                self.focus = Focus::Transcript;
                return ai_domain::show(c.id);
            }
            ("ai_rename", Some(c)) => {
                let field = Field::filled("title", &c.title);
                return Step::Form(Form::new("Rename the conversation", PaneId::Ai, AiForm::Rename { conversation: c.id }, vec![field]));
            }
            ("ai_delete", Some(c)) => return ai_domain::delete(&c),
            ("ai_export", Some(c)) => return ai_domain::export(c.id),
            ("open" | "ai_rename" | "ai_delete" | "ai_export", None) => {
                return Step::Status("no conversation selected: ‹ai_new› starts one".into());
            }
            _ => return Step::Unhandled,
        }
        Step::Nothing
    }

    fn drop_context(&mut self) -> Step {
        match self.context.take() {
            Some(c) => Step::Status(format!("{} will not be sent as context", c.text)),
            None => Step::Status("no context offered".into()),
        }
    }

    /// The conversations the `/` filter lets through, in the list's order.
    pub fn shown(&self) -> Vec<&ConversationView> {
        self.conversations.iter().filter(|c| self.list.matches(&c.title)).collect()
    }

    pub fn new_conversation(&mut self) {
        self.conversation = None;
        self.title = None;
        self.transcript.clear();
        self.generating = false;
    }
}

impl Pane for AiPane {
    fn id(&self) -> PaneId {
        PaneId::Ai
    }

    fn section(&self) -> Option<Section> {
        Some(if self.focus == Focus::List { &LIST_KEYS } else { &KEYS })
    }

    fn on_action(&mut self, action: Verb) -> Step {
        match self.focus {
            Focus::List => self.list_action(action),
            _ => self.transcript_action(action),
        }
    }

    fn captures_keys(&self) -> bool {
        self.focus == Focus::Input
    }

    fn raw_key(&mut self, key: KeyEvent) -> Step {
        match key.code {
            KeyCode::Esc if self.generating => self.stop(),
            KeyCode::Esc => {
                self.focus = Focus::Transcript;
                Step::Nothing
            }
            KeyCode::Char('x') if key.modifiers.contains(KeyModifiers::CONTROL) => self.drop_context(),
            // Tab still walks the panes from the box, as from everywhere else.
            KeyCode::Tab => Step::Go(PaneId::Ai.next()),
            KeyCode::BackTab => Step::Go(PaneId::Ai.prev()),
            KeyCode::PageUp | KeyCode::PageDown => {
                let page = isize::try_from(self.transcript.page.max(1)).unwrap_or(1);
                self.transcript.scroll_by(if key.code == KeyCode::PageUp { page } else { -page });
                Step::Nothing
            }
            _ => match self.input.key(key) {
                InputStep::Send(text) => self.send(text),
                InputStep::Edited => Step::Nothing,
            },
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        ai_view::render(self, f, area, v);
    }

    fn refresh(&mut self, parts: Parts) -> Vec<Job> {
        ai_domain::refresh(self, parts).into_iter().map(|command| Job { command, purpose: Purpose::Refresh }).collect()
    }

    fn on_outcome(&mut self, outcome: crate::engine::Outcome, purpose: Purpose, cx: &mut Ctx) {
        ai_domain::on_outcome(self, outcome, purpose, cx);
    }

    fn on_event(&mut self, event: crate::engine::Event, cx: &mut Ctx) {
        ai_domain::on_event(self, event, cx);
    }

    fn on_error(&mut self, name: &str, error: &crate::engine::EngineError) {
        ai_domain::on_error(self, name, error);
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        let value = form.value(0);
        match form.kind::<AiForm>() {
            Some(AiForm::TypeBack { proposal, command }) => {
                if value.trim() != command {
                    return Err(format!("typed {:?}: expected the command name {command:?} — Esc cancels", value.trim()));
                }
                ai_domain::confirm_typed(*proposal, value.trim().to_string())
            }
            Some(AiForm::Rename { conversation }) => {
                if value.trim().is_empty() {
                    return Err("the title is empty: type a title, or Esc to keep the old one".into());
                }
                ai_domain::rename(*conversation, value.trim().to_string())
            }
            None => Err("this form is not the AI pane's".into()),
        }
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        (self.focus == Focus::List).then_some(&mut self.list)
    }
}
