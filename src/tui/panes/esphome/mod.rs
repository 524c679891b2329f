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
use crate::tui::keymap::Action;
use crate::tui::widgets::list::ListView;
use log_buffer::LogBuffer;
use logs_view::LogsView;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::collections::{BTreeMap, BTreeSet};

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
                self.list.matches(&format!(
                    "{} {} {} {} {}",
                    d.name,
                    d.host,
                    d.platform.as_deref().unwrap_or(""),
                    d.version.as_deref().unwrap_or(""),
                    d.friendly_name.as_deref().unwrap_or("")
                ))
            })
            .collect()
    }

    fn selected(&self) -> Option<&Device> {
        self.visible().get(self.list.selected).copied()
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

    pub fn on_action(&mut self, action: Action) -> Step {
        match self.view {
            View::Logs => {
                if action == Action::Back {
                    self.view = View::Devices;
                }
                return self.logs.on_action(action);
            }
            View::Detail | View::Firmware | View::Results if action == Action::Back => {
                self.view = View::Devices;
                return Step::Nothing;
            }
            View::Firmware if self.fw_list.navigate(action, self.firmware.len()) => return Step::Nothing,
            View::Results if self.results_list.navigate(action, self.results.len()) => return Step::Nothing,
            View::Devices if self.list.navigate(action, self.visible().len()) => return Step::Nothing,
            _ => {}
        }
        let need = "select a device first (j/k), or press d to discover, a to add";
        match action {
            Action::EsphomeDiscover => {
                Step::Run(Command::EsphomeDiscover { seconds: Some(3) })
            }
            Action::EsphomeAdd => Step::Form(forms::add()),
            Action::EsphomeFirmware => {
                self.view = View::Firmware;
                Step::Run(Command::EsphomeFirmwareList {})
            }
            Action::EsphomeImport => Step::Form(forms::import()),
            Action::EsphomeCancel => Step::Run(Command::EsphomeOtaCancel { device: None }),
            Action::EsphomeResults if !self.results.is_empty() => {
                self.view = View::Results;
                Step::Nothing
            }
            Action::EsphomeResults => Step::Status("no OTA results yet".into()),
            Action::EsphomeBulk => {
                let targets = if self.marked.is_empty() { "outdated".to_string() } else { self.targets().join(",") };
                Step::Form(forms::bulk(targets, self.firmware.first().map(|f| f.version.clone())))
            }
            _ if self.view != View::Devices => Step::Unhandled,
            Action::EsphomeMark => match self.selected().map(|d| d.name.clone()) {
                Some(n) => {
                    if !self.marked.remove(&n) {
                        self.marked.insert(n);
                    }
                    self.list.navigate(Action::Down, self.visible().len());
                    Step::Nothing
                }
                None => Step::Status(need.into()),
            },
            Action::Open => match self.selected() {
                Some(d) => Step::Run(Command::EsphomeInfo { name: d.name.clone() }),
                None => Step::Status(need.into()),
            },
            Action::EsphomeLogs => {
                let names = self.targets();
                if names.is_empty() {
                    return Step::Status(need.into());
                }
                self.logs.show(names.clone());
                self.view = View::Logs;
                Step::Run(Command::EsphomeLogsStart { devices: names.join(","), level: Some(LogLevel::VeryVerbose) })
            }
            Action::EsphomeOta => match self.selected() {
                Some(d) => {
                    let fw = self.firmware.iter().find(|f| Some(&f.platform) == d.platform.as_ref()).map(|f| f.version.clone());
                    Step::Form(forms::ota(d.name.clone(), fw))
                }
                None => Step::Status(need.into()),
            },
            Action::EsphomeRemove => match self.selected() {
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
