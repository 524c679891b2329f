//! The Backups pane: sources (with the next scheduled run), the catalog
//! (size, age, encrypted, verified), snapshots of watched files, progress
//! gauges for running jobs (cancellable), the restore preview that opens a
//! confirmation, and snapshot diffs. Archives sealed with a password ask
//! for it in a masked form (`backups_forms`). Keys become engine commands; progress
//! arrives as `BackupProgress` events.

use super::PaneId;
use super::pane::{ALL_PARTS, Ctx, Pane, Parts, Submit};
use crate::engine::{BackupEvent, BackupOutcome, Command, Event, Outcome};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::form::Form;
use crate::engine::views::backup::JobView;
use crate::engine::views::backup::Preview;
use crate::engine::views::backup::{CatalogEntry, Overview, SnapshotMeta, SourceView};
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::panes::backups_forms::{self, BackupAsk};
use crate::tui::keymap::{Section, SectionSpec, Verb, ViewSpec};
use ratatui::Frame;
use ratatui::layout::Rect;
use crate::tui::widgets::list::ListView;
use std::collections::BTreeMap;

/// The `[backups]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "backups",
    views: &[
        ViewSpec { name: "backups_view", desc: "Backups: next view (sources → catalog → snapshots)" },
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Sources,
    Catalog,
    Snapshots,
}

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::Sources => "Sources",
            Tab::Catalog => "Catalog",
            Tab::Snapshots => "Snapshots",
        }
    }
}

/// What the lower panel shows.
pub enum Detail {
    Preview(Preview),
    Diff { title: String, text: String },
}

#[derive(Default)]
pub struct BackupsPane {
    pub overview: Option<Overview>,
    pub snapshots: Vec<SnapshotMeta>,
    pub tab: Tab,
    pub list: ListView,
    pub jobs: BTreeMap<u64, JobView>,
    pub detail: Option<Detail>,
    /// Rows scrolled in the preview or diff below the list.
    pub detail_scroll: u16,
    pub watching: bool,
    /// The password typed for a restore preview, until its confirmation.
    pub restore_password: Option<(u64, crate::engine::SecretValue)>,
}

impl BackupsPane {
    /// A restore preview is open below the list.
    pub fn scrolls_preview(&self) -> bool {
        matches!(self.detail, Some(Detail::Preview(_)))
    }

