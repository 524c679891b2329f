//! The Falcon Player verbs, and the task that refreshes a watched host's
//! status on an interval.

use crate::engine::{LightsEvent, LightsOutcome};
use super::fpp::client;
use super::fpp::schedule as fsched;
use super::args::StopMode;
use super::inventory::{FppHost, Inventory, slug, validate_name};
use super::views::{FPP_NO_AUTH, FppLive, FppRow, FppSchedule};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use serde_json::Value;
use std::sync::Weak;
use std::time::Duration;

/// How often a watched host's status is read.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

pub fn watch_host(weak: &Weak<Inner>, name: &str) {
    let Some(inner) = weak.upgrade() else { return };
    let task = tokio::spawn(refresh_loop(weak.clone(), name.to_string()));
    inner.lights.add_task(format!("fpp:{name}"), task.abort_handle());
}

async fn refresh_loop(weak: Weak<Inner>, name: String) {
    loop {
        {
            let Some(inner) = weak.upgrade() else { return };
            let Ok(Some(h)) = Inventory::open(&inner.store).and_then(|i| i.need_host(&name).map(Some)) else { return };
            refresh(&inner, &h).await;
        }
        tokio::time::sleep(REFRESH_EVERY).await;
    }
}

/// Read the status once, remember it and broadcast it.
async fn refresh(inner: &Inner, h: &FppHost) -> FppLive {
    let live = match client::status(&inner.lights.http, h).await {
        Ok(s) => FppLive { status: Some(s), error: None, updated: Utc::now() },
        Err(e) => {
            let old = inner.lights.fpp.lock().ok().and_then(|m| m.get(&h.name).and_then(|l| l.status.clone()));
            FppLive { status: old, error: Some(e.to_string()), updated: Utc::now() }
        }
    };
    if let Ok(mut m) = inner.lights.fpp.lock() {
        m.insert(h.name.clone(), live.clone());
    }
    inner.emit(Event::Lights(LightsEvent::FppLive { host: h.name.clone(), live: Box::new(live.clone()) }));
    live
}

pub async fn list(inner: &Inner) -> EngineResult<Outcome> {
    let hosts = Inventory::open(&inner.store)?.hosts()?;
    let mut rows = Vec::new();
    for h in hosts {
        let live = match inner.lights.fpp.lock().ok().and_then(|m| m.get(&h.name).cloned()) {
            Some(l) if inner.lights.watching() => l,
            _ => refresh(inner, &h).await,
        };
        rows.push(FppRow { host: h, live: Some(live) });
    }
    Ok(Outcome::Lights(LightsOutcome::FppHosts { hosts: rows, notice: FPP_NO_AUTH.into() }))
}

pub async fn add(inner: &Inner, ctx: &mut Ctx, address: String, name: Option<String>, site: Option<String>) -> EngineResult<Outcome> {
    super::http::base_url(&address)?;
    let site = crate::engine::sites::parse_site(site)?;
    if let Some(n) = &name {
        validate_name("name", n)?;
    }
    let inv = Inventory::open(&inner.store)?;
    if let Some(h) = inv.hosts()?.into_iter().find(|h| h.address == address.trim()) {
        return Err(EngineError::AlreadyExists { what: "FPP host at that address".into(), name: h.name });
    }
    let base = name.clone().unwrap_or_else(|| slug(address.trim().split(':').next().unwrap_or("fpp")));
    if inv.host_exists(&base)? {
        return Err(EngineError::AlreadyExists { what: "FPP host".into(), name: base });
    }
    ctx.resource("fpp_host", None, Some(base.clone()));
    let mut h = FppHost {
        name: base.clone(),
        address: address.trim().to_string(),
        version: String::new(),
        online: true,
        last_seen: Some(Utc::now()),
        last_error: None,
        added: Utc::now(),
        site,
    };
    let status = client::status(&inner.lights.http, &h).await?;
    h.version = status.version.clone();
    inv.put_host(&h)?;
    if let Ok(mut m) = inner.lights.fpp.lock() {
        m.insert(h.name.clone(), FppLive { status: Some(status), error: None, updated: Utc::now() });
    }
    if inner.lights.watching()
        && let Some(weak) = inner.lights.me.get()
    {
        watch_host(weak, &h.name);
    }
    ctx.describe(format!("added FPP {} at {} (version {})", h.name, h.address, h.version));
    Ok(Outcome::done(format!("added FPP host {} (FPP {}). {FPP_NO_AUTH}", h.name, h.version)))
}

