//! The Servers pane as a [`Pane`]: what it loads, and server answers and
//! events applied to it. Health events update rows in place; the
//! sparklines are re-read from the engine once a minute, when a new history
//! point can exist.

use super::PaneId;
use super::pane::{ALL_PARTS, Ctx, Pane, Parts, Submit};
use super::server_forms;
use super::server_output::RunOutput;
use super::servers::{KEYS, Mode, ServersPane};
use crate::engine::views::servers::HealthReport;
use crate::engine::{Command, Event, Outcome, ServersEvent, ServersOutcome};
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::form::Form;
use crate::tui::keymap::{Section, Verb};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

impl ServersPane {
    fn health(&mut self, report: HealthReport) {
        let minute = report.time.timestamp() / 60;
        if let Some(row) = self.rows.iter_mut().find(|r| r.server.name == report.server) {
            // Slide the hour of CPU along as minutes pass.
            let last_minute = row.health.as_ref().map(|h| h.time.timestamp() / 60);
            let cpu = report.sample.as_ref().and_then(|s| s.cpu_pct);
            match last_minute {
                Some(m) if m == minute => {
                    if let Some(last) = row.cpu_hour.last_mut() {
                        *last = cpu.or(*last);
                    }
                }
                _ => {
                    if !row.cpu_hour.is_empty() {
                        row.cpu_hour.remove(0);
                    }
                    row.cpu_hour.push(cpu);
                }
            }
            row.health = Some(report.clone());
        }
        if let Some(d) = self.detail.as_mut().filter(|d| d.view.server.name == report.server) {
            d.view.health = Some(report);
        }
    }
}

impl Pane for ServersPane {
    fn context(&self) -> Option<String> {
        self.ai_context()
    }

    fn id(&self) -> PaneId {
        PaneId::Servers
    }

    fn section(&self) -> Option<Section> {
        Some(&KEYS)
    }

    fn on_action(&mut self, action: Verb) -> Step {
        ServersPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        ServersPane::render(self, f, area, v)
    }

    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        vec![Job { command: Command::ServerList {}, purpose: Purpose::Refresh }]
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Servers(outcome) = outcome else { return };
        match outcome {
            ServersOutcome::Servers { servers } => self.set_rows(servers),
            ServersOutcome::Server { detail } => {
                self.detail = Some(*detail);
                self.mode = Mode::Detail;
                cx.go(purpose == Purpose::Palette, PaneId::Servers);
            }
            ServersOutcome::Health { reports } => {
                for r in reports {
                    self.health(r);
                }
            }
            o @ ServersOutcome::ServerTested { .. } => {
                cx.say(o.summary(), Level::Info);
                cx.refresh.mark(PaneId::Servers, ALL_PARTS);
            }
            o @ ServersOutcome::ExecDone { .. } => {
                let failed = matches!(&o, ServersOutcome::ExecDone { results, .. } if results.iter().any(|r| !r.ok()));
                cx.say(o.summary(), if failed { Level::Warn } else { Level::Info });
            }
            o @ (ServersOutcome::SshImport { .. } | ServersOutcome::Transferred { .. } | ServersOutcome::Tailscale { .. }) => {
                cx.say(o.summary(), Level::Info)
            }
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Servers(event) = event else { return };
        match event {
            ServersEvent::ServersChanged => cx.refresh.mark(PaneId::Servers, ALL_PARTS),
            ServersEvent::ServerHealth { report } => self.health(report),
            ServersEvent::ExecStarted { run, servers, command } => {
                self.output = Some(RunOutput::new(run, command, servers));
                self.mode = Mode::Output;
            }
            ServersEvent::ExecOutput { run, server, stream, text } => {
                if let Some(o) = self.output.as_mut().filter(|o| o.run == run) {
                    o.append(&server, stream, &text);
                }
            }
            ServersEvent::ExecFinished { run, result } => {
                if let Some(o) = self.output.as_mut().filter(|o| o.run == run) {
                    o.finish(result);
                }
            }
            ServersEvent::TransferProgress { path, done, total, .. } => {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                cx.say(format!("{path}: {pct}%"), Level::Info);
            }
        }
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        server_forms::submit(form)
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.list.site = site.map(str::to_string);
        self.list.clamp(self.visible().len());
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        (self.mode == Mode::List).then_some(&mut self.list)
    }
}
