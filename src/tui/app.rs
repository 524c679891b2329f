//! All view state, owned by the one loop task. `App` never awaits anything:
//! keys and engine answers come in as method calls, and engine work goes out
//! as [`Job`]s that the loop (`event_loop.rs`) spawns and whose answers come
//! back later through [`App::on_done`] (see `outcomes.rs`). That keeps the
//! state machine testable without a terminal and without timing.

use crate::config::Config;
use crate::engine::{Command, EngineError, Outcome};
use crate::tui::clock::Clock;
use crate::tui::confirm::{Answer, Confirm, OnYes};
use crate::tui::form::{Form, FormSignal};
use crate::tui::help::Help;
use crate::tui::keymap::{Keymap, Nav, Verb};
use crate::tui::messages::{Messages, MessagesView};
use crate::tui::palette::Palette;
use crate::tui::panes::pane::{Ctx, Refresh};
use crate::tui::panes::{PaneId, Panes};
use crate::tui::submit;
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

/// Smallest size the full layout is drawn at.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// What a pane asks the app to do after a key.
pub enum Step {
    Nothing,
    Unhandled,
    Run(Command),
    Audit { command: Command, append: bool },
    Form(Form),
    Confirm(Confirm),
    Status(String),
    /// Open the command palette with this text typed in.
    Palette(String),
    /// The vault is locked: unlock first, then open this form.
    Unlock(Box<Form>),
    /// Bring another pane to the front (Enter on an Overview line).
    Go(PaneId),
    /// Bring up the alerts view (Enter on the Overview's alerts line).
    Alerts,
}

/// Everything a pane needs to draw, borrowed from the app for one frame.
pub struct View<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub now: DateTime<Utc>,
    pub instant: Instant,
    /// No vault yet (a fresh install): the first screen says where to start.
    pub first_run: bool,
}

/// Why a job was started, which decides what its answer updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Background reload: errors stay quiet unless they matter.
    Refresh,
    /// A key press in a pane: the summary goes to the status bar.
    Action,
    /// Typed in the palette: structured answers open the pane they belong to.
    Palette,
    /// An audit page for query `generation`; older generations are dropped.
    Audit { generation: u64, append: bool },
}

/// Engine work for the loop to spawn.
pub struct Job {
    pub command: Command,
    pub purpose: Purpose,
}

/// An engine answer, back on the loop task.
pub struct Done {
    pub name: &'static str,
    pub purpose: Purpose,
    pub result: Result<Outcome, EngineError>,
    /// The command with `confirmed=true`, offered when the engine answers
    /// `ConfirmationRequired` (the console asks, with the engine's reason).
    pub confirmed: Option<Command>,
    /// The command as it was sent (asked-for work only), carried on with
    /// after an unlock when the engine answers that the vault is locked.
    pub again: Option<Command>,
}

/// What a locked vault held up, done once the unlock dialog succeeds.
pub enum AfterUnlock {
    Run(Command),
    Form(Form),
}

pub enum Overlay {
    Help(Help),
    Palette(Palette),
    Form(Form),
    Confirm(Confirm),
    Messages(MessagesView),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

pub struct App {
    /// The pane in front.
    pub pane: PaneId,
    pub panes: Panes,
    pub overlay: Option<Overlay>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub clock: Clock,
    pub readonly: bool,
    pub status: Option<(String, Level)>,
    pub history: Vec<String>,
    pub jobs: Vec<Job>,
    /// Jobs spawned and not yet answered (the loop keeps this count).
    pub inflight: usize,
    pub quit: bool,
    pub dirty: bool,
    pub refresh: Refresh,
    /// The form whose command is in flight, shown again with the engine's
    /// error if that command fails (a wrong passphrase, a taken name).
    pub retry: Option<(&'static str, Form)>,
    /// Attached to another process's engine, and whether that link holds;
    /// `None` when this console hosts the engine itself.
    pub link: Option<crate::daemon::client::Link>,
    /// The other site's name when attached through SSH (`--remote`), so the
    /// status bar says which home the screen is about.
    pub site: Option<String>,
    /// Every message the status bar showed, for the `m` log.
    pub messages: Messages,
    /// Held up by a locked vault; carried on with after the unlock.
    pub after_unlock: Option<AfterUnlock>,
    /// `:site NAME`: every pane shows only what is at that site.
    pub site_filter: Option<String>,
}

impl App {
    pub fn new(theme: Theme, keymap: Keymap, config: &Config, readonly: bool) -> App {
        let mut panes = Panes::new(config);
        panes.overview.readonly = readonly;
        App {
            pane: PaneId::Servers,
            panes,
            overlay: None,
            theme,
            keymap,
            clock: Clock::default(),
            readonly,
            status: None,
            history: Vec::new(),
            jobs: Vec::new(),
            inflight: 0,
            quit: false,
            dirty: true,
            refresh: Refresh::default(),
            retry: None,
            link: None,
            site: None,
            messages: Messages::default(),
            after_unlock: None,
            site_filter: None,
        }
    }

