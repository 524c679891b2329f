//! Pane 0, the Overview: the screen the console opens on. It answers "is
//! everything all right?" — servers, devices, deployments, backups, due
//! rotations, open alerts and security events — and lists the notable audit entries
//! since you last looked. Enter on a line brings up the pane it is about.
//!
//! The "since" mark is read once, when the console opens, and kept for the
//! session, so reloading the overview never empties the list you came to
//! read; the engine's mark moves to now (`overview_seen`) right after that
//! first answer, unless the console is read-only. Reloads are one at a time:
//! events that arrive while one is in flight make one more afterwards.

use super::PaneId;
use super::overview_view::{self, Row};
use super::pane::{Ctx, Pane, Parts};
use crate::engine::views::overview::Overview;
use crate::engine::{Command, Outcome, OverviewOutcome};
use crate::tui::app::{Job, Purpose, Step, View};
use crate::tui::keymap::{Nav, Section, Verb};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

#[derive(Default)]
pub struct OverviewPane {
    pub overview: Option<Overview>,
    /// The mark this session counts from (RFC 3339), once the first answer came.
    since: Option<String>,
    /// Where that mark came from in the first answer ("last look", "default
    /// (24 hours)"): later reloads pass the mark back as a time, which the
    /// engine would call "asked".
    since_from: Option<String>,
    /// `overview_seen` is not run by a read-only console.
    pub readonly: bool,
    marked: bool,
    loading: bool,
    /// Something changed while a reload was in flight: reload once more.
    stale: bool,
    pub list: ListView,
    rows: Vec<Row>,
    /// When an event last reloaded it (see `App::overview_follows`).
    pub reloaded: Option<std::time::Instant>,
    /// `:site NAME`: the engine narrows the overview to that site.
    site: Option<String>,
}

impl OverviewPane {
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn set(&mut self, o: Overview) {
        self.rows = overview_view::rows(&o);
        self.list.clamp(self.rows.len());
        self.overview = Some(o);
    }
}

impl Pane for OverviewPane {
    fn id(&self) -> PaneId {
        PaneId::Overview
    }

    fn section(&self) -> Option<Section> {
        None
    }

    fn on_action(&mut self, action: Verb) -> Step {
        if self.list.navigate(action, self.rows.len()) {
            return Step::Nothing;
        }
        match action {
            Verb::Nav(Nav::Open) => match self.rows.get(self.list.selected).and_then(|r| r.jump.map(|p| (r.head, p))) {
                Some(("alerts", _)) => Step::Alerts,
                Some((_, pane)) => Step::Go(pane),
                None => Step::Status("nothing to open on this line: move to a line about a server, device, backup or event".into()),
            },
            _ => Step::Unhandled,
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        overview_view::render(self, f, area, v);
    }

    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        if self.loading {
            self.stale = true;
            return Vec::new();
        }
        self.loading = true;
        vec![Job { command: Command::Overview { since: self.since.clone(), site: self.site.clone() }, purpose: Purpose::Refresh }]
    }

    fn on_outcome(&mut self, outcome: Outcome, _purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Overview(outcome) = outcome else { return };
        match outcome {
            OverviewOutcome::Overview { overview } => {
                self.loading = false;
                let mut overview = overview;
                if self.since.is_none() {
                    self.since = Some(overview.since.to_rfc3339());
                    self.since_from = Some(overview.since_from.clone());
                } else if let Some(from) = &self.since_from {
                    overview.since_from = from.clone();
                }
                if !self.marked && !self.readonly {
                    self.marked = true;
                    cx.load(Command::OverviewSeen {});
                }
                self.set(*overview);
                if std::mem::take(&mut self.stale) {
                    cx.refresh.mark(PaneId::Overview, super::pane::ALL_PARTS);
                }
            }
            OverviewOutcome::Seen { .. } => {}
        }
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.site = site.map(str::to_string);
    }

    fn on_error(&mut self, name: &str, _error: &crate::engine::EngineError) {
        if name == "overview" {
            self.loading = false;
        }
    }
}
