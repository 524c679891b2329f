//! Server outcomes and events → the Servers pane's state. Health events
//! update rows in place; the sparklines are re-read from the engine once a
//! minute, when a new history point can exist.

use crate::engine::{ServersEvent, ServersOutcome};
use crate::tui::app::{App, Level};
use crate::tui::panes::Pane;
use crate::tui::panes::server_output::RunOutput;
use crate::tui::panes::servers::Mode;

impl App {
    pub(crate) fn server_outcome(&mut self, outcome: ServersOutcome, from_palette: bool) {
        match outcome {
            ServersOutcome::Servers { servers } => self.servers.set_rows(servers),
            ServersOutcome::Server { detail } => {
                self.servers.detail = Some(*detail);
                self.servers.mode = Mode::Detail;
                if from_palette {
                    self.pane = Pane::Servers;
                }
            }
            ServersOutcome::Health { reports } => {
                for r in reports {
                    self.server_health(r);
                }
            }
            o @ ServersOutcome::ServerTested { .. } => {
                self.say(o.summary(), Level::Info);
                self.refresh.servers = true;
            }
            o @ ServersOutcome::ExecDone { .. } => {
                let failed = matches!(&o, ServersOutcome::ExecDone { results, .. } if results.iter().any(|r| !r.ok()));
                self.say(o.summary(), if failed { Level::Warn } else { Level::Info });
            }
            o @ (ServersOutcome::SshImport { .. } | ServersOutcome::Transferred { .. } | ServersOutcome::Tailscale { .. }) => {
                self.say(o.summary(), Level::Info)
            }
        }
    }

    fn server_health(&mut self, report: crate::engine::views::servers::HealthReport) {
        let minute = report.time.timestamp() / 60;
        if let Some(row) = self.servers.rows.iter_mut().find(|r| r.server.name == report.server) {
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
        if let Some(d) = self.servers.detail.as_mut().filter(|d| d.view.server.name == report.server) {
            d.view.health = Some(report);
        }
    }

    pub(crate) fn server_event(&mut self, event: ServersEvent) {
        match event {
            ServersEvent::ServersChanged => self.refresh.servers = true,
            ServersEvent::ServerHealth { report } => self.server_health(report),
            ServersEvent::ExecStarted { run, servers, command } => {
                self.servers.output = Some(RunOutput::new(run, command, servers));
                self.servers.mode = Mode::Output;
            }
            ServersEvent::ExecOutput { run, server, stream, text } => {
                if let Some(o) = self.servers.output.as_mut().filter(|o| o.run == run) {
                    o.append(&server, stream, &text);
                }
            }
            ServersEvent::ExecFinished { run, result } => {
                if let Some(o) = self.servers.output.as_mut().filter(|o| o.run == run) {
                    o.finish(result);
                }
            }
            ServersEvent::TransferProgress { path, done, total, .. } => {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                self.say(format!("{path}: {pct}%"), Level::Info);
            }
        }
    }
}
