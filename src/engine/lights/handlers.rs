//! The WLED verbs: inventory, state, control, presets and playlists. Each
//! handler describes what it did on `ctx`; dispatch writes the audit entry.
//! Commands on a target (device or group) run on every member at once and
//! report per device; they fail only when every device failed.

use crate::engine::{LightsEvent, LightsOutcome};
use super::inventory::{Inventory, WledDevice, slug, validate_name};
use super::views::{DeviceResult, Discovered, Link, WledDetail, WledRow};
use super::wled::control::{self, SetRequest};
use super::wled::presets::{self, Want};
use super::wled::{Catalog, client, discovery, live, refresh_device};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use futures::StreamExt;
use serde_json::Value;

/// Devices polled at once when the list is read without live connections.
pub const POLL_CONCURRENCY: usize = 64;

pub async fn watch(inner: &Inner) -> EngineResult<Outcome> {
    let Some(weak) = inner.lights.me.get().cloned() else {
        return Err(EngineError::Other("live connections need the engine's async runtime".into()));
    };
    if inner.lights.start_watching() {
        return Ok(Outcome::done("already watching lights"));
    }
    let inv = Inventory::open(&inner.store)?;
    let devices = inv.devices()?;
    for d in &devices {
        live::watch(&weak, &d.name);
    }
    let hosts = inv.hosts()?;
    for h in &hosts {
        super::fpp_handlers::watch_host(&weak, &h.name);
    }
    crate::engine::scheduler::start_from(inner);
    Ok(Outcome::done(format!("watching {} WLED device(s) and {} FPP host(s)", devices.len(), hosts.len())))
}

pub async fn list(inner: &Inner) -> EngineResult<Outcome> {
    let inv = Inventory::open(&inner.store)?;
    let devices = inv.devices()?;
    if inner.lights.watching() {
        let rows = devices.into_iter().map(|d| WledRow { live: inner.lights.live_of(&d.name), device: d }).collect();
        return Ok(Outcome::Lights(LightsOutcome::WledDevices { devices: rows }));
    }
    let rows = poll_all(inner, devices).await;
    for r in &rows {
        inv.put_device(&r.device)?;
    }
    inner.store.flush()?;
    Ok(Outcome::Lights(LightsOutcome::WledDevices { devices: rows }))
}

/// Read every device once, [`POLL_CONCURRENCY`] at a time.
pub async fn poll_all(inner: &Inner, devices: Vec<WledDevice>) -> Vec<WledRow> {
    let http = &inner.lights.http;
    futures::stream::iter(devices)
        .map(|mut d| async move {
            let cat = live::catalog_of(inner, &d.name);
            let read = match &cat {
                Some(_) => client::state_info(http, &d).await.map(|si| (si, None)),
                None => client::full(http, &d).await.map(|f| {
                    let cat = Catalog { effects: f.effects, palettes: f.palettes };
                    (super::wled::model::StateInfo { state: f.state, info: f.info }, Some(cat))
                }),
            };
            match read {
                Ok((si, fresh)) => {
                    if let Some(c) = fresh {
                        live::remember_catalog(inner, &d.name, c);
                    }
                    refresh_device(&mut d, &si);
                    live::publish(inner, &d, &si, Link::Polled);
                }
                Err(e) => {
                    live::offline(inner, &d, e.to_string());
                    d.online = false;
                }
            }
            WledRow { live: inner.lights.live_of(&d.name), device: d }
        })
        .buffered(POLL_CONCURRENCY)
        .collect()
        .await
}

pub async fn discover(inner: &Inner, seconds: Option<u32>, interface: Option<String>) -> EngineResult<Outcome> {
    let found = discovery::browse(seconds.unwrap_or(3), interface.as_deref()).await?;
    let known = Inventory::open(&inner.store)?.devices()?;
    let found = found
        .into_iter()
        .map(|f| {
            let known_as = known
                .iter()
                .find(|d| d.address == f.address || (!f.mac.is_empty() && d.mac == f.mac))
                .map(|d| d.name.clone());
            Discovered { instance: f.instance, address: f.address, mac: f.mac, known_as }
        })
        .collect();
    Ok(Outcome::Lights(LightsOutcome::WledDiscovered { found }))
}

