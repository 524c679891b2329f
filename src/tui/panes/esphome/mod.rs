//! The ESPHome pane: the device list (with OTA gauges), one device's info,
//! the firmware registry, OTA results, and the live logs view. Keys become
//! [`Step`]s; engine answers and events arrive through `outcomes.rs`.

pub mod devices_view;
pub mod forms;
pub mod log_buffer;
pub mod logs_view;
mod outcomes;

use crate::engine::Command;
use crate::engine::views::esphome::{Device, DeviceInfo, Entity, Firmware, LogLevel, OtaPhase, OtaResult};
use crate::tui::app::{Step, View as Frame_};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::keymap::{Nav, SectionSpec, Verb, ViewSpec};
use crate::tui::widgets::list::ListView;
use log_buffer::LogBuffer;
use logs_view::LogsView;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::collections::{BTreeMap, BTreeSet};

/// The `[esphome]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "esphome",
    views: &[
        ViewSpec { name: "esphome_mark", desc: "ESPHome: mark/unmark a device (several logs, bulk OTA)" },
        ViewSpec { name: "esphome_results", desc: "ESPHome: last OTA results" },
        ViewSpec { name: "esphome_logs_follow", desc: "Logs: follow / pause" },
        ViewSpec { name: "esphome_logs_level", desc: "Logs: next level filter (VV → … → E)" },
        ViewSpec { name: "esphome_logs_timestamps", desc: "Logs: timestamps on/off" },
        ViewSpec { name: "esphome_logs_split", desc: "Logs: merged with device column / split per device" },
        ViewSpec { name: "esphome_logs_save", desc: "Logs: save what the view shows to a file" },
        ViewSpec { name: "esphome_logs_next", desc: "Logs: newer search match" },
        ViewSpec { name: "esphome_logs_prev", desc: "Logs: older search match" },
        ViewSpec { name: "esphome_logs_clear", desc: "Logs: clear the scrollback" },
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Devices,
    Detail,
    Firmware,
    Results,
    Logs,
}

pub struct EsphomePane {
    pub view: View,
    pub devices: Vec<Device>,
    pub list: ListView,
    /// Devices marked with space, for multi-device logs and bulk OTA.
    pub marked: BTreeSet<String>,
    pub detail: Option<(Device, DeviceInfo, Vec<Entity>)>,
    pub firmware: Vec<Firmware>,
    pub fw_list: ListView,
    pub results: Vec<OtaResult>,
    pub results_list: ListView,
    /// OTAs in flight: phase, bytes sent, total.
    pub progress: BTreeMap<String, (OtaPhase, u64, u64)>,
    pub logs: LogsView,
    pub loaded: bool,
}

impl EsphomePane {
    pub fn new(scrollback: usize) -> EsphomePane {
        EsphomePane {
            view: View::Devices,
            devices: Vec::new(),
            list: ListView::default(),
            marked: BTreeSet::new(),
            detail: None,
            firmware: Vec::new(),
            fw_list: ListView::default(),
            results: Vec::new(),
            results_list: ListView::default(),
            progress: BTreeMap::new(),
            logs: LogsView::new(LogBuffer::new(scrollback)),
            loaded: false,
        }
    }

