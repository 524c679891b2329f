//! The ESPHome pane's forms (add a device, import firmware, OTA one device,
//! bulk OTA, save the logs) and how a filled one becomes a command. OTAs go
//! through a yes/no confirmation: they flash hardware.

use super::logs_view::LogsView;
use crate::engine::Command;
use crate::engine::views::esphome::PLATFORMS;
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::form::{Field, Form};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::Submit;

#[derive(Debug, Clone, PartialEq)]
pub enum EsphomeForm {
    Add,
    Import,
    Ota { device: String },
    Bulk,
    SaveLogs,
}

fn platforms() -> Vec<&'static str> {
    PLATFORMS.to_vec()
}

/// `site`: the console's site filter, so a device added while looking at
/// one site lands there.
pub fn add(site: Option<&str>) -> Form {
    let mut f = Form::new(
        "Add an ESPHome device",
        PaneId::Esphome, EsphomeForm::Add,
        vec![
            Field::text("Name (esphome: name:)"),
            Field::text("Host or IP"),
            Field::text("API port (empty: 6053)"),
            Field::text("Vault secret with the API encryption key (empty: plaintext)"),
            Field::text("Vault secret with the OTA password (optional)"),
            Field::choice("Platform", platforms()),
            Field::text("Site (optional, e.g. cabin)"),
        ],
    );
    if let (Some(s), Some(i)) = (site, f.input_mut(6)) {
        i.set(s);
    }
    f
}

pub fn import() -> Form {
    Form::new(
        "Import firmware",
        PaneId::Esphome, EsphomeForm::Import,
        vec![Field::text("Path to the .bin"), Field::text("Version label"), Field::choice("Platform", platforms())],
    )
    .intro("The image is copied into homedeck's data dir under its SHA-256.")
}

pub fn ota(device: String, firmware: Option<String>) -> Form {
    let mut f = Form::new(
        &format!("OTA update of {device}"),
        PaneId::Esphome, EsphomeForm::Ota { device },
        vec![Field::text("Firmware (version label or SHA-256 prefix)")],
    );
    if let (Some(fw), Some(i)) = (firmware, f.input_mut(0)) {
        i.set(&fw);
    }
    f
}

pub fn bulk(targets: String, firmware: Option<String>) -> Form {
    let mut f = Form::new(
        "Bulk OTA update",
        PaneId::Esphome,
        EsphomeForm::Bulk,
        vec![
            Field::text("Firmware (version label or SHA-256 prefix)"),
            Field::text("Devices: names (comma-separated), outdated or online"),
            Field::text("At most N at once (empty: config default)"),
        ],
    );
    if let (Some(fw), Some(i)) = (firmware, f.input_mut(0)) {
        i.set(&fw);
    }
    if let Some(i) = f.input_mut(1) {
        i.set(&targets);
    }
    f
}

pub fn save_logs() -> Form {
    let name = format!("homedeck-logs-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S"));
    let mut f = Form::new("Save the logs", PaneId::Esphome, EsphomeForm::SaveLogs, vec![Field::text("File")]);
    if let Some(i) = f.input_mut(0) {
        i.set(&name);
    }
    f.intro("What the view shows (all devices on it, level filter applied), oldest first.")
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn number<T: std::str::FromStr>(what: &str, s: &str) -> Result<Option<T>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<T>().map(Some).map_err(|_| format!("{what} {s:?}: expected a whole number"))
}

/// Turn a filled form into a command; an error puts focus on the field at
/// fault (everything typed stays).
pub fn submit(form: &mut Form, logs: &LogsView) -> Result<Submit, String> {
    let Some(kind) = form.kind::<EsphomeForm>().cloned() else { return Err("not an ESPHome form".into()) };
    let required: &[(usize, &str)] = match kind {
        EsphomeForm::Add => &[(0, "the name is empty (the device's esphome: name:)"), (1, "the host is empty")],
        EsphomeForm::Import => &[(0, "the path to the .bin is empty"), (1, "the version label is empty")],
        EsphomeForm::Ota { .. } | EsphomeForm::Bulk => &[(0, "name the firmware (a version label or SHA-256 prefix)")],
        EsphomeForm::SaveLogs => &[(0, "a file name is needed")],
    };
    if let Some((i, why)) = required.iter().find(|(i, _)| form.value(*i).is_empty()) {
        return Err(form.fault(*i, *why));
    }
    let numbers = match kind {
        EsphomeForm::Add => number::<u16>("port", &form.value(2)).map(|_| ()).map_err(|e| (2, e)),
        EsphomeForm::Bulk => number::<u32>("concurrency", &form.value(2)).map(|_| ()).map_err(|e| (2, e)),
        _ => Ok(()),
    };
    if let Err((i, e)) = numbers {
        return Err(form.fault(i, e));
    }
    let v = |i| form.value(i);
    match &kind {
        EsphomeForm::Add => number::<u16>("port", &v(2)).map(|port| {
            Submit::Run(Command::EsphomeAdd {
                name: v(0),
                host: v(1),
                port,
                key_secret: opt(v(3)),
                ota_port: None,
                ota_password_secret: opt(v(4)),
                platform: Some(v(5)),
                site: opt(v(6)),
            })
        }),
        EsphomeForm::Import => Ok(Submit::Run(Command::EsphomeFirmwareImport { path: v(0), version: v(1), platform: v(2) })),
        EsphomeForm::Ota { device } => {
            let firmware = v(0);
            Ok(Submit::Confirm(Confirm {
                title: "Flash over the air".into(),
                message: format!("Flash {firmware} to {device}? The device reboots."),
                on_yes: OnYes::Run(Box::new(Command::EsphomeOta { device: device.clone(), firmware, confirm_secs: None })),
            }))
        }
        EsphomeForm::Bulk => number::<u32>("concurrency", &v(2)).map(|concurrency| {
            let (firmware, targets) = (v(0), v(1));
            Submit::Confirm(Confirm {
                title: "Bulk OTA".into(),
                message: format!("Flash {firmware} to {targets}? Each device reboots."),
                on_yes: OnYes::Run(Box::new(Command::EsphomeOtaBulk { firmware, targets, concurrency, confirm_secs: None })),
            })
        }),
        EsphomeForm::SaveLogs => {
            let path = v(0);
            if path.is_empty() {
                return Err("a file name is needed".into());
            }
            let text = logs.export();
            let n = text.lines().count();
            std::fs::write(&path, text)
                .map(|_| Submit::Say(format!("saved {} to {path}", crate::tui::widgets::count(n as u64, "log line", "log lines"))))
                .map_err(|e| format!("cannot write {path:?}: {e}"))
        }
    }
}
