//! The Deployments pane as a [`Pane`]: what it loads, its config editor's
//! keys, and deployment and Home Assistant answers and events applied to it.
//! Apart from `deployments.rs` so that file stays about keys and state.

use super::PaneId;
use super::deploy_editor::{ConfigEditor, EditorStep};
use super::deployments::{DeploymentsPane, Mode};
use super::ha_entities::HaScreen;
use super::pane::{ALL_PARTS, Ctx, Pane, Parts};
use crate::engine::{Command, DeployEvent, DeployOutcome, EngineError, Event, HaEvent, HaOutcome, Outcome};
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::keymap::{Section, Verb};
use crate::tui::widgets::list::ListView;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

/// The list with a quick health of each deployment.
fn list() -> Job {
    Job { command: Command::DeployList { health: Some(true) }, purpose: Purpose::Refresh }
}

impl Pane for DeploymentsPane {
    fn context(&self) -> Option<String> {
        self.selected().map(|v| format!("deployment:{}", v.deployment.name))
    }

    fn id(&self) -> PaneId {
        PaneId::Deployments
    }

    fn section(&self) -> Option<Section> {
        Some(&crate::tui::panes::deployments::KEYS)
    }

    fn on_action(&mut self, action: Verb) -> Step {
        DeploymentsPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        DeploymentsPane::render(self, f, area, v)
    }

    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        vec![list()]
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.list.site = site.map(str::to_string);
        self.ha.profiles_list.site = site.map(str::to_string);
        self.list.clamp(self.visible().len());
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        match self.mode {
            Mode::List => Some(&mut self.list),
            Mode::Logs => Some(&mut self.logs.list),
            Mode::Ha => Some(self.ha.active_list()),
            Mode::Detail | Mode::Editor => None,
        }
    }

    /// The config editor takes every key (typing, ctrl-s, esc).
    fn captures_keys(&self) -> bool {
        self.mode == Mode::Editor
    }

    fn raw_key(&mut self, key: KeyEvent) -> Step {
        let Some(editor) = self.editor.as_mut() else {
            self.mode = Mode::List;
            return Step::Nothing;
        };
        match editor.key(key) {
            EditorStep::None => Step::Nothing,
            EditorStep::Run(c) => Step::Run(*c),
            EditorStep::Close => {
                self.editor = None;
                self.mode = if self.open.is_some() { Mode::Detail } else { Mode::List };
                Step::Nothing
            }
        }
    }

    /// A failed config save or revert goes back into the editor.
    fn on_error(&mut self, name: &str, e: &EngineError) {
        if matches!(name, "deploy_config_write" | "deploy_config_revert")
            && let Some(editor) = self.editor.as_mut()
        {
            editor.refused(e.to_string());
        }
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        match outcome {
            Outcome::Deploy(o) => self.deploy_outcome(o, purpose, cx),
            Outcome::Ha(o) => self.ha_outcome(o, purpose, cx),
            _ => {}
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        match event {
            Event::Deploy(e) => self.deploy_event(e, cx),
            Event::Ha(e) => self.ha_event(e, cx),
            _ => {}
        }
    }
}

impl DeploymentsPane {
    fn deploy_outcome(&mut self, outcome: DeployOutcome, purpose: Purpose, cx: &mut Ctx) {
        let asked = purpose != Purpose::Refresh;
        match outcome {
            DeployOutcome::Deployments { deployments } => self.set_rows(deployments),
            DeployOutcome::Deployment { view } => self.upsert(*view),
            DeployOutcome::Upgraded { .. } | DeployOutcome::DeploymentRemoved { .. } => cx.jobs.push(list()),
            DeployOutcome::DeployLogs { deployment, lines, .. } if self.logs.deployment == deployment => {
                for l in lines {
                    self.logs.push(l);
                }
            }
            DeployOutcome::DeployConfig { file } => {
                let revert = self.editor.as_ref().is_some_and(|e| e.deployment == file.deployment && e.busy);
                match self.editor.as_mut().filter(|_| revert) {
                    Some(e) => {
                        e.reload(&file.content);
                        e.busy = false;
                    }
                    None => {
                        self.editor = Some(ConfigEditor::new(&file.deployment, &file.path, &file.content, file.snapshots));
                        self.open = Some(file.deployment);
                        self.mode = Mode::Editor;
                        *cx.front = PaneId::Deployments;
                    }
                }
            }
            DeployOutcome::DeployConfigSaved { deployment, path, check } => {
                let reverted = self.editor.as_ref().is_some_and(|e| e.busy && e.message.starts_with("putting back"));
                if let Some(e) = self.editor.as_mut().filter(|e| e.deployment == deployment) {
                    e.saved(check);
                }
                if reverted {
                    // Show what is on the server now.
                    self.editor.as_mut().into_iter().for_each(|e| e.busy = true);
                    cx.load(Command::DeployConfigRead { name: deployment, path: Some(path) });
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
                cx.say(text, if check.ok { Level::Info } else { Level::Warn });
            }
            DeployOutcome::DeployLogs { .. } => {}
        }
        if asked && purpose == Purpose::Palette {
            cx.go(true, PaneId::Deployments);
        }
    }

    fn ha_outcome(&mut self, outcome: HaOutcome, purpose: Purpose, cx: &mut Ctx) {
        match outcome {
            HaOutcome::HaProfiles { profiles } if self.mode == Mode::Ha => self.ha.set_profiles(profiles),
            HaOutcome::HaStates { profile, states } => self.ha.set_states(&profile, states),
            HaOutcome::HaCalled { profile, service, changed } => {
                let what = changed.iter().map(|s| format!("{} is {}", s.entity_id, s.state)).collect::<Vec<_>>().join(", ");
                cx.say(format!("{profile}: called {service}{}{what}", if what.is_empty() { "" } else { " — " }), Level::Info);
                for s in changed {
                    self.ha.upsert(&profile, s);
                }
                if self.ha.screen == HaScreen::Call {
                    self.ha.screen = HaScreen::Entities;
                }
            }
            // Its summary line (said for the palette) is what the console shows of a history.
            HaOutcome::HaProfiles { .. } | HaOutcome::HaTested { .. } | HaOutcome::HaHistory { .. } => {}
        }
        if purpose == Purpose::Palette {
            cx.go(true, PaneId::Deployments);
        }
    }

    fn deploy_event(&mut self, event: DeployEvent, cx: &mut Ctx) {
        match event {
            DeployEvent::DeploymentsChanged => cx.refresh.mark(PaneId::Deployments, ALL_PARTS),
            DeployEvent::DeployProgress { deployment, step, line } => self.on_progress(&deployment, &step, &line),
            DeployEvent::DeployLog { deployment, line } if self.logs.deployment == deployment => {
                self.logs.push(line);
            }
            DeployEvent::DeployLogEnded { deployment, reason } if self.logs.deployment == deployment => {
                self.logs.streaming = false;
                if reason != "stopped" {
                    self.logs.ended = Some(reason);
                }
            }
            DeployEvent::DeployLog { .. } | DeployEvent::DeployLogEnded { .. } => {}
        }
    }

    fn ha_event(&mut self, event: HaEvent, cx: &mut Ctx) {
        match event {
            HaEvent::HaState { profile, state } => self.ha.upsert(&profile, state),
            HaEvent::HaWatchEnded { profile, reason } => self.ha.watch_ended(&profile, reason),
            HaEvent::HaProfilesChanged if self.mode == Mode::Ha && self.ha.screen == HaScreen::Profiles => {
                cx.load(Command::HaList {});
            }
            HaEvent::HaProfilesChanged => {}
        }
    }
}
