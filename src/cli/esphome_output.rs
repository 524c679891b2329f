//! Human output of the ESPHome outcomes.

use crate::engine::EsphomeOutcome;
use super::table::{self, age};

fn opt(s: &Option<String>) -> String {
    s.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "-".into())
}

pub fn human(outcome: &EsphomeOutcome) {
    match outcome {
        EsphomeOutcome::EsphomeDevices { devices } => {
            if devices.is_empty() {
                println!("no ESPHome devices — `homedeck esphome discover`, or `homedeck esphome add NAME HOST`");
                return;
            }
            let rows: Vec<Vec<String>> = devices
                .iter()
                .map(|d| {
                    vec![
                        d.name.clone(),
                        format!("{}:{}", d.host, d.port),
                        opt(&d.running_version().map(String::from)),
                        opt(&d.platform),
                        opt(&d.mac),
                        match d.encrypted {
                            Some(true) => "noise".into(),
                            Some(false) => "plain".into(),
                            None => "?".into(),
                        },
                        d.last_seen.map(age).unwrap_or_else(|| "never".into()),
                        if d.online { "online".into() } else { "offline".into() },
                        opt(&d.site),
                    ]
                })
                .collect();
            print!("{}", table::render(&["NAME", "ADDRESS", "VERSION", "PLATFORM", "MAC", "API", "LAST SEEN", "STATE", "SITE"], &rows));
        }
        EsphomeOutcome::EsphomeDiscovered { found, interfaces } => {
            let on = if interfaces.is_empty() { "all LAN interfaces".to_string() } else { interfaces.join(", ") };
            if found.is_empty() {
                println!("no ESPHome device answered on {on}");
                return;
            }
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|d| {
                    vec![
                        d.name.clone(),
                        opt(&d.friendly_name),
                        format!("{}:{}", d.host, d.port),
                        opt(&d.version),
                        opt(&d.platform),
                        opt(&d.board),
                        opt(&d.mac),
                        if d.encrypted { "yes".into() } else { "no".into() },
                        if d.new { "new".into() } else { "known".into() },
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(&["NAME", "FRIENDLY", "ADDRESS", "VERSION", "PLATFORM", "BOARD", "MAC", "ENCRYPTED", ""], &rows)
            );
        }
        EsphomeOutcome::EsphomeInfo { device, info, entities } => {
            println!("name:          {}", info.name);
            println!("friendly name: {}", info.friendly_name);
            println!("address:       {}:{}", device.host, device.port);
            println!("ESPHome:       {}", info.esphome_version);
            if !info.project_name.is_empty() {
                println!("project:       {} {}", info.project_name, info.project_version);
            }
            println!("model:         {} ({})", info.model, info.manufacturer);
            println!("MAC:           {}", info.mac_address);
            println!("compiled:      {}", info.compilation_time);
            println!("API:           {} · {}", info.api_version, if info.encrypted { "encrypted (Noise)" } else { "plaintext" });
            println!("\n{}:", crate::engine::views::text::plural(entities.len(), "entity", "entities"));
            for e in entities {
                println!("  {:<14} {:<24} {}", e.domain, e.object_id, e.name);
            }
        }
        EsphomeOutcome::EsphomeLogsStarted { devices, level } => println!("streaming logs of {} at {level}", devices.join(", ")),
        EsphomeOutcome::EsphomeFirmware { firmware } => {
            if firmware.is_empty() {
                println!("no firmware — `homedeck esphome firmware import FILE.bin --version V --platform ESP32`");
                return;
            }
            let rows: Vec<Vec<String>> = firmware
                .iter()
                .map(|f| vec![f.version.clone(), f.platform.clone(), crate::engine::views::text::size(f.size), f.short_id().to_string(), f.file_name.clone(), age(f.imported)])
                .collect();
            print!("{}", table::render(&["VERSION", "PLATFORM", "BYTES", "SHA256", "FILE", "IMPORTED"], &rows));
        }
        EsphomeOutcome::EsphomeOta { results } => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|r| {
                    vec![
                        r.device.clone(),
                        r.status.as_str().to_string(),
                        opt(&r.from_version),
                        r.to_version.clone(),
                        format!("{:.1}s", r.seconds),
                        r.reason.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print!("{}", table::render(&["DEVICE", "RESULT", "FROM", "TO", "TIME", "REASON"], &rows));
            println!("{}", crate::engine::views::esphome::ota_summary(results));
        }
    }
}

impl super::output::Human for EsphomeOutcome {
    fn human(&self) {
        human(self);
    }
}