pub fn remove(inner: &Inner, ctx: &mut Ctx, host: &str) -> EngineResult<Outcome> {
    ctx.resource("fpp_host", None, Some(host.to_string()));
    let inv = Inventory::open(&inner.store)?;
    let h = inv.need_host(host)?;
    inv.remove_host(host)?;
    inner.lights.stop_task(&format!("fpp:{host}"));
    if let Ok(mut m) = inner.lights.fpp.lock() {
        m.remove(host);
    }
    ctx.describe(format!("removed FPP {host} ({})", h.address));
    Ok(Outcome::done(format!("removed FPP host {host}")))
}

fn host(inner: &Inner, name: &str) -> EngineResult<FppHost> {
    Inventory::open(&inner.store)?.need_host(name)
}

pub async fn status(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let h = host(inner, name)?;
    let live = refresh(inner, &h).await;
    match (live.status, live.error) {
        (_, Some(e)) => Err(EngineError::Other(e)),
        (Some(status), None) => Ok(Outcome::Lights(LightsOutcome::FppStatus { host: h, status: Box::new(status), notice: FPP_NO_AUTH.into() })),
        (None, None) => Err(EngineError::Other(format!("FPP {name} sent no status"))),
    }
}

pub async fn playlists(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let h = host(inner, name)?;
    Ok(Outcome::Lights(LightsOutcome::FppPlaylists { host: h.name.clone(), playlists: client::playlists(&inner.lights.http, &h).await? }))
}

/// A playback control: do it, then read the status back.
pub enum Control {
    Start { playlist: String, repeat: bool },
    Stop(StopMode),
    Pause,
    Resume,
    Next,
    Prev,
}

pub async fn control(inner: &Inner, ctx: &mut Ctx, name: &str, c: Control) -> EngineResult<Outcome> {
    ctx.resource("fpp_host", None, Some(name.to_string()));
    let h = host(inner, name)?;
    let http = &inner.lights.http;
    let what = match &c {
        Control::Start { playlist, repeat } => {
            let known = client::playlists(http, &h).await?;
            if !known.iter().any(|p| p == playlist) {
                return Err(EngineError::invalid("playlist", playlist, &format!("a playlist on {name}: {}", known.join(", "))));
            }
            client::start(http, &h, playlist, *repeat).await?;
            format!("started playlist {playlist:?}{}", if *repeat { " on repeat" } else { "" })
        }
        Control::Stop(mode) => {
            let (path, label) = match mode {
                StopMode::Now => ("stop", "stopped now"),
                StopMode::Graceful => ("stopgracefully", "stopping gracefully"),
                StopMode::AfterLoop => ("stopgracefullyafterloop", "stopping after this loop"),
            };
            client::playlists_action(http, &h, path).await?;
            label.to_string()
        }
        Control::Pause => client::playlists_action(http, &h, "pause").await.map(|_| "paused".to_string())?,
        Control::Resume => client::playlists_action(http, &h, "resume").await.map(|_| "resumed".to_string())?,
        Control::Next => client::command(http, &h, "Next Playlist Item").await.map(|_| "next item".to_string())?,
        Control::Prev => client::command(http, &h, "Prev Playlist Item").await.map(|_| "previous item".to_string())?,
    };
    ctx.describe(format!("FPP {name}: {what}"));
    let live = refresh(inner, &h).await;
    let now = live.status.map(|s| format!(" — now {}", s.state_name())).unwrap_or_default();
    Ok(Outcome::done(format!("{name}: {what}{now}")))
}

