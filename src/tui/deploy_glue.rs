//! Deployment and Home Assistant outcomes and events applied to the
//! Deployments pane, its config editor's keys, and what
//! the pane loads on a refresh. Kept out of `outcomes.rs` so domains merge
//! cleanly.

use crate::engine::{DeployEvent, DeployOutcome, HaEvent, HaOutcome};
use crate::engine::{Command, EngineError};
use crate::tui::app::{App, Level, Purpose};
use crate::tui::panes::Pane;
use crate::tui::panes::deploy_editor::{ConfigEditor, EditorStep};
use crate::tui::panes::deployments::Mode;
use crate::tui::panes::ha_entities::HaScreen;
use crossterm::event::KeyEvent;

impl App {
    /// The list with a quick health of each deployment.
    pub fn deploy_refresh(&mut self) {
        self.run(Command::DeployList { health: Some(true) }, Purpose::Refresh);
    }

    pub fn deploy_editor_key(&mut self, key: KeyEvent) {
        let Some(editor) = self.deployments.editor.as_mut() else {
            self.deployments.mode = Mode::List;
            return;
        };
        match editor.key(key) {
            EditorStep::None => {}
            EditorStep::Run(c) => self.run(*c, Purpose::Action),
            EditorStep::Close => {
                self.deployments.editor = None;
                self.deployments.mode = if self.deployments.open.is_some() { Mode::Detail } else { Mode::List };
            }
        }
    }

    /// A failed config save or revert goes back into the editor.
    pub fn deploy_error(&mut self, name: &str, e: &EngineError) {
        if matches!(name, "deploy_config_write" | "deploy_config_revert")
            && let Some(editor) = self.deployments.editor.as_mut()
        {
            editor.refused(e.to_string());
        }
    }

    pub fn deploy_outcome(&mut self, outcome: DeployOutcome, purpose: Purpose) {
        let asked = purpose != Purpose::Refresh;
        match outcome {
            DeployOutcome::Deployments { deployments } => self.deployments.set_rows(deployments),
            DeployOutcome::Deployment { view } => self.deployments.upsert(*view),
            DeployOutcome::Upgraded { .. } | DeployOutcome::DeploymentRemoved { .. } => self.deploy_refresh(),
            DeployOutcome::DeployLogs { deployment, lines, .. } if self.deployments.logs.deployment == deployment => {
                for l in lines {
                    self.deployments.logs.push(l);
                }
            }
            DeployOutcome::DeployConfig { file } => {
                let revert = self.deployments.editor.as_ref().is_some_and(|e| e.deployment == file.deployment && e.busy);
                match self.deployments.editor.as_mut().filter(|_| revert) {
                    Some(e) => {
                        e.reload(&file.content);
                        e.busy = false;
                    }
                    None => {
                        self.deployments.editor = Some(ConfigEditor::new(&file.deployment, &file.path, &file.content, file.snapshots));
                        self.deployments.open = Some(file.deployment);
                        self.deployments.mode = Mode::Editor;
                        self.pane = Pane::Deployments;
                    }
                }
            }
            DeployOutcome::DeployConfigSaved { deployment, path, check } => {
                let reverted = self.deployments.editor.as_ref().is_some_and(|e| e.busy && e.message.starts_with("putting back"));
                if let Some(e) = self.deployments.editor.as_mut().filter(|e| e.deployment == deployment) {
                    e.saved(check);
                }
                if reverted {
                    // Show what is on the server now.
                    self.deployments.editor.as_mut().into_iter().for_each(|e| e.busy = true);
                    self.run(Command::DeployConfigRead { name: deployment, path: Some(path) }, Purpose::Refresh);
                }
            }
            DeployOutcome::DeployConfigChecked { deployment, check } => {
                let text = if check.ok {
                    format!("{deployment}: configuration valid")
                } else {
                    let first = check.problems.first().map(|p| match p.line {
                        Some(l) => format!("line {l}: {}", p.message),
                        None => p.message.clone(),
                    });
                    format!("{deployment}: {} problem(s) — {}", check.problems.len(), first.unwrap_or_default())
                };
                self.say(text, if check.ok { Level::Info } else { Level::Warn });
            }
            DeployOutcome::DeployLogs { .. } => {}
        }
        if asked && purpose == Purpose::Palette {
            self.go(true, Pane::Deployments);
        }
    }

    pub fn ha_outcome(&mut self, outcome: HaOutcome, purpose: Purpose) {
        match outcome {
            HaOutcome::HaProfiles { profiles } if self.deployments.mode == Mode::Ha => self.deployments.ha.set_profiles(profiles),
            HaOutcome::HaStates { profile, states } => self.deployments.ha.set_states(&profile, states),
            HaOutcome::HaCalled { profile, service, changed } => {
                let what = changed.iter().map(|s| format!("{} is {}", s.entity_id, s.state)).collect::<Vec<_>>().join(", ");
                self.say(format!("{profile}: called {service}{}{what}", if what.is_empty() { "" } else { " — " }), Level::Info);
                for s in changed {
                    self.deployments.ha.upsert(&profile, s);
                }
                if self.deployments.ha.screen == HaScreen::Call {
                    self.deployments.ha.screen = HaScreen::Entities;
                }
            }
            HaOutcome::HaProfiles { .. } | HaOutcome::HaTested { .. } => {}
        }
        if purpose == Purpose::Palette {
            self.go(true, Pane::Deployments);
        }
    }

    pub fn deploy_event(&mut self, event: DeployEvent) {
        match event {
            DeployEvent::DeploymentsChanged => self.refresh.deployments = true,
            DeployEvent::DeployProgress { deployment, step, line } => self.deployments.on_progress(&deployment, &step, &line),
            DeployEvent::DeployLog { deployment, line } if self.deployments.logs.deployment == deployment => {
                self.deployments.logs.push(line);
            }
            DeployEvent::DeployLogEnded { deployment, reason } if self.deployments.logs.deployment == deployment => {
                self.deployments.logs.streaming = false;
                if reason != "stopped" {
                    self.deployments.logs.ended = Some(reason);
                }
            }
            DeployEvent::DeployLog { .. } | DeployEvent::DeployLogEnded { .. } => {}
        }
    }

    pub fn ha_event(&mut self, event: HaEvent) {
        match event {
            HaEvent::HaState { profile, state } => self.deployments.ha.upsert(&profile, state),
            HaEvent::HaWatchEnded { profile, reason } => self.deployments.ha.watch_ended(&profile, reason),
            HaEvent::HaProfilesChanged if self.deployments.mode == Mode::Ha && self.deployments.ha.screen == HaScreen::Profiles => {
                self.run(Command::HaList {}, Purpose::Refresh);
            }
            HaEvent::HaProfilesChanged => {}
        }
    }
}
