//! Previews of the ESPHome verbs: which devices an OTA (one or bulk: names,
//! `site:S`, `outdated`, `online`) would flash, each with its version now →
//! the firmware's, and the platform mismatches the real run would refuse.
//! Everything is read from the registry; no device is contacted.

use super::ota::bulk::{self, Targets};
use super::registry;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, EsphomeCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;
use crate::engine::text::plural;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: EsphomeCommand) -> EngineResult<Preview> {
    use EsphomeCommand::*;
    let p = match command {
        EsphomeList {} | EsphomeInfo { .. } | EsphomeLogsStart { .. } | EsphomeLogsStop { .. } | EsphomeFirmwareList {} => Preview::reads(spec),
        EsphomeDiscover { seconds } => Preview::unavailable(
            spec,
            format!("browse mDNS for ESPHome devices for {} s and remember what answers", seconds.unwrap_or(5)),
            "which devices answer is only known once the browse runs",
        ),
        EsphomeAdd { name, host, port, platform, site, .. } => {
            if registry::find(&inner.store, &name)?.is_some() {
                return Err(EngineError::AlreadyExists { what: "ESPHome device".into(), name });
            }
            Preview::new(spec, format!("add ESPHome device {name} at {host}:{}", port.unwrap_or(6053)))
                .target(name.clone())
                .change(&name, "address", None, Some(format!("{host}:{}", port.unwrap_or(6053))))
                .change(&name, "platform", None, platform)
                .change(&name, "site", None, site)
                .inverse(Command::EsphomeRemove { name })
        }
        EsphomeRemove { name } => {
            let d = registry::get(&inner.store, &name)?;
            Preview::new(spec, format!("forget ESPHome device {name} (its log stream stops)"))
                .target(name.clone())
                .change(&name, "address", Some(format!("{}:{}", d.host, d.port)), None)
                .inverse(Command::EsphomeAdd {
                    name: d.name.clone(),
                    host: d.host,
                    port: Some(d.port),
                    key_secret: d.key_secret,
                    ota_port: d.ota_port,
                    ota_password_secret: d.ota_password_secret,
                    platform: d.platform,
                    site: d.site,
                })
        }
        EsphomeFirmwareImport { path, version, platform } => {
            super::firmware::validate_version(&version)?;
            let size = std::fs::metadata(&path).map_err(|e| EngineError::invalid("path", &path, &format!("a readable firmware .bin ({e})")))?.len();
            Preview::new(spec, format!("import {path} as firmware {version} for {platform}"))
                .target(format!("firmware {version}"))
                .change(&format!("firmware {version}"), "image", None, Some(format!("{path} ({})", crate::engine::text::size(size))))
        }
        EsphomeOta { device, firmware, .. } => {
            let fw = registry::firmware_find(&inner.store, &firmware)?;
            let d = registry::get(&inner.store, &device)?;
            super::firmware::check_platform(&d, &fw)?;
            Preview::new(spec, format!("flash {device} with firmware {} over the air", fw.version))
                .target(device.clone())
                .change(&device, "version", d.running_version().map(String::from), Some(fw.version.clone()))
                .note("the device reboots; it is confirmed when it comes back with the new version")
                .note("no undo by command unless the old version is in the firmware registry")
        }
        EsphomeOtaBulk { firmware, targets, concurrency, .. } => {
            let fw = registry::firmware_find(&inner.store, &firmware)?;
            let all = registry::list(&inner.store)?;
            let expanded = crate::engine::sites::targets::expand_esphome(&inner.store, "targets", &targets)?;
            let chosen = bulk::select(&all, &fw, &Targets::parse(&expanded))
                .map_err(|n| EngineError::invalid("targets", n, "known device names, site:S, `outdated` or `online`"))?;
            if chosen.is_empty() {
                return Err(EngineError::invalid("targets", targets, &format!("at least one {} device to update", fw.platform)));
            }
            let mut p = Preview::new(
                spec,
                format!("flash {} with firmware {} ({targets}), {} at a time", plural(chosen.len(), "device", "devices"), fw.version, concurrency.unwrap_or(inner.live.get().esphome.ota_concurrency).clamp(1, 32)),
            );
            for d in &chosen {
                p.add_target(d.name.clone());
                match super::firmware::check_platform(d, &fw) {
                    Ok(()) => p.add_change(&d.name, "version", d.running_version().map(String::from), Some(fw.version.clone())),
                    Err(e) => p.notes.push(format!("{}: refused ({e})", d.name)),
                }
                if !d.online {
                    p.notes.push(format!("{}: offline when last seen; skipped if it does not answer", d.name));
                }
            }
            p
        }
        EsphomeOtaCancel { device } => Preview::new(
            spec,
            match &device {
                Some(d) => format!("cancel the OTA running on {d}"),
                None => "cancel every running OTA".to_string(),
            },
        )
        .targets(device),
    };
    Ok(p)
}