async fn load_schedule(inner: &Inner, h: &FppHost) -> EngineResult<Vec<serde_json::Map<String, Value>>> {
    fsched::raw_entries(&client::schedule(&inner.lights.http, h).await?)
}

pub async fn schedule(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let h = host(inner, name)?;
    let raw = load_schedule(inner, &h).await?;
    Ok(Outcome::Lights(LightsOutcome::FppSchedule { schedule: FppSchedule { host: h.name, entries: fsched::view(&raw)? } }))
}

/// Post the edited list back and answer with what the host now has.
async fn save(inner: &Inner, h: &FppHost, raw: Vec<serde_json::Map<String, Value>>) -> EngineResult<Outcome> {
    let body = Value::Array(raw.into_iter().map(Value::Object).collect());
    client::save_schedule(&inner.lights.http, h, &body).await?;
    schedule(inner, &h.name).await
}

pub struct NewEntry {
    pub playlist: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub repeat: bool,
    pub stop: Option<String>,
}

pub async fn schedule_add(inner: &Inner, ctx: &mut Ctx, name: &str, e: NewEntry) -> EngineResult<Outcome> {
    ctx.resource("fpp_schedule", None, Some(name.to_string()));
    let h = host(inner, name)?;
    let known = client::playlists(&inner.lights.http, &h).await?;
    let entry = fsched::new_entry(
        &known,
        &e.playlist,
        &e.day,
        &e.start_time,
        &e.end_time,
        e.start_date.as_deref(),
        e.end_date.as_deref(),
        e.repeat,
        e.stop.as_deref(),
        true,
    )?;
    let mut raw = load_schedule(inner, &h).await?;
    ctx.change("entry", None, Some(Value::Object(entry.clone()).to_string()));
    ctx.describe(format!("FPP {name}: scheduled {:?} {} {}–{}", e.playlist, e.day, e.start_time, e.end_time));
    raw.push(entry);
    save(inner, &h, raw).await
}

pub async fn schedule_remove(inner: &Inner, ctx: &mut Ctx, name: &str, index: u32) -> EngineResult<Outcome> {
    ctx.resource("fpp_schedule", Some(index.to_string()), Some(name.to_string()));
    let h = host(inner, name)?;
    let mut raw = load_schedule(inner, &h).await?;
    let i = index as usize;
    if i >= raw.len() {
        return Err(EngineError::invalid("index", index.to_string(), &format!("an entry number 0–{}", raw.len().saturating_sub(1))));
    }
    let gone = raw.remove(i);
    ctx.change("entry", Some(Value::Object(gone).to_string()), None);
    ctx.describe(format!("FPP {name}: removed schedule entry {index}"));
    save(inner, &h, raw).await
}

pub async fn schedule_enable(inner: &Inner, ctx: &mut Ctx, name: &str, index: u32, on: bool) -> EngineResult<Outcome> {
    ctx.resource("fpp_schedule", Some(index.to_string()), Some(name.to_string()));
    let h = host(inner, name)?;
    let mut raw = load_schedule(inner, &h).await?;
    let len = raw.len();
    let Some(e) = raw.get_mut(index as usize) else {
        return Err(EngineError::invalid("index", index.to_string(), &format!("an entry number 0–{}", len.saturating_sub(1))));
    };
    ctx.change("enabled", e.get("enabled").map(|v| v.to_string()), Some(u8::from(on).to_string()));
    e.insert("enabled".into(), Value::from(u8::from(on)));
    ctx.describe(format!("FPP {name}: schedule entry {index} {}", if on { "enabled" } else { "disabled" }));
    save(inner, &h, raw).await
}

pub async fn multisync(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let h = host(inner, name)?;
    Ok(Outcome::Lights(LightsOutcome::FppSystems { host: h.name.clone(), systems: client::multisync(&inner.lights.http, &h).await? }))
}
