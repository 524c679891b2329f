//! Lights outcomes and events applied to the Lights pane, and what the pane
//! loads on a refresh. Kept out of `outcomes.rs` so domains merge cleanly.

use crate::engine::{Command, Event, Outcome};
use crate::tui::app::{App, Level, Purpose};
use crate::tui::panes::Pane;

impl App {
    /// Load (and, the first time, start watching) every light.
    pub fn lights_refresh(&mut self) {
        if !self.lights.watching {
            self.lights.watching = true;
            self.run(Command::LightsWatch {}, Purpose::Refresh);
        }
        self.run(Command::WledList {}, Purpose::Refresh);
        self.run(Command::FppList {}, Purpose::Refresh);
        self.run(Command::WledScheduleList {}, Purpose::Refresh);
    }

    pub fn lights_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        let asked = purpose != Purpose::Refresh;
        match outcome {
            Outcome::WledDevices { devices } => self.lights.set_devices(devices),
            Outcome::FppHosts { hosts, notice } => self.lights.set_hosts(hosts, notice),
            Outcome::WledDetail { detail } => {
                let name = detail.device.name.clone();
                if let Some(row) = self.lights.devices.iter_mut().find(|r| r.device.name == name) {
                    row.device = detail.device.clone();
                }
                let reopen = self.lights.detail.as_ref().is_some_and(|d| d.device.name != name);
                if reopen {
                    self.lights.presets.clear();
                }
                self.lights.set_detail(detail);
                self.run(Command::WledPresetList { device: name }, Purpose::Refresh);
                self.go(asked, Pane::Lights);
            }
            Outcome::WledPresets { device, presets }
                if self.lights.detail.as_ref().is_some_and(|d| d.device.name == device) =>
            {
                self.lights.presets = presets;
            }
            Outcome::WledResults { results, .. } => {
                // The device's own answer updates an open detail at once.
                for r in results {
                    if let (Some(d), Some(state)) = (self.lights.detail.as_mut(), r.state)
                        && d.device.name == r.device
                    {
                        d.state = state;
                    }
                }
            }
            Outcome::WledSchedules { schedules } => {
                if purpose == Purpose::Refresh || self.lights.show_schedules || schedules.len() != 1 {
                    self.lights.schedules = schedules;
                } else {
                    self.refresh.lights = true;
                }
                if purpose == Purpose::Palette {
                    self.lights.show_schedules = true;
                }
            }
            Outcome::FppStatus { host, status, .. } => {
                let name = host.name.clone();
                self.lights.on_fpp(
                    &name,
                    crate::engine::lights::views::FppLive { status: Some(status), error: None, updated: self.clock.now() },
                );
            }
            _ => {}
        }
        if asked {
            self.go(purpose == Purpose::Palette, Pane::Lights);
        }
    }

    pub fn lights_event(&mut self, event: Event) {
        match event {
            Event::WledLive { device, live } => self.lights.on_live(&device, live),
            Event::FppLive { host, live } => self.lights.on_fpp(&host, live),
            Event::LightsScheduleRan { schedule, ok, message } => {
                let level = if ok { Level::Info } else { Level::Error };
                self.say(format!("schedule {schedule}: {message}"), level);
                self.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
            Event::LightsScheduleMissed { schedule, count, .. } => {
                self.say(format!("schedule {schedule}: {count} run(s) missed while homedeck was not running"), Level::Warn);
                self.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
            _ => {}
        }
    }
}
