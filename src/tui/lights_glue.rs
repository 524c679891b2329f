//! Lights outcomes and events applied to the Lights pane, and what the pane
//! loads on a refresh. Kept out of `outcomes.rs` so domains merge cleanly.

use crate::engine::{LightsEvent, LightsOutcome};
use crate::engine::Command;
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

    pub fn lights_outcome(&mut self, outcome: LightsOutcome, purpose: Purpose) {
        let asked = purpose != Purpose::Refresh;
        match outcome {
            LightsOutcome::WledDevices { devices } => self.lights.set_devices(devices),
            LightsOutcome::FppHosts { hosts, notice } => self.lights.set_hosts(hosts, notice),
            LightsOutcome::WledDetail { detail } => {
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
            LightsOutcome::WledPresets { device, presets }
                if self.lights.detail.as_ref().is_some_and(|d| d.device.name == device) =>
            {
                self.lights.presets = presets;
            }
            LightsOutcome::WledResults { results, .. } => {
                // The device's own answer updates an open detail at once.
                for r in results {
                    if let (Some(d), Some(state)) = (self.lights.detail.as_mut(), r.state)
                        && d.device.name == r.device
                    {
                        d.state = state;
                    }
                }
            }
            LightsOutcome::WledSchedules { schedules } => {
                if purpose == Purpose::Refresh || self.lights.show_schedules || schedules.len() != 1 {
                    self.lights.schedules = schedules;
                } else {
                    self.refresh.lights = true;
                }
                if purpose == Purpose::Palette {
                    self.lights.show_schedules = true;
                }
            }
            LightsOutcome::FppStatus { host, status, .. } => {
                let name = host.name.clone();
                self.lights.on_fpp(
                    &name,
                    crate::engine::views::lights::FppLive { status: Some(status), error: None, updated: self.clock.now() },
                );
            }
            LightsOutcome::WledPresets { .. }
            | LightsOutcome::WledGroups { .. }
            | LightsOutcome::WledDiscovered { .. }
            | LightsOutcome::WledExported { .. }
            | LightsOutcome::FppDiscovered { .. }
            | LightsOutcome::FppPlaylists { .. }
            | LightsOutcome::FppSchedule { .. }
            | LightsOutcome::FppSystems { .. } => {}
        }
        if asked {
            self.go(purpose == Purpose::Palette, Pane::Lights);
        }
    }

    pub fn lights_event(&mut self, event: LightsEvent) {
        match event {
            LightsEvent::WledLive { device, live } => self.lights.on_live(&device, live),
            LightsEvent::FppLive { host, live } => self.lights.on_fpp(&host, *live),
            LightsEvent::LightsScheduleRan { schedule, ok, message } => {
                let level = if ok { Level::Info } else { Level::Error };
                self.say(format!("schedule {schedule}: {message}"), level);
                self.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
            LightsEvent::LightsScheduleMissed { schedule, count, .. } => {
                self.say(format!("schedule {schedule}: {count} run(s) missed while homedeck was not running"), Level::Warn);
                self.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
        }
    }
}
