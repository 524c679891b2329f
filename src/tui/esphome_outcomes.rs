//! ESPHome answers and events applied to the pane: device lists, info,
//! firmware, OTA results and progress, log lines and link changes.

use crate::engine::{EsphomeEvent, EsphomeOutcome};
use crate::tui::app::{App, Level, Purpose};
use crate::tui::panes::Pane;
use crate::tui::panes::esphome::View;

impl App {
    pub(crate) fn esphome_outcome(&mut self, outcome: EsphomeOutcome, purpose: Purpose) {
        let asked = purpose != Purpose::Refresh;
        let p = &mut self.esphome;
        match outcome {
            EsphomeOutcome::EsphomeDevices { devices } => {
                p.set_devices(devices);
                if purpose == Purpose::Palette {
                    p.view = View::Devices;
                }
            }
            EsphomeOutcome::EsphomeDiscovered { .. } => self.refresh.esphome = true,
            EsphomeOutcome::EsphomeInfo { device, info, entities } => {
                p.detail = Some((*device, *info, entities));
                if asked {
                    p.view = View::Detail;
                }
                self.refresh.esphome = true;
            }
            EsphomeOutcome::EsphomeLogsStarted { devices, .. } if purpose == Purpose::Palette => {
                p.logs.show(devices);
                p.view = View::Logs;
            }
            EsphomeOutcome::EsphomeLogsStarted { .. } => {}
            EsphomeOutcome::EsphomeFirmware { firmware } => {
                // An import answers with the one image; a list with all.
                if firmware.len() == 1 && purpose == Purpose::Action && p.view != View::Firmware {
                    for fw in firmware {
                        p.firmware.retain(|f| f.sha256 != fw.sha256);
                        p.firmware.insert(0, fw);
                    }
                } else {
                    p.firmware = firmware;
                }
                if asked {
                    p.view = View::Firmware;
                }
            }
            EsphomeOutcome::EsphomeOta { results } => {
                p.results = results;
                p.view = View::Results;
                self.refresh.esphome = true;
            }
        }
        if asked {
            self.pane = Pane::Esphome;
        }
    }

    pub(crate) fn esphome_event(&mut self, event: EsphomeEvent) {
        let p = &mut self.esphome;
        match event {
            EsphomeEvent::EsphomeLogs { device, lines } => p.logs.push(&device, &lines),
            EsphomeEvent::EsphomeLink { device, online, detail } => {
                p.logs.links.insert(device.clone(), (online, if online { String::new() } else { format!("{device}: {detail}") }));
                if let Some(d) = p.devices.iter_mut().find(|d| d.name == device) {
                    d.online = online || detail == "stopped" && d.online;
                }
            }
            EsphomeEvent::EsphomeOtaProgress { device, phase, sent, total } => {
                let entry = p.progress.entry(device).or_insert((phase, 0, 0));
                entry.0 = phase;
                if total > 0 {
                    entry.1 = sent;
                    entry.2 = total;
                }
            }
            EsphomeEvent::EsphomeOtaDone { result } => {
                p.progress.remove(&result.device);
                let level = if result.status == crate::engine::views::esphome::OtaStatus::Updated { Level::Info } else { Level::Warn };
                let text = format!(
                    "OTA {}: {}{}",
                    result.device,
                    result.status.as_str(),
                    result.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default()
                );
                p.results.retain(|r| r.device != result.device);
                p.results.push(result);
                self.say(text, level);
                self.refresh.esphome = true;
            }
            EsphomeEvent::EsphomeDevicesChanged => self.refresh.esphome = true,
        }
    }
}