/// Falcon Player hosts announcing `_fppd._udp` (FPP ≥ 10).
pub async fn discover_fpp(inner: &Inner, seconds: Option<u32>, interface: Option<String>) -> EngineResult<Outcome> {
    let found = discovery::browse_fpp(seconds.unwrap_or(3), interface.as_deref()).await?;
    let known = Inventory::open(&inner.store)?.hosts()?;
    let found = found
        .into_iter()
        .map(|f| {
            let known_as = known.iter().find(|h| h.address == f.address).map(|h| h.name.clone());
            Discovered { instance: f.instance, address: f.address, mac: f.mac, known_as }
        })
        .collect();
    Ok(Outcome::Lights(LightsOutcome::FppDiscovered { found }))
}

pub async fn add(inner: &Inner, ctx: &mut Ctx, address: String, name: Option<String>, site: Option<String>) -> EngineResult<Outcome> {
    super::http::base_url(&address)?;
    let site = crate::engine::sites::parse_site(site)?;
    if let Some(n) = &name {
        validate_name("name", n)?;
    }
    let inv = Inventory::open(&inner.store)?;
    if let Some(d) = inv.devices()?.into_iter().find(|d| d.address == address.trim()) {
        return Err(EngineError::AlreadyExists { what: "WLED device at that address".into(), name: d.name });
    }
    ctx.resource("wled_device", None, name.clone());
    let full = client::full_at(&inner.lights.http, &format!("WLED at {address}"), address.trim()).await?;
    let mac = full.info.mac.to_lowercase();
    if let Some(d) = inv.devices()?.into_iter().find(|d| !mac.is_empty() && d.mac == mac) {
        return Err(EngineError::AlreadyExists { what: format!("WLED device with MAC {mac}"), name: d.name });
    }
    let name = match name {
        Some(n) if inv.device(&n)?.is_some() || inv.group(&n)?.is_some() => {
            return Err(EngineError::AlreadyExists { what: "WLED device or group".into(), name: n });
        }
        Some(n) => n,
        None => inv.free_name(&slug(&full.info.name))?,
    };
    let mut d = WledDevice {
        name: name.clone(),
        address: address.trim().to_string(),
        mac: String::new(),
        version: String::new(),
        led_count: 0,
        kind: String::new(),
        device_name: String::new(),
        online: true,
        last_seen: None,
        last_error: None,
        added: Utc::now(),
        source: "manual".into(),
        site,
    };
    let si = super::wled::model::StateInfo { state: full.state, info: full.info };
    refresh_device(&mut d, &si);
    inv.put_device(&d)?;
    live::remember_catalog(inner, &name, Catalog { effects: full.effects, palettes: full.palettes });
    live::publish(inner, &d, &si, Link::Polled);
    if inner.lights.watching()
        && let Some(weak) = inner.lights.me.get()
    {
        live::watch(weak, &name);
    }
    ctx.resource("wled_device", Some(d.mac.clone()), Some(name.clone()));
    ctx.describe(format!("added WLED {name} at {} ({} v{}, {} LEDs)", d.address, d.kind, d.version, d.led_count));
    Ok(Outcome::done(format!("added {name}: {} LEDs, WLED {}", d.led_count, d.version)))
}

pub fn remove(inner: &Inner, ctx: &mut Ctx, device: &str) -> EngineResult<Outcome> {
    ctx.resource("wled_device", None, Some(device.to_string()));
    let inv = Inventory::open(&inner.store)?;
    let d = inv.need_device(device)?;
    inv.remove_device(device)?;
    live::unwatch(inner, device);
    ctx.describe(format!("removed WLED {device} ({})", d.address));
    Ok(Outcome::done(format!("removed {device}")))
}

