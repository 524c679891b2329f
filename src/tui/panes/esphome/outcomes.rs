//! The ESPHome pane as a [`Pane`]: what it loads, and ESPHome answers and
//! events applied to it: device lists, info, firmware, OTA results and
//! progress, log lines and link changes.

use super::{EsphomePane, View, forms};
use crate::engine::{Command, EsphomeEvent, EsphomeOutcome, Event, Outcome};
use crate::tui::app::{Job, Level, Purpose, Step, View as Frame_};
use crate::tui::form::Form;
use crate::tui::keymap::{Section, Verb};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::{ALL_PARTS, Ctx, Pane, Parts, Submit};
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

impl Pane for EsphomePane {
    fn context(&self) -> Option<String> {
        self.ai_context()
    }

    fn id(&self) -> PaneId {
        PaneId::Esphome
    }

    fn section(&self) -> Option<Section> {
        Some(&crate::tui::panes::esphome::KEYS)
    }

    fn on_action(&mut self, action: Verb) -> Step {
        EsphomePane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &Frame_) {
        EsphomePane::render(self, f, area, v)
    }

    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        [Command::EsphomeList {}, Command::EsphomeFirmwareList {}]
            .into_iter()
            .map(|command| Job { command, purpose: Purpose::Refresh })
            .collect()
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Esphome(outcome) = outcome else { return };
        let asked = purpose != Purpose::Refresh;
        let p = self;
        match outcome {
            EsphomeOutcome::EsphomeDevices { devices } => {
                p.set_devices(devices);
                if purpose == Purpose::Palette {
                    p.view = View::Devices;
                }
            }
            EsphomeOutcome::EsphomeDiscovered { .. } => cx.refresh.mark(PaneId::Esphome, ALL_PARTS),
            EsphomeOutcome::EsphomeInfo { device, info, entities } => {
                p.detail = Some((*device, *info, entities));
                if asked {
                    p.view = View::Detail;
                }
                cx.refresh.mark(PaneId::Esphome, ALL_PARTS);
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
                cx.refresh.mark(PaneId::Esphome, ALL_PARTS);
            }
        }
        cx.go(asked, PaneId::Esphome);
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Esphome(event) = event else { return };
        let p = self;
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
                cx.say(text, level);
                cx.refresh.mark(PaneId::Esphome, ALL_PARTS);
            }
            EsphomeEvent::EsphomeDevicesChanged => cx.refresh.mark(PaneId::Esphome, ALL_PARTS),
        }
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        forms::submit(form, &self.logs)
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.list.site = site.map(str::to_string);
        self.list.clamp(self.visible().len());
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        EsphomePane::active_list(self)
    }
}