    /// The attachment changed (attached, lost, back): the status bar shows
    /// it; losing it says so once in the message line too.
    pub fn on_link(&mut self, link: crate::daemon::client::Link) {
        use crate::daemon::client::Link;
        match (&self.link, &link) {
            (Some(Link::Attached(_)), Link::Lost { reason, retrying, .. }) => {
                let next = if *retrying { "reattaching every second" } else { "not reattaching" };
                self.say(format!("{reason} — {next}; the screen shows what it last knew"), Level::Error);
            }
            (Some(Link::Lost { .. }), Link::Attached(h)) => {
                self.say(format!("reattached to the {} (pid {})", h.host.describe(), h.pid), Level::Info);
            }
            _ => {}
        }
        self.link = Some(link);
        self.dirty = true;
    }

    pub fn run(&mut self, command: Command, purpose: Purpose) {
        self.jobs.push(Job { command, purpose });
    }

    pub fn say(&mut self, text: impl Into<String>, level: Level) {
        let text = text.into();
        self.messages.push(self.clock.now(), self.pane, &text, level);
        self.status = Some((text, level));
        self.dirty = true;
    }

    /// The pane table and, apart from it, what a pane may touch (`Ctx`).
    pub(crate) fn split(&mut self) -> (&mut Panes, Ctx<'_>) {
        let cx = Ctx {
            jobs: &mut self.jobs,
            status: &mut self.status,
            refresh: &mut self.refresh,
            overlay: &mut self.overlay,
            front: &mut self.pane,
            clock: &self.clock,
            messages: &mut self.messages,
        };
        (&mut self.panes, cx)
    }

    /// Bring `pane` to the front. The Overview is read afresh each time it
    /// comes up (it follows no events while hidden); other panes keep
    /// themselves current from events.
    pub fn go(&mut self, pane: PaneId) {
        if pane == PaneId::Ai && self.pane != PaneId::Ai {
            // "this server": the selection of the pane we came from.
            let from = self.pane;
            let text = self.panes.get(from).context();
            self.panes.ai.offer(from.title(), text);
        }
        self.pane = pane;
        if pane == PaneId::Overview {
            self.refresh.mark(pane, crate::tui::panes::pane::ALL_PARTS);
            self.flush_refresh();
        }
    }

    pub fn refresh_all(&mut self) {
        self.refresh = Refresh::all();
    }