pub async fn state(inner: &Inner, device: &str) -> EngineResult<Outcome> {
    let inv = Inventory::open(&inner.store)?;
    let mut d = inv.need_device(device)?;
    let full = client::full(&inner.lights.http, &d).await?;
    let si = super::wled::model::StateInfo { state: full.state.clone(), info: full.info.clone() };
    refresh_device(&mut d, &si);
    live::remember_catalog(inner, &d.name, Catalog { effects: full.effects.clone(), palettes: full.palettes.clone() });
    let link = inner.lights.live_of(&d.name).map(|l| l.link).filter(|l| *l != Link::Offline).unwrap_or(Link::Polled);
    live::publish(inner, &d, &si, link);
    Ok(Outcome::Lights(LightsOutcome::WledDetail {
        detail: Box::new(WledDetail { device: d, state: full.state, info: full.info, effects: full.effects, palettes: full.palettes }),
    }))
}

/// Run `f` on every device of `target` at once; one result per device.
async fn each<F, Fut>(inner: &Inner, ctx: &mut Ctx, action: &str, target: &str, f: F) -> EngineResult<Outcome>
where
    F: Fn(WledDevice) -> Fut,
    Fut: std::future::Future<Output = EngineResult<(String, Option<super::wled::model::WledState>)>>,
{
    let devices = Inventory::open(&inner.store)?.resolve(target)?;
    ctx.resource("wled_target", None, Some(target.to_string()));
    let single = devices.len() == 1;
    let outcomes = futures::future::join_all(devices.into_iter().map(|d| {
        let name = d.name.clone();
        let fut = f(d);
        async move { (name, fut.await) }
    }))
    .await;
    let mut results = Vec::new();
    let mut first_err = None;
    for (device, r) in outcomes {
        match r {
            Ok((message, state)) => results.push(DeviceResult { device, ok: true, message, state }),
            Err(e) => {
                results.push(DeviceResult { device, ok: false, message: e.to_string(), state: None });
                first_err.get_or_insert(e);
            }
        }
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    ctx.describe(format!("{action} on {target}: {} ok, {failed} failed", results.len() - failed));
    for r in results.iter().filter(|r| !r.ok) {
        ctx.change(&r.device, None, Some(format!("failed: {}", r.message)));
    }
    match first_err {
        Some(e) if single => Err(e),
        Some(_) if failed == results.len() => Err(EngineError::Other(
            results.iter().map(|r| format!("{}: {}", r.device, r.message)).collect::<Vec<_>>().join("; "),
        )),
        _ => Ok(Outcome::Lights(LightsOutcome::WledResults { action: action.to_string(), results })),
    }
}

/// Post a patch and publish the state the device answers with.
async fn post(inner: &Inner, d: &WledDevice, patch: &Value) -> EngineResult<super::wled::model::WledState> {
    let state = client::post_state(&inner.lights.http, d, patch).await?;
    let cat = live::catalog_of(inner, &d.name);
    let link = inner.lights.live_of(&d.name).map(|l| l.link).filter(|l| *l != Link::Offline).unwrap_or(Link::Polled);
    let summary = super::wled::summarize(&state, cat.as_deref(), link);
    if let Ok(mut m) = inner.lights.live.lock() {
        m.insert(d.name.clone(), summary.clone());
    }
    inner.emit(crate::engine::event::Event::Lights(LightsEvent::WledLive { device: d.name.clone(), live: summary }));
    Ok(state)
}

pub async fn set(inner: &Inner, ctx: &mut Ctx, target: &str, req: SetRequest) -> EngineResult<Outcome> {
    let what = &req.describe();
    let req = &req;
    each(inner, ctx, &format!("set {what}"), target, |d| async move {
        let full = client::full(&inner.lights.http, &d).await?;
        let cat = Catalog { effects: full.effects, palettes: full.palettes };
        let patch = control::patch(req, &full.state, &cat, full.info.kind() == "rgbw")?;
        live::remember_catalog(inner, &d.name, cat);
        let state = post(inner, &d, &patch).await?;
        Ok((format!("{what} → {}", if state.on { format!("on, bri {}", state.bri) } else { "off".into() }), Some(state)))
    })
    .await
}

pub async fn preset_list(inner: &Inner, device: &str) -> EngineResult<Outcome> {
    let d = Inventory::open(&inner.store)?.need_device(device)?;
    let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    Ok(Outcome::Lights(LightsOutcome::WledPresets { device: d.name, presets: list }))
}

pub async fn preset_apply(inner: &Inner, ctx: &mut Ctx, target: &str, wanted: &str, want: Want) -> EngineResult<Outcome> {
    let label = if want == Want::Playlist { "start playlist" } else { "apply preset" };
    each(inner, ctx, &format!("{label} {wanted}"), target, |d| async move {
        let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
        let p = presets::resolve(&list, wanted, want)?;
        let state = post(inner, &d, &presets::apply(p.id)).await?;
        Ok((format!("{label} {} {:?}", p.id, p.name), Some(state)))
    })
    .await
}

pub async fn playlist_control(inner: &Inner, ctx: &mut Ctx, target: &str, next: bool) -> EngineResult<Outcome> {
    let (label, patch) =
        if next { ("next playlist entry", presets::playlist_next()) } else { ("stop playlist", presets::playlist_stop()) };
    let patch = &patch;
    each(inner, ctx, label, target, |d| async move {
        let state = post(inner, &d, patch).await?;
        Ok((format!("{label}: playlist {}, preset {}", state.pl, state.ps), Some(state)))
    })
    .await
}

pub async fn preset_save(inner: &Inner, ctx: &mut Ctx, device: &str, id: u8, name: &str) -> EngineResult<Outcome> {
    let patch = presets::save(id, name)?;
    ctx.resource("wled_preset", Some(id.to_string()), Some(format!("{device}/{name}")));
    let d = Inventory::open(&inner.store)?.need_device(device)?;
    post(inner, &d, &patch).await?;
    let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    if !list.iter().any(|p| p.id == id) {
        return Err(EngineError::Other(format!("{device} accepted the save but preset {id} is not in its presets.json")));
    }
    ctx.describe(format!("saved the current state of {device} as preset {id} {name:?}"));
    Ok(Outcome::Lights(LightsOutcome::WledPresets { device: d.name, presets: list }))
}

pub async fn preset_delete(inner: &Inner, ctx: &mut Ctx, device: &str, id: u8) -> EngineResult<Outcome> {
    let patch = presets::delete(id)?;
    ctx.resource("wled_preset", Some(id.to_string()), Some(device.to_string()));
    let d = Inventory::open(&inner.store)?.need_device(device)?;
    let before = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    let Some(gone) = before.iter().find(|p| p.id == id) else {
        return Err(EngineError::not_found_id(&format!("preset on {device}"), u64::from(id)));
    };
    ctx.change("preset", Some(format!("{} {}", gone.id, gone.name)), None);
    post(inner, &d, &patch).await?;
    let list = presets::parse(&client::presets(&inner.lights.http, &d).await?)?;
    ctx.describe(format!("deleted preset {id} {:?} from {device}", gone.name));
    Ok(Outcome::Lights(LightsOutcome::WledPresets { device: d.name, presets: list }))
}

pub async fn export(inner: &Inner, ctx: &mut Ctx, device: &str) -> EngineResult<Outcome> {
    ctx.resource("wled_device", None, Some(device.to_string()));
    let export = super::export_wled(inner, device).await?;
    ctx.describe(format!("exported presets.json and cfg.json of {device}"));
    Ok(Outcome::Lights(LightsOutcome::WledExported { export }))
}
