//! WLED previews that ask each device for its state now: what `wled_set`
//! would change (current → new, checked against the device's own effect and
//! palette lists as the real command is) and the `wled_set` that puts it
//! back. A device that does not answer is named on the card; the others are
//! still previewed.

use super::inventory::{Inventory, WledDevice};
use super::wled::Catalog;
use super::wled::client;
use super::wled::control::{self, Power, SetRequest};
use super::wled::model::{FullJson, Segment, list_name};
use super::wled::presets;
use crate::engine::Inner;
use crate::engine::command::Command;
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;

/// Every device of `target` with its full state, read concurrently.
async fn read_all(inner: &Inner, inv: &Inventory<'_>, target: &str) -> EngineResult<Vec<(WledDevice, EngineResult<FullJson>)>> {
    let devices = inv.resolve(target)?;
    let http = &inner.lights.http;
    Ok(futures::future::join_all(devices.into_iter().map(|d| async move {
        let full = client::full(http, &d).await;
        (d, full)
    }))
    .await)
}

fn onoff(on: bool) -> String {
    if on { "on".into() } else { "off".into() }
}

pub(super) async fn set(inner: &Inner, spec: &'static CommandSpec, inv: &Inventory<'_>, target: &str, req: SetRequest) -> EngineResult<Preview> {
    let mut p = Preview::new(spec, format!("set {} on {target}", req.describe()));
    let mut undo = Vec::new();
    for (d, full) in read_all(inner, inv, target).await? {
        p.add_target(d.name.clone());
        let full = match full {
            Ok(f) => f,
            Err(e) => {
                p.notes.push(format!("{}: current state unknown ({e}); no undo for it", d.name));
                continue;
            }
        };
        let cat = Catalog { effects: full.effects.clone(), palettes: full.palettes.clone() };
        // The same check the command makes: a bad effect name fails here.
        control::patch(&req, &full.state, &cat, full.info.kind() == "rgbw")?;
        let seg: Segment = match req.segment {
            Some(id) => full.state.seg.iter().find(|s| s.id == Some(id)).cloned().unwrap_or_default(),
            None => full.state.main_segment().cloned().unwrap_or_default(),
        };
        let (on_now, bri_now) = match req.segment {
            Some(_) => (seg.on.unwrap_or(full.state.on), seg.bri.unwrap_or(full.state.bri)),
            None => (full.state.on, full.state.bri),
        };
        let name = d.name.as_str();
        let mut back = SetRequest { segment: req.segment, ..SetRequest::default() };
        if let Some(power) = req.power {
            let to = match power {
                Power::On => true,
                Power::Off => false,
                Power::Toggle => !on_now,
            };
            p.add_change(name, "power", Some(onoff(on_now)), Some(onoff(to)));
            back.power = Some(if on_now { Power::On } else { Power::Off });
        }
        if let Some(b) = req.bri {
            p.add_change(name, "brightness", Some(bri_now.to_string()), Some(b.to_string()));
            back.bri = Some(bri_now);
        }
        if let Some(c) = &req.color {
            let now = seg.col.first().copied().unwrap_or_default();
            let new = control::parse_color(c)?;
            p.add_change(name, "color", Some(format!("#{}", now.hex())), Some(format!("#{}", new.hex())));
            back.color = Some(match now.w {
                Some(w) => format!("{},{},{},{w}", now.r, now.g, now.b),
                None => format!("#{}", now.hex()),
            });
        }
        if let Some(fx) = &req.effect {
            let to = control::lookup("effect", &full.effects, fx)?;
            p.add_change(name, "effect", Some(list_name(&full.effects, seg.fx)), Some(list_name(&full.effects, Some(to))));
            back.effect = seg.fx.map(|v| v.to_string());
        }
        if let Some(pal) = &req.palette {
            let to = control::lookup("palette", &full.palettes, pal)?;
            p.add_change(name, "palette", Some(list_name(&full.palettes, seg.pal)), Some(list_name(&full.palettes, Some(to))));
            back.palette = seg.pal.map(|v| v.to_string());
        }
        if let Some(sx) = req.speed {
            p.add_change(name, "speed", seg.sx.map(|v| v.to_string()), Some(sx.to_string()));
            back.speed = seg.sx;
        }
        if let Some(ix) = req.intensity {
            p.add_change(name, "intensity", seg.ix.map(|v| v.to_string()), Some(ix.to_string()));
            back.intensity = seg.ix;
        }
        if !back.is_empty() {
            undo.push(set_command(name, back));
        }
    }
    if let Some(t) = req.transition {
        p.notes.push(format!("crossfade {:.1} s", f64::from(t) / 10.0));
    }
    Ok(p.with_inverses(undo))
}