    pub fn len(&self) -> usize {
        let Some(o) = &self.overview else { return 0 };
        match self.tab {
            Tab::Sources => o.sources.iter().filter(|s| self.shows_source(s)).count(),
            Tab::Catalog => o.catalog.iter().filter(|e| self.shows_entry(e)).count(),
            Tab::Snapshots => self.snapshots.iter().filter(|s| self.list.matches(&s.file)).count(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A source passes the `/` filter and the site filter (its effective site).
    pub fn shows_source(&self, s: &SourceView) -> bool {
        self.list.shows(&s.source.name, s.source.site.as_deref())
    }

    /// A catalog entry is at the site of its source.
    pub fn shows_entry(&self, e: &CatalogEntry) -> bool {
        let site = self.overview.as_ref().and_then(|o| o.sources.iter().find(|s| s.source.name == e.source)).and_then(|s| s.source.site.as_deref());
        self.list.shows(&format!("{} {}", e.id, e.source), site)
    }

    fn selected_source(&self) -> Option<String> {
        let o = self.overview.as_ref()?;
        o.sources.iter().filter(|s| self.shows_source(s)).nth(self.list.selected).map(|s| s.source.name.clone())
    }

    fn selected_backup(&self) -> Option<(u64, bool)> {
        let o = self.overview.as_ref()?;
        o.catalog
            .iter()
            .filter(|e| self.shows_entry(e))
            .nth(self.list.selected)
            .map(|e| (e.id, e.key == Some(crate::engine::views::backup::KeyRef::Password)))
    }

    fn selected_snapshot(&self) -> Option<&SnapshotMeta> {
        self.snapshots.iter().filter(|s| self.list.matches(&s.file)).nth(self.list.selected)
    }

    pub fn set_overview(&mut self, o: Overview) {
        self.jobs = o.jobs.iter().map(|j| (j.id, j.clone())).collect();
        self.overview = Some(o);
        let n = self.len();
        self.list.clamp(n);
    }

    pub fn on_progress(&mut self, j: JobView) {
        self.jobs.insert(j.id, j);
    }

    /// A job ended: its gauge goes.
    pub fn finished(&mut self, source: &str) {
        self.jobs.retain(|_, j| j.source != source || j.kind != "backup");
    }

    fn ask(ask: BackupAsk) -> Step {
        Step::Form(backups_forms::prompt(ask))
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        let n = self.len();
        if self.scrolls_preview() {
            // A restore preview scrolls, also behind its y/n dialog.
            let delta: i32 = match action.name() {
                "down" => 1,
                "up" => -1,
                "page_down" => 10,
                "page_up" => -10,
                _ => 0,
            };
            if delta != 0 {
                self.detail_scroll = (i32::from(self.detail_scroll) + delta).clamp(0, i32::from(u16::MAX)) as u16;
                return Step::Nothing;
            }
        }
        if self.list.navigate(action, n) {
            return Step::Nothing;
        }
        match action.name() {
            "backups_view" => {
                self.tab = match self.tab {
                    Tab::Sources => Tab::Catalog,
                    Tab::Catalog => Tab::Snapshots,
                    Tab::Snapshots => Tab::Sources,
                };
                self.list.selected = 0;
                self.detail = None;
                if self.tab == Tab::Snapshots {
                    return Step::Run(Command::BackupSnapshots { file: None });
                }
                Step::Nothing
            }
            "back" if self.detail.is_some() => {
                self.detail = None;
                Step::Nothing
            }
            "backup_create" => match (self.tab, self.selected_source()) {
                (Tab::Sources, Some(source)) => {
                    let needs_pw = self.overview.as_ref().and_then(|o| o.sources.iter().find(|s| s.source.name == source)).is_some_and(|s| {
                        s.source.key_ref() == Some(crate::engine::views::backup::KeyRef::Password)
                    });
                    if needs_pw {
                        return Self::ask(BackupAsk::Create { source });
                    }
                    Step::Run(Command::BackupCreate { source, password: None })
                }
                _ => Step::Status("select a source (t switches views) to back it up".into()),
            },
            "backup_verify" => match (self.tab, self.selected_backup()) {
                (Tab::Catalog, Some((id, true))) => Self::ask(BackupAsk::Verify { id }),
                (Tab::Catalog, Some((id, false))) => Step::Run(Command::BackupVerify { id: Some(id), password: None }),
                _ => Step::Status("select a backup in the Catalog view to verify it".into()),
            },
            "backup_restore" if self.tab == Tab::Snapshots => match self.selected_snapshot() {
                Some(s) => Step::Confirm(crate::tui::confirm::Confirm {
                    title: "Restore snapshot".into(),
                    message: format!("Write snapshot #{} back to {}? (the current content is snapshotted first)", s.id, s.file),
                    on_yes: crate::tui::confirm::OnYes::Run(Box::new(Command::BackupSnapshotRestore { id: s.id })),
                }),
                None => Step::Nothing,
            },
            "backup_restore" => match (self.tab, self.selected_backup()) {
                (Tab::Catalog, Some((id, true))) => Self::ask(BackupAsk::Restore { id }),
                (Tab::Catalog, Some((id, false))) => {
                    Step::Run(Command::BackupRestore { id: Some(id), file: None, target: None, only: None, password: None, confirmed: Some(false) })
                }
                _ => Step::Status("select a backup (Catalog) or a snapshot to restore".into()),
            },
            "backup_diff" | "open" if self.tab == Tab::Snapshots => match self.selected_snapshot() {
                Some(s) => {
                    // With the next older snapshot of the same file, else with the file now.
                    let older = self.snapshots.iter().filter(|o| o.file == s.file && o.id < s.id).map(|o| o.id).max();
                    match older {
                        Some(o) => Step::Run(Command::BackupDiff { a: o, b: Some(s.id) }),
                        None => Step::Run(Command::BackupDiff { a: s.id, b: None }),
                    }
                }
                None => Step::Status("no snapshot yet — press ‹backup_snapshot_watch› to watch a file".into()),
            },
            "backup_diff" => Step::Status("‹backup_diff› diffs snapshots: press ‹backups_view› until the Snapshots view".into()),
            "backup_source_add" => {
                // Under a site filter the new source is put at that site.
                let site = self.list.site.as_deref().map(|s| format!(" site={s}")).unwrap_or_default();
                Step::Palette(format!("backup_source_add{site} name= kind=dir path="))
            }
            "backup_snapshot_watch" => Step::Palette("backup_snapshot_watch file=".into()),
            "backup_source_remove" => match (self.tab, self.selected_source()) {
                (Tab::Sources, Some(name)) => Step::Confirm(crate::tui::confirm::Confirm {
                    title: "Remove source".into(),
                    message: format!("Remove backup source {name}? Its backups stay in the catalog and the repository."),
                    on_yes: crate::tui::confirm::OnYes::Run(Box::new(Command::BackupSourceRemove { name })),
                }),
                _ => Step::Status("select a source (Sources view) to remove it".into()),
            },
            "backup_cancel" => match self.jobs.keys().next_back() {
                Some(&job) => Step::Run(Command::BackupCancel { job }),
                None => Step::Status("no backup job is running".into()),
            },
            _ => Step::Unhandled,
        }
    }
}

impl Pane for BackupsPane {
    fn context(&self) -> Option<String> {
        self.selected_source().map(|s| format!("source:{s}"))
    }

    fn id(&self) -> PaneId {
        PaneId::Backups
    }

    fn section(&self) -> Option<Section> {
        Some(&crate::tui::panes::backups::KEYS)
    }

    fn scrolls_behind(&self) -> bool {
        self.scrolls_preview()
    }

    fn on_action(&mut self, action: Verb) -> Step {
        BackupsPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        BackupsPane::render(self, f, area, v)
    }

    /// The overview (and, the first time, start schedules and watchers).
    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        let command = if self.watching {
            Command::BackupOverview {}
        } else {
            self.watching = true;
            Command::BackupWatch {}
        };
        vec![Job { command, purpose: Purpose::Refresh }]
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        backups_forms::submit(self, form).map(Submit::Run)
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.list.site = site.map(str::to_string);
        let n = self.len();
        self.list.clamp(n);
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.list)
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Backup(outcome) = outcome else { return };
        let asked = purpose != Purpose::Refresh;
        if asked {
            cx.say(outcome.summary(), Level::Info);
        }
        match outcome {
            BackupOutcome::BackupOverview { overview } => self.set_overview(*overview),
            BackupOutcome::BackupSnapshots { snapshots } => {
                if snapshots.len() > 1 || !asked {
                    self.snapshots = snapshots;
                } else {
                    cx.load(Command::BackupSnapshots { file: None });
                }
            }
            BackupOutcome::BackupDiff { a, b, diff } => {
                let title = format!("#{a} → {}", b.map(|b| format!("#{b}")).unwrap_or_else(|| "now".into()));
                self.detail = Some(Detail::Diff { title, text: if diff.is_empty() { "no differences".into() } else { diff } });
            }
            BackupOutcome::BackupPreview { preview }
                if preview.added.is_empty() && preview.changed.is_empty() && preview.removed.is_empty() =>
            {
                // Nothing would change: no dialog, and so no pre-restore backup.
                let _ = backups_forms::take_restore_password(self, preview.backup);
                cx.say(
                    format!(
                        "nothing to restore: {} already matches {} ({} unchanged) — no restore, no pre-restore backup (backup_create takes one now)",
                        preview.target, preview.source, crate::tui::widgets::count(preview.unchanged, "file", "files")
                    ),
                    crate::tui::app::Level::Info,
                );
                self.detail_scroll = 0;
                self.detail = Some(Detail::Preview(preview));
            }
            BackupOutcome::BackupPreview { preview } => {
                // The password typed for this preview (if any) goes with the confirmation.
                let password = backups_forms::take_restore_password(self, preview.backup);
                let mut c = Command::BackupRestore { id: preview.backup, file: None, target: None, only: None, password, confirmed: Some(true) };
                if preview.backup.is_none() {
                    c = Command::BackupOverview {};
                }
                let message = format!(
                    "Restore {} into {}: {} added, {} changed, {} removed (the list below scrolls with j/k). A pre-restore backup is taken first; a failed check rolls back.",
                    preview.source,
                    preview.target,
                    preview.added.len(),
                    preview.changed.len(),
                    preview.removed.len()
                );
                let on_yes = match preview.backup {
                    Some(id) => OnYes::RunOrRecord {
                        yes: Box::new(c),
                        no: Box::new(Command::BackupRestoreDecline { id: Some(id), file: None }),
                    },
                    None => OnYes::Run(Box::new(c)),
                };
                self.detail_scroll = 0;
                self.detail = Some(Detail::Preview(preview));
                cx.confirm(Confirm { title: "Restore".into(), message, on_yes });
            }
            BackupOutcome::BackupRestored { preview, .. } => {
                self.detail = Some(Detail::Preview(preview));
                cx.refresh.mark(PaneId::Backups, ALL_PARTS);
            }
            BackupOutcome::BackupSources { .. }
            | BackupOutcome::BackupCreated { .. }
            | BackupOutcome::BackupCatalog { .. }
            | BackupOutcome::BackupVerified { .. }
            | BackupOutcome::BackupForgot { .. }
            | BackupOutcome::BackupSchedules { .. }
            | BackupOutcome::BackupRepos { .. }
            | BackupOutcome::BackupJobs { .. }
            | BackupOutcome::BackupExported { .. } => cx.refresh.mark(PaneId::Backups, ALL_PARTS),
        }
        if purpose == Purpose::Palette {
            cx.go(true, PaneId::Backups);
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Backup(event) = event else { return };
        match event {
            BackupEvent::BackupProgress { job, kind, source, done, total } => self.on_progress(JobView { id: job, kind, source, done, total }),
            BackupEvent::BackupFinished { entry } => {
                self.finished(&entry.source);
                cx.refresh.mark(PaneId::Backups, ALL_PARTS);
            }
            BackupEvent::BackupScheduleMissed { schedule, count, .. } => {
                cx.say(format!("backup schedule {schedule}: {} missed while homedeck was not running", crate::tui::widgets::count(count, "run", "runs")), Level::Warn);
            }
            BackupEvent::BackupScheduleRan { schedule, ok, message } => {
                if !ok {
                    cx.say(format!("backup schedule {schedule} failed: {message}"), Level::Error);
                }
                cx.refresh.mark(PaneId::Backups, ALL_PARTS);
            }
            BackupEvent::BackupSnapshotTaken { .. } if self.tab == Tab::Snapshots => {
                cx.load(Command::BackupSnapshots { file: None });
            }
            BackupEvent::BackupSnapshotTaken { .. } => {}
        }
    }
}