    /// Turn the refresh marks into jobs (many events in a row → one reload each).
    pub fn flush_refresh(&mut self) {
        let wanted = std::mem::take(&mut self.refresh);
        for id in PaneId::ALL {
            let parts = wanted.parts(id);
            if parts != 0 {
                let jobs = self.panes.get_mut(id).refresh(parts);
                self.jobs.extend(jobs);
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        self.dirty = true;
        // A revealed value goes away on any key; that key does nothing else.
        if self.panes.secrets.reveal.take().is_some() {
            return;
        }
        let front = self.panes.get_mut(self.pane);
        if let Some(overlay) = self.overlay.take() {
            self.overlay_key(overlay, &key);
        } else if front.captures_keys() {
            let step = front.raw_key(key);
            self.apply(step);
        } else if front.active_list().is_some_and(|l| l.filtering) {
            self.filter_key(&key);
        } else if let Some(action) = self.keymap.action(front.section(), &key) {
            self.on_action(action);
        } else if let KeyCode::Char(c) = key.code
            && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            // A key never does nothing silently: one this pane has no use
            // for says so, and where to look.
            let what = self.panes.get(self.pane).title();
            let help = self.keymap.key_for(&crate::tui::keymap::GLOBAL, "help");
            let name = if c == ' ' { "space".to_string() } else { c.to_string() };
            self.say(format!("{name}: no key in {what} — {help} lists this pane's keys"), Level::Info);
        }
        self.flush_refresh();
    }

    fn filter_key(&mut self, key: &KeyEvent) {
        let front = self.panes.get_mut(self.pane);
        let reloads = front.filter_reloads();
        let Some(list) = front.active_list() else { return };
        let changed = match key.code {
            KeyCode::Esc => {
                list.filtering = false;
                let had = !list.filter.is_empty();
                list.filter.clear();
                had
            }
            KeyCode::Enter => {
                list.filtering = false;
                false
            }
            _ => list.filter.handle(key),
        };
        list.selected = if changed { 0 } else { list.selected };
        if changed {
            self.refresh.mark(self.pane, reloads);
        }
    }

    fn on_action(&mut self, action: Verb) {
        let pane = match action {
            Verb::Nav(
                n @ (Nav::Pane0
                | Nav::Pane1
                | Nav::Pane2
                | Nav::Pane3
                | Nav::Pane4
                | Nav::Pane5
                | Nav::Pane6
                | Nav::Pane7
                | Nav::Pane8),
            ) => Some(PaneId::nth(n as usize - Nav::Pane0 as usize)),
            Verb::Nav(Nav::NextPane) => Some(self.pane.next()),
            Verb::Nav(Nav::PrevPane) => Some(self.pane.prev()),
            _ => None,
        };
        if let Some(p) = pane {
            self.go(p);
            return;
        }
        match action {
            Verb::Nav(Nav::Quit) if self.inflight > 0 => {
                self.overlay = Some(Overlay::Confirm(Confirm {
                    title: "Quit".into(),
                    message: format!("{} still running. Quit anyway?", crate::tui::widgets::count(self.inflight as u64, "engine job", "engine jobs")),
                    on_yes: OnYes::Quit,
                }));
            }
            Verb::Nav(Nav::Quit) => self.quit = true,
            Verb::Nav(Nav::Help) => {
                let section = self.panes.get(self.pane).section().map(|s| s.name);
                self.overlay = Some(Overlay::Help(Help::at(section)));
            }
            Verb::Nav(Nav::Messages) => self.overlay = Some(Overlay::Messages(MessagesView::default())),
            Verb::Nav(Nav::Alerts) => self.apply(Step::Alerts),
            Verb::Nav(Nav::Palette) => self.overlay = Some(Overlay::Palette(Palette::default())),
            Verb::Nav(Nav::Refresh) => self.refresh_all(),
            Verb::Nav(Nav::Filter) => match self.panes.get_mut(self.pane).active_list() {
                Some(l) => l.filtering = true,
                None => self.say("nothing to filter here", Level::Info),
            },
            _ => {
                let front = self.panes.get_mut(self.pane);
                let step = front.on_action(action);
                if matches!(step, Step::Unhandled) && action == Verb::Nav(Nav::Back) {
                    // Esc with nothing to close clears the list filter.
                    let reloads = front.filter_reloads();
                    if let Some(l) = front.active_list().filter(|l| !l.filter.is_empty()) {
                        l.filter.clear();
                        self.refresh.mark(self.pane, reloads);
                    }
                }
                if matches!(step, Step::Unhandled) && action.name() == "vault_init" {
                    // `i` creates the vault from any pane that does not use
                    // it: the first thing a fresh install asks for.
                    let step = self.panes.secrets.on_action(action);
                    return self.apply(step);
                }
                if matches!(step, Step::Unhandled) && matches!(action, Verb::Command(_) | Verb::View(_)) {
                    // A key never does nothing silently.
                    let what = self.panes.get(self.pane).title();
                    self.say(format!("{}: nothing to do for it in {what} right now", action.name()), Level::Info);
                    return;
                }
                self.apply(step);
            }
        }
    }

    pub fn apply(&mut self, step: Step) {
        match step {
            Step::Nothing | Step::Unhandled => {}
            Step::Go(p) => self.go(p),
            Step::Alerts => {
                self.panes.audit.show_alerts();
                self.refresh.mark(PaneId::Audit, crate::tui::panes::audit_domain::ALERTS);
                self.go(PaneId::Audit);
            }
            Step::Run(c) => self.run(c, Purpose::Action),
            Step::Audit { command, append } => {
                let generation = self.panes.audit.generation;
                self.run(command, Purpose::Audit { generation, append });
            }
            Step::Form(f) => self.overlay = Some(Overlay::Form(f)),
            Step::Confirm(c) => self.overlay = Some(Overlay::Confirm(c)),
            Step::Status(s) => {
                let s = self.keys_in(&s);
                self.say(s, Level::Info)
            }
            Step::Unlock(form) => {
                let what = form.title.clone();
                self.after_unlock = Some(AfterUnlock::Form(*form));
                self.overlay = Some(Overlay::Form(crate::tui::outcomes::unlock_to_carry_on(&what)));
            }
            Step::Palette(text) => {
                self.overlay = Some(Overlay::Palette(crate::tui::palette::Palette {
                    input: crate::tui::input::TextInput::with_text(&text),
                    ..Default::default()
                }))
            }
        }
    }

    /// A pane's message with `‹action›` marks replaced by the key bound to
    /// that action now, so what it tells the user follows their keymap.
    pub fn keys_in(&self, text: &str) -> String {
        let section = self.panes.get(self.pane).section().unwrap_or(&crate::tui::keymap::GLOBAL);
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('‹') {
            out.push_str(&rest[..i]);
            let after = &rest[i + '‹'.len_utf8()..];
            let Some(j) = after.find('›') else {
                out.push_str(&rest[i..]);
                return out;
            };
            // The front pane's key, else the action's key wherever it is bound.
            let name = &after[..j];
            let key = std::iter::once(section)
                .chain(crate::tui::panes::SECTIONS.iter().copied())
                .map(|s| self.keymap.key_for(s, name))
                .find(|k| k != "(unbound)")
                .unwrap_or_else(|| format!(": {name}"));
            out.push_str(&key);
            rest = &after[j + '›'.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    /// Keys while an overlay is open; the overlay was taken out and is put
    /// back unless the key closed it.
    fn overlay_key(&mut self, overlay: Overlay, key: &KeyEvent) {
        match overlay {
            Overlay::Help(mut h) => {
                if !h.handle(key) {
                    self.overlay = Some(Overlay::Help(h));
                }
            }
            Overlay::Confirm(c) => match c.handle(key) {
                Answer::Yes => match c.on_yes {
                    OnYes::Run(cmd) | OnYes::RunOrRecord { yes: cmd, .. } => self.run(*cmd, Purpose::Action),
                    OnYes::Quit => self.quit = true,
                },
                Answer::No => match c.on_yes {
                    OnYes::RunOrRecord { no, .. } => self.run(*no, Purpose::Action),
                    _ => self.say("cancelled", Level::Info),
                },
                Answer::Undecided => {
                    let front = self.panes.get_mut(self.pane);
                    let scroll = matches!(
                        self.keymap.action(front.section(), key),
                        Some(Verb::Nav(Nav::Up | Nav::Down | Nav::PageUp | Nav::PageDown))
                    );
                    if scroll && front.scrolls_behind()
                        && let Some(action) = self.keymap.action(front.section(), key)
                    {
                        front.on_action(action);
                    }
                    self.overlay = Some(Overlay::Confirm(c));
                }
            },
            Overlay::Messages(mut m) => {
                if !m.handle(key) {
                    self.overlay = Some(Overlay::Messages(m));
                }
            }
            Overlay::Form(mut f) => match f.handle(key) {
                FormSignal::Cancel => {
                    if self.after_unlock.take().is_some() {
                        self.say("cancelled — the vault stays locked", Level::Info);
                    }
                }
                FormSignal::Edited => self.overlay = Some(Overlay::Form(f)),
                FormSignal::Submit => submit::form(self, f),
            },
            Overlay::Palette(p) => submit::palette_key(self, p, key),
        }
    }

    /// Called often by the loop: hide a reveal whose time is up.
    pub fn expire(&mut self) {
        if self.panes.secrets.expire_reveal(self.clock.instant()) {
            self.dirty = true;
        }
    }

    /// Something on screen counts down (the reveal, the idle lock).
    pub fn needs_tick(&self) -> bool {
        self.next_tick().is_some()
    }

    /// When the next countdown on screen changes: every second while a
    /// secret is revealed, otherwise when the idle-lock text next changes.
    pub fn next_tick(&self) -> Option<Duration> {
        if self.panes.secrets.reveal.is_some() {
            return Some(Duration::from_secs(1));
        }
        self.panes.secrets.locks_remaining(self.clock.instant()).map(crate::tui::clock::countdown_next_change)
    }

    pub fn on_tick(&mut self) {
        self.expire();
        self.dirty |= self.needs_tick();
    }
}
