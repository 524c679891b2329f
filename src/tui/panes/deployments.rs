//! The Deployments pane: Home Assistant instances with status, version,
//! port and server; a detail with health, the progress of a running step
//! and the actions; a live log view with `/` filter and follow; and the
//! config editor (`deploy_editor.rs`); the live entity view of Home
//! Assistant connection profiles (`ha_entities.rs`). Keys become engine commands;
//! progress, log lines and state changes arrive as events.

use super::deploy_editor::ConfigEditor;
use super::ha_entities::HaView;
use crate::engine::Command;
use crate::engine::views::deploy::{DeploymentView, Health};
use crate::tui::app::Step;
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::keymap::{SectionSpec, Verb, ViewSpec};
use crate::tui::widgets::list::ListView;
use std::collections::{HashMap, VecDeque};

/// The `[deployments]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "deployments",
    views: &[
        ViewSpec { name: "deploy_follow", desc: "Logs: follow new lines on/off" },
        ViewSpec { name: "ha_entities", desc: "Live entities of a Home Assistant connection profile; ↵ on one calls a service (asks first)" },
    ],
};

/// Log lines kept in the view (older ones scroll away).
pub const LOG_KEEP: usize = 5000;
/// Progress lines kept per deployment.
const PROGRESS_KEEP: usize = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    #[default]
    List,
    Detail,
    Logs,
    Editor,
    /// Connection profiles, their live entities and the service-call screen.
    Ha,
}

/// The followed log of one deployment.
#[derive(Default)]
pub struct LogView {
    pub deployment: String,
    pub lines: VecDeque<String>,
    pub list: ListView,
    /// Keep the newest line in view as lines arrive.
    pub follow: bool,
    /// The engine is streaming (a follow task runs).
    pub streaming: bool,
    pub ended: Option<String>,
}

impl LogView {
    pub fn visible(&self) -> Vec<&String> {
        self.lines.iter().filter(|l| self.list.matches(l)).collect()
    }

    pub fn push(&mut self, line: String) {
        if self.lines.len() >= LOG_KEEP {
            self.lines.pop_front();
            self.list.selected = self.list.selected.saturating_sub(1);
        }
        self.lines.push_back(line);
        if self.follow {
            self.list.selected = self.visible().len().saturating_sub(1);
        }
    }
}

#[derive(Default)]
pub struct DeploymentsPane {
    pub rows: Vec<DeploymentView>,
    pub list: ListView,
    pub mode: Mode,
    /// The deployment open in detail, logs or editor.
    pub open: Option<String>,
    /// Recent progress lines per deployment ("step | line").
    pub progress: HashMap<String, VecDeque<String>>,
    pub logs: LogView,
    pub editor: Option<ConfigEditor>,
    pub ha: HaView,
    pub loaded: bool,
}

impl DeploymentsPane {
    pub fn visible(&self) -> Vec<&DeploymentView> {
        self.rows
            .iter()
            .filter(|v| {
                let d = &v.deployment;
                self.list.shows(&format!("{} {} {} {} {}", d.name, d.server, d.version, d.port, d.status), d.site.as_deref())
            })
            .collect()
    }

    pub fn selected(&self) -> Option<&DeploymentView> {
        match &self.open {
            Some(name) => self.rows.iter().find(|v| v.deployment.name == *name),
            None => self.visible().into_iter().nth(self.list.selected),
        }
    }

    pub fn set_rows(&mut self, rows: Vec<DeploymentView>) {
        // Keep the health we already know when a list came without it.
        let old: HashMap<String, Health> =
            self.rows.drain(..).filter_map(|v| v.health.map(|h| (v.deployment.name, h))).collect();
        self.rows = rows
            .into_iter()
            .map(|mut v| {
                if v.health.is_none() {
                    v.health = old.get(&v.deployment.name).cloned();
                }
                v
            })
            .collect();
        self.loaded = true;
        let n = self.visible().len();
        self.list.clamp(n);
        if self.open.as_ref().is_some_and(|n| !self.rows.iter().any(|v| v.deployment.name == *n)) && self.mode == Mode::Detail {
            self.open = None;
            self.mode = Mode::List;
        }
    }

    pub fn upsert(&mut self, view: DeploymentView) {
        match self.rows.iter_mut().find(|v| v.deployment.name == view.deployment.name) {
            Some(v) => *v = view,
            None => self.rows.push(view),
        }
    }