    pub fn set_devices(&mut self, devices: Vec<Device>) {
        self.marked.retain(|m| devices.iter().any(|d| &d.name == m));
        self.devices = devices;
        self.loaded = true;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    pub fn visible(&self) -> Vec<&Device> {
        self.devices
            .iter()
            .filter(|d| {
                let hay = format!(
                    "{} {} {} {} {}",
                    d.name,
                    d.host,
                    d.platform.as_deref().unwrap_or(""),
                    d.version.as_deref().unwrap_or(""),
                    d.friendly_name.as_deref().unwrap_or("")
                );
                self.list.shows(&hay, d.site.as_deref())
            })
            .collect()
    }

    fn selected(&self) -> Option<&Device> {
        self.visible().get(self.list.selected).copied()
    }

    /// The marked devices, or the selected one, for the AI pane.
    pub(crate) fn ai_context(&self) -> Option<String> {
        match self.targets().as_slice() {
            [] => None,
            [one] => Some(format!("esphome:{one}")),
            many => Some(format!("esphome:{}", many.join(","))),
        }
    }

    /// Marked devices, or the selected one.
    fn targets(&self) -> Vec<String> {
        if self.marked.is_empty() {
            self.selected().map(|d| vec![d.name.clone()]).unwrap_or_default()
        } else {
            self.marked.iter().cloned().collect()
        }
    }

    /// The list `/` filters here: the device list, or the logs' search.
    pub fn active_list(&mut self) -> Option<&mut ListView> {
        match self.view {
            View::Devices => Some(&mut self.list),
            View::Logs => Some(&mut self.logs.search),
            _ => None,
        }
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        match self.view {
            View::Logs => {
                if action.name() == "back" {
                    self.view = View::Devices;
                }
                return self.logs.on_action(action);
            }
            View::Detail | View::Firmware | View::Results if action.name() == "back" => {
                self.view = View::Devices;
                return Step::Nothing;
            }
            View::Firmware if self.fw_list.navigate(action, self.firmware.len()) => return Step::Nothing,
            View::Results if self.results_list.navigate(action, self.results.len()) => return Step::Nothing,
            View::Devices if self.list.navigate(action, self.visible().len()) => return Step::Nothing,
            _ => {}
        }
        let need = "select a device first (‹down›/‹up›), or press ‹esphome_discover› to discover, ‹esphome_add› to add";
        match action.name() {
            "esphome_discover" => {
                Step::Run(Command::EsphomeDiscover { seconds: Some(3) })
            }
            "esphome_add" => Step::Form(forms::add(self.list.site.as_deref())),
            "esphome_firmware_list" => {
                self.view = View::Firmware;
                Step::Run(Command::EsphomeFirmwareList {})
            }
            "esphome_firmware_import" => Step::Form(forms::import()),
            "esphome_ota_cancel" => Step::Run(Command::EsphomeOtaCancel { device: None }),
            "esphome_results" if !self.results.is_empty() => {
                self.view = View::Results;
                Step::Nothing
            }
            "esphome_results" => Step::Status("no OTA results yet".into()),
            "esphome_ota_bulk" => {
                let targets = if self.marked.is_empty() { "outdated".to_string() } else { self.targets().join(",") };
                Step::Form(forms::bulk(targets, self.firmware.first().map(|f| f.version.clone())))
            }
            _ if self.view != View::Devices => Step::Unhandled,
            "esphome_mark" => match self.selected().map(|d| d.name.clone()) {
                Some(n) => {
                    if !self.marked.remove(&n) {
                        self.marked.insert(n);
                    }
                    self.list.navigate(Verb::Nav(Nav::Down), self.visible().len());
                    Step::Nothing
                }
                None => Step::Status(need.into()),
            },
            "open" => match self.selected() {
                Some(d) => Step::Run(Command::EsphomeInfo { name: d.name.clone() }),
                None => Step::Status(need.into()),
            },
            "esphome_logs_start" => {
                let names = self.targets();
                if names.is_empty() {
                    return Step::Status(need.into());
                }
                self.logs.show(names.clone());
                self.view = View::Logs;
                Step::Run(Command::EsphomeLogsStart { devices: names.join(","), level: Some(LogLevel::VeryVerbose) })
            }
            "esphome_ota" => match self.selected() {
                Some(d) => {
                    let fw = self.firmware.iter().find(|f| Some(&f.platform) == d.platform.as_ref()).map(|f| f.version.clone());
                    Step::Form(forms::ota(d.name.clone(), fw))
                }
                None => Step::Status(need.into()),
            },
            "esphome_remove" => match self.selected() {
                Some(d) => Step::Confirm(Confirm {
                    title: "Forget device".into(),
                    message: format!("Forget ESPHome device {}? Its log stream stops.", d.name),
                    on_yes: OnYes::Run(Box::new(Command::EsphomeRemove { name: d.name.clone() })),
                }),
                None => Step::Status(need.into()),
            },
            _ => Step::Unhandled,
        }
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &Frame_) {
        match self.view {
            View::Logs => self.logs.render(f, area, v),
            _ => devices_view::render(self, f, area, v),
        }
    }
}
