//! The `Pane` trait: everything the console asks of a pane, so `App`, the
//! renderer, the refresh logic and the outcome router walk one table
//! (`Panes`) instead of naming each pane. A new pane implements this trait,
//! adds itself to `PaneId` and `Panes`, and touches nothing else in the
//! console.
//!
//! Panes never hold the `App`: what they may do besides changing their own
//! state (start a job, say something, ask for a reload, open a confirmation,
//! bring themselves to the front) goes through a [`Ctx`] borrowed from the
//! app for one call, which keeps the borrow of the pane and of the rest of
//! the view state disjoint.

use super::PaneId;
use crate::engine::{Command, EngineError, Event, Outcome};
use crate::tui::app::{Job, Level, Overlay, Purpose, Step, View};
use crate::tui::clock::Clock;
use crate::tui::confirm::Confirm;
use crate::tui::form::Form;
use crate::tui::keymap::{Section, Verb};
use crate::tui::widgets::list::ListView;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Which parts of a pane to reload; a pane names its own bits (the Secrets
/// pane reloads the vault status without the list after a failed unlock).
pub type Parts = u8;

/// Every part of a pane.
pub const ALL_PARTS: Parts = u8::MAX;

/// What a submitted form turns into.
// Returned once per submit and consumed at once; boxing `Run` would cost an
// allocation to save stack nobody holds on to.
#[allow(clippy::large_enum_variant)]
pub enum Submit {
    Run(Command),
    Confirm(Confirm),
    /// Done without the engine (a file saved); the text goes to the status bar.
    Say(String),
}

/// What a pane may do to the rest of the view during one call.
pub struct Ctx<'a> {
    pub jobs: &'a mut Vec<Job>,
    pub status: &'a mut Option<(String, Level)>,
    pub refresh: &'a mut Refresh,
    pub overlay: &'a mut Option<Overlay>,
    /// The pane in front.
    pub front: &'a mut PaneId,
    pub clock: &'a Clock,
    /// The `m` log every message also goes to.
    pub messages: &'a mut crate::tui::messages::Messages,
}

impl Ctx<'_> {
    pub fn run(&mut self, command: Command, purpose: Purpose) {
        self.jobs.push(Job { command, purpose });
    }

    /// A background reload: its errors stay quiet unless they matter.
    pub fn load(&mut self, command: Command) {
        self.run(command, Purpose::Refresh);
    }

    pub fn say(&mut self, text: impl Into<String>, level: Level) {
        let text = text.into();
        self.messages.push(self.clock.now(), *self.front, &text, level);
        *self.status = Some((text, level));
    }

    /// Bring `pane` to the front when `when` holds.
    pub fn go(&mut self, when: bool, pane: PaneId) {
        if when {
            *self.front = pane;
        }
    }

    pub fn confirm(&mut self, confirm: Confirm) {
        *self.overlay = Some(Overlay::Confirm(confirm));
    }
}

/// Which panes (and which of their parts) need reloading once the current
/// batch of input is handled; many events in a row make one reload each.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
pub struct Refresh {
    wanted: [Parts; PaneId::ALL.len()],
}

impl Refresh {
    pub fn mark(&mut self, pane: PaneId, parts: Parts) {
        self.wanted[pane.index()] |= parts;
    }

    pub fn all() -> Refresh {
        Refresh { wanted: [ALL_PARTS; PaneId::ALL.len()] }
    }

    /// The parts wanted for `pane` (0: none).
    pub fn parts(&self, pane: PaneId) -> Parts {
        self.wanted[pane.index()]
    }
}

/// One pane of the console. Defaults cover panes without lists, forms or
/// engine domains.
pub trait Pane {
    fn id(&self) -> PaneId;

    fn title(&self) -> &'static str {
        self.id().title()
    }

    /// The keymap section looked up before `[global]` right now (a pane
    /// may switch sections with its view, as Audit does for security events).
    fn section(&self) -> Option<Section>;

    /// A key's action; `Step::Unhandled` lets the app apply its fallbacks.
    fn on_action(&mut self, action: Verb) -> Step;

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View);

    /// The jobs that (re)load `parts` of this pane. `&mut` because a first
    /// load may start watchers once, and a query is numbered so older
    /// answers can be dropped.
    fn refresh(&mut self, parts: Parts) -> Vec<Job> {
        let _ = parts;
        Vec::new()
    }

    /// An answer of this pane's domain(s); the router in `outcomes.rs`
    /// sends each domain to the one pane that owns it.
    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let _ = (outcome, purpose, cx);
    }

    /// A broadcast of this pane's domain(s).
    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let _ = (event, cx);
    }

    /// A command this pane started failed (besides the status line).
    fn on_error(&mut self, name: &str, error: &EngineError) {
        let _ = (name, error);
    }

    /// One of this pane's forms was submitted; `Err` keeps it open.
    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        let _ = form;
        Err("this form has no owner".into())
    }

    /// What is selected, as `kind:name[,name…]` (`server:nas`,
    /// `esphome:porch,garage`): offered to the AI pane as the context of a
    /// request ("restart this") when it comes up after this pane.
    fn context(&self) -> Option<String> {
        None
    }

    /// The list `/` filters right now.
    fn active_list(&mut self) -> Option<&mut ListView> {
        None
    }

    /// The console's site filter changed (`:site NAME`; `None` clears it):
    /// a pane whose rows are at sites narrows its lists to that site.
    fn set_site(&mut self, site: Option<&str>) {
        let _ = site;
    }

    /// Parts to reload when the filter text changes (a list filtered by the
    /// engine rather than locally).
    fn filter_reloads(&self) -> Parts {
        0
    }

    /// Whether a yes/no dialog over this pane is about what the pane shows
    /// (a restore preview): the dialog then sits low, and the scroll keys
    /// still move the pane behind it, so the list can be read before `y`.
    fn scrolls_behind(&self) -> bool {
        false
    }

    /// Whether every key goes to [`Pane::raw_key`] (a text editor).
    fn captures_keys(&self) -> bool {
        false
    }

    fn raw_key(&mut self, key: KeyEvent) -> Step {
        let _ = key;
        Step::Nothing
    }
}