    pub fn on_progress(&mut self, deployment: &str, step: &str, line: &str) {
        let lines = self.progress.entry(deployment.to_string()).or_default();
        if lines.len() >= PROGRESS_KEEP {
            lines.pop_front();
        }
        lines.push_back(if line.is_empty() { format!("{step} …") } else { format!("{step} | {line}") });
    }

    /// Keys when no editor is open.
    pub fn on_action(&mut self, action: Verb) -> Step {
        match self.mode {
            Mode::List if self.list.navigate(action, self.visible().len()) => return Step::Nothing,
            Mode::Logs => return self.logs_action(action),
            Mode::Ha => {
                return match self.ha.on_action(action) {
                    None => {
                        self.mode = if self.open.is_some() { Mode::Detail } else { Mode::List };
                        Step::Nothing
                    }
                    Some(s) => s,
                };
            }
            Mode::List | Mode::Detail if action.name() == "ha_entities" => {
                self.ha.open();
                self.mode = Mode::Ha;
                return Step::Run(Command::HaList {});
            }
            Mode::Detail if action.name() == "back" => {
                self.mode = Mode::List;
                self.open = None;
                return Step::Nothing;
            }
            // Creating opens the palette with the command filled in, so its
            // arguments are typed and checked there.
            Mode::List if action.name() == "deploy_create" => {
                // Under a site filter the new deployment is put at that site.
                let site = self.list.site.as_deref().map(|s| format!(" site={s}")).unwrap_or_default();
                return Step::Palette(format!("deploy_create{site} name= server=local version=2024.3.3"));
            }
            _ => {}
        }
        let Some(v) = self.selected() else {
            return match action {
                // Every key about a deployment says the same when there is none.
                Verb::Command(_) | Verb::Nav(crate::tui::keymap::Nav::Open) => Step::Status(format!(
                    "{}: no deployment selected — press ‹deploy_create› to install Home Assistant on a server",
                    action.name()
                )),
                _ => Step::Unhandled,
            };
        };
        let name = v.deployment.name.clone();
        match action.name() {
            "deploy_upgrade" => Step::Palette(format!("deploy_upgrade name={name} version=")),
            "open" | "deploy_status" => {
                self.open = Some(name.clone());
                self.mode = Mode::Detail;
                Step::Run(Command::DeployStatus { name })
            }
            "deploy_start" => Step::Run(Command::DeployStart { name, wait: None }),
            "deploy_stop" => Step::Run(Command::DeployStop { name }),
            "deploy_restart" => Step::Run(Command::DeployRestart { name, wait: None }),
            "deploy_cancel" => Step::Run(Command::DeployCancel { name }),
            "deploy_config_check" => Step::Run(Command::DeployConfigCheck { name }),
            "deploy_remove" => Step::Confirm(Confirm {
                title: "Delete deployment".into(),
                message: format!(
                    "Delete {name}: stop Home Assistant on {} and remove its install and files? A final config backup is kept.",
                    v.deployment.server
                ),
                on_yes: OnYes::Run(Box::new(Command::DeployRemove { name, keep_backup: None })),
            }),
            "deploy_logs" => {
                self.open = Some(name.clone());
                self.mode = Mode::Logs;
                if self.logs.deployment != name {
                    self.logs = LogView { deployment: name.clone(), follow: true, ..Default::default() };
                }
                self.logs.streaming = true;
                self.logs.ended = None;
                Step::Run(Command::DeployLogs { name, lines: Some(500), follow: Some(true) })
            }
            "deploy_config_read" => Step::Run(Command::DeployConfigRead { name, path: None }),
            _ => Step::Unhandled,
        }
    }

    fn logs_action(&mut self, action: Verb) -> Step {
        let n = self.logs.visible().len();
        match action.name() {
            "back" => {
                self.mode = if self.open.is_some() { Mode::Detail } else { Mode::List };
                self.logs.streaming = false;
                Step::Run(Command::DeployLogsStop { name: self.logs.deployment.clone() })
            }
            "deploy_follow" => {
                self.logs.follow = !self.logs.follow;
                if self.logs.follow {
                    self.logs.list.selected = n.saturating_sub(1);
                }
                Step::Nothing
            }
            _ if self.logs.list.navigate(action, n) => {
                // Moving away from the end stops following; G resumes it.
                self.logs.follow = self.logs.list.selected + 1 >= n;
                Step::Nothing
            }
            _ => Step::Unhandled,
        }
    }
}
