//! Previews of the lights verbs. Changes to a device's light are read from
//! the device now (`preview_wled.rs`), so the card says "bri 128 → 30" and
//! the undo puts back 128; inventory, group and schedule edits read the store.

use super::inventory::{Group, Inventory};
use super::schedule::client as runner;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, LightsCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: LightsCommand) -> EngineResult<Preview> {
    use LightsCommand::*;
    let inv = Inventory::open(&inner.store)?;
    let p = match command {
        LightsWatch {} | WledList {} | WledDiscover { .. } | WledState { .. } | WledPresetList { .. } | WledGroupList {}
        | WledScheduleList {} | WledExport { .. } | FppList {} | FppDiscover { .. } | FppStatus { .. } | FppPlaylists { .. }
        | FppSchedule { .. } | FppMultisync { .. } => Preview::reads(spec),
        WledAdd { address, name, site } => {
            let label = name.clone().unwrap_or_else(|| format!("(the name {address} reports)"));
            Preview::new(spec, format!("add WLED device {label} at {address}"))
                .target(label.clone())
                .change(&label, "address", None, Some(address))
                .change(&label, "site", None, site)
                .note("the device is asked for its name, MAC and version when this runs")
        }
        WledRemove { device } => {
            let d = inv.need_device(&device)?;
            Preview::new(spec, format!("remove WLED device {device} from the inventory (groups and schedules naming it stay)"))
                .target(device.clone())
                .change(&device, "address", Some(d.address.clone()), None)
                .inverse(Command::WledAdd { address: d.address, name: Some(device), site: d.site })
        }
        WledSet { target, power, bri, color, effect, palette, speed, intensity, segment, transition } => {
            let req = super::wled::control::SetRequest { power, bri, color, effect, palette, speed, intensity, segment, transition };
            super::preview_wled::set(inner, spec, &inv, &target, req).await?
        }
        WledPresetApply { target, preset } => super::preview_wled::apply(inner, spec, &inv, &target, &preset, false).await?,
        WledPlaylistStart { target, playlist } => super::preview_wled::apply(inner, spec, &inv, &target, &playlist, true).await?,
        WledPresetSave { device, id, name } => super::preview_wled::save(inner, spec, &inv, &device, id, &name).await?,
        WledPresetDelete { device, id } => super::preview_wled::delete(inner, spec, &inv, &device, id).await?,
        WledPlaylistStop { target } => devices(spec, &inv, &target, "stop the running playlist (the lights stay as they are)")?,
        WledPlaylistNext { target } => devices(spec, &inv, &target, "skip to the next playlist entry")?,
        WledGroupSet { name, members } => {
            let before = inv.group(&name)?;
            let list: Vec<String> = members.split(',').map(str::trim).filter(|m| !m.is_empty()).map(str::to_string).collect();
            for m in &list {
                inv.need_device(m)?;
            }
            let p = Preview::new(spec, format!("group {name} = {}", list.join(", ")))
                .target(name.clone())
                .change(&name, "members", before.as_ref().map(|g| g.members.join(",")), Some(list.join(",")));
            match before {
                Some(Group { members, .. }) => p.inverse(Command::WledGroupSet { name, members: members.join(",") }),
                None => p.inverse(Command::WledGroupRemove { name }),
            }
        }
        WledGroupRemove { name } => {
            let g = inv.group(&name)?.ok_or_else(|| EngineError::not_found("group", &name))?;
            Preview::new(spec, format!("remove group {name} (its devices stay)"))
                .target(name.clone())
                .change(&name, "members", Some(g.members.join(",")), None)
                .inverse(Command::WledGroupSet { name, members: g.members.join(",") })
        }
        WledScheduleAdd { name, cron, target, action, tz } => {
            crate::engine::scheduler::cron::parse_cron(&cron)?;
            let parsed: super::schedule::ScheduleAction = action.parse()?;
            let devices = inv.resolve(&target)?;
            if runner::get(&inner.store, &name)?.is_some() {
                return Err(EngineError::AlreadyExists { what: "light schedule".into(), name });
            }
            Preview::new(spec, format!("schedule {name}: {parsed} on {target} at \"{cron}\""))
                .target(name.clone())
                .targets(devices.into_iter().map(|d| d.name))
                .change(&name, "schedule", None, Some(format!("{parsed} on {target} at \"{cron}\" ({})", tz.unwrap_or_else(|| "local time".into()))))
                .inverse(Command::WledScheduleRemove { name })
        }
        WledScheduleRemove { name } => {
            let s = schedule(inner, &name)?;
            Preview::new(spec, format!("remove schedule {name} ({} on {} at \"{}\")", s.action, s.target, s.cron))
                .target(name.clone())
                .change(&name, "schedule", Some(format!("{} on {} at \"{}\" ({})", s.action, s.target, s.cron, s.tz)), None)
                .inverse(Command::WledScheduleAdd { name, cron: s.cron, target: s.target, action: s.action.to_string(), tz: Some(s.tz) })
        }
        WledScheduleEnable { name, enabled } => {
            let s = schedule(inner, &name)?;
            Preview::new(spec, format!("{} schedule {name}", if enabled.0 { "enable" } else { "disable" }))
                .target(name.clone())
                .change(&name, "enabled", Some(s.enabled.to_string()), Some(enabled.0.to_string()))
                .inverse(Command::WledScheduleEnable { name, enabled: super::args::Flag(s.enabled) })
        }
        WledScheduleAck { name } => {
            let s = schedule(inner, &name)?;
            Preview::new(spec, format!("acknowledge the missed runs of schedule {name} (the audit log keeps them)"))
                .target(name.clone())
                .change(&name, "missed runs", Some(s.missed.len().to_string()), Some("0".into()))
        }
        FppAdd { address, name, site } => {
            let label = name.clone().unwrap_or_else(|| format!("(the name {address} reports)"));
            Preview::new(spec, format!("add FPP host {label} at {address}"))
                .target(label.clone())
                .change(&label, "address", None, Some(address))
                .change(&label, "site", None, site)
        }
        FppRemove { host } => {
            let h = inv.need_host(&host)?;
            Preview::new(spec, format!("remove FPP host {host} from the inventory"))
                .target(host.clone())
                .change(&host, "address", Some(h.address.clone()), None)
                .inverse(Command::FppAdd { address: h.address, name: Some(host), site: h.site })
        }
        FppStart { host, playlist, repeat } => {
            let rep = repeat.is_some_and(|r| r.0);
            fpp(spec, &inv, &host, format!("start playlist {playlist:?}{}", if rep { " (repeating)" } else { "" }))?
                .change(&host, "playlist", None, Some(playlist))
        }
        FppStop { host, mode } => fpp(spec, &inv, &host, format!("stop the playlist ({})", mode.map(|m| format!("{m:?}")).unwrap_or_else(|| "Now".into()).to_lowercase()))?,
        FppPause { host } => fpp(spec, &inv, &host, "pause the running playlist".into())?.inverse(Command::FppResume { host }),
        FppResume { host } => fpp(spec, &inv, &host, "resume the paused playlist".into())?.inverse(Command::FppPause { host }),
        FppNext { host } => fpp(spec, &inv, &host, "jump to the next playlist item".into())?,
        FppPrev { host } => fpp(spec, &inv, &host, "jump to the previous playlist item".into())?,
        FppScheduleAdd { host, playlist, day, start_time, end_time, .. } => {
            fpp(spec, &inv, &host, format!("add a schedule entry: {playlist:?} on {day} {start_time}–{end_time}"))?
                .change(&host, "schedule entry", None, Some(format!("{playlist} {day} {start_time}-{end_time}")))
        }
        FppScheduleRemove { host, index } => fpp(spec, &inv, &host, format!("remove schedule entry {index}"))?
            .change(&host, "schedule entry", Some(index.to_string()), None),
        FppScheduleEnable { host, index, enabled } => {
            fpp(spec, &inv, &host, format!("{} schedule entry {index}", if enabled.0 { "enable" } else { "disable" }))?
                .change(&host, &format!("entry {index} enabled"), Some((!enabled.0).to_string()), Some(enabled.0.to_string()))
                .inverse(Command::FppScheduleEnable { host, index, enabled: super::args::Flag(!enabled.0) })
        }
    };
    Ok(p)
}

fn schedule(inner: &Inner, name: &str) -> EngineResult<super::schedule::Schedule> {
    runner::get(&inner.store, name)?.ok_or_else(|| EngineError::not_found("light schedule", name))
}

/// A verb whose only effect is the one named, on every device of `target`.
fn devices(spec: &'static CommandSpec, inv: &Inventory, target: &str, what: &str) -> EngineResult<Preview> {
    let list = inv.resolve(target)?;
    Ok(Preview::new(spec, format!("{what} on {target}")).targets(list.into_iter().map(|d| d.name)))
}

fn fpp(spec: &'static CommandSpec, inv: &Inventory, host: &str, what: String) -> EngineResult<Preview> {
    inv.need_host(host)?;
    Ok(Preview::new(spec, format!("{what} on FPP host {host}")).target(host))
}