fn set_command(device: &str, r: SetRequest) -> Command {
    Command::WledSet {
        target: device.to_string(),
        power: r.power,
        bri: r.bri,
        color: r.color,
        effect: r.effect,
        palette: r.palette,
        speed: r.speed,
        intensity: r.intensity,
        segment: r.segment,
        transition: None,
    }
}

/// What puts a device back after a preset or playlist replaced its look:
/// the preset it was showing, or else its power, brightness, colour,
/// effect and palette as they are now.
fn restore_look(device: &str, full: &FullJson) -> Command {
    if let Ok(ps) = u8::try_from(full.state.ps)
        && ps > 0
        && full.state.pl < 1
    {
        return Command::WledPresetApply { target: device.to_string(), preset: ps.to_string() };
    }
    let seg = full.state.main_segment().cloned().unwrap_or_default();
    let col = seg.col.first().copied().unwrap_or_default();
    set_command(
        device,
        SetRequest {
            power: Some(if full.state.on { Power::On } else { Power::Off }),
            bri: Some(full.state.bri),
            color: Some(match col.w {
                Some(w) => format!("{},{},{},{w}", col.r, col.g, col.b),
                None => format!("#{}", col.hex()),
            }),
            effect: seg.fx.map(|v| v.to_string()),
            palette: seg.pal.map(|v| v.to_string()),
            speed: seg.sx,
            intensity: seg.ix,
            ..SetRequest::default()
        },
    )
}

fn id_text(id: i16) -> String {
    if id < 1 { "none".into() } else { id.to_string() }
}

pub(super) async fn apply(inner: &Inner, spec: &'static CommandSpec, inv: &Inventory<'_>, target: &str, wanted: &str, playlist: bool) -> EngineResult<Preview> {
    let (label, want, field) =
        if playlist { ("start playlist", presets::Want::Playlist, "playlist") } else { ("apply preset", presets::Want::Preset, "preset") };
    let mut p = Preview::new(spec, format!("{label} {wanted} on {target}"));
    let mut undo = Vec::new();
    let http = &inner.lights.http;
    for (d, full) in read_all(inner, inv, target).await? {
        p.add_target(d.name.clone());
        let got = match full {
            Ok(full) => client::presets(http, &d).await.and_then(|v| presets::parse(&v)).map(|list| (full, list)),
            Err(e) => Err(e),
        };
        let (full, list) = match got {
            Ok(x) => x,
            Err(e) => {
                p.notes.push(format!("{}: current state unknown ({e}); no undo for it", d.name));
                continue;
            }
        };
        let chosen = presets::resolve(&list, wanted, want)?;
        let now = if playlist { full.state.pl } else { full.state.ps };
        p.add_change(&d.name, field, Some(id_text(now)), Some(format!("{} {}", chosen.id, chosen.name)));
        undo.push(restore_look(&d.name, &full));
    }
    Ok(p.with_inverses(undo))
}

pub(super) async fn save(inner: &Inner, spec: &'static CommandSpec, inv: &Inventory<'_>, device: &str, id: u8, name: &str) -> EngineResult<Preview> {
    presets::save(id, name)?;
    let d = inv.need_device(device)?;
    let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    let before = list.iter().find(|p| p.id == id);
    let p = Preview::new(spec, format!("save the current state of {device} as preset {id} {name:?}"))
        .target(device)
        .change(device, &format!("preset {id}"), before.map(|b| b.name.clone()), Some(name.to_string()));
    Ok(match before {
        // Overwriting a preset loses its old content: no command brings it back.
        Some(b) => p.note(format!("replaces preset {id} {:?}; its old content cannot be restored by a command", b.name)),
        None => p.inverse(Command::WledPresetDelete { device: device.to_string(), id }),
    })
}

pub(super) async fn delete(inner: &Inner, spec: &'static CommandSpec, inv: &Inventory<'_>, device: &str, id: u8) -> EngineResult<Preview> {
    presets::delete(id)?;
    let d = inv.need_device(device)?;
    let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    let Some(gone) = list.iter().find(|p| p.id == id) else {
        return Err(crate::engine::error::EngineError::not_found_id(&format!("preset on {device}"), u64::from(id)));
    };
    Ok(Preview::new(spec, format!("delete preset {id} {:?} from {device}", gone.name))
        .target(device)
        .change(device, &format!("preset {id}"), Some(gone.name.clone()), None)
        .note("a deleted preset cannot be restored by a command (a backup of the device keeps presets.json)"))
}
