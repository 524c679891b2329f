//! Device verbs: discover, list, add, remove, info, and starting/stopping
//! log streams. Each takes the engine and the command's context, and leaves
//! the audit draft describing what it did.

use crate::engine::text::plural;
use crate::engine::{EsphomeEvent, EsphomeOutcome};
use super::api::Connection;
use super::logs::{self, Net};
use super::types::{Device, DeviceInfo, Discovered, LogLevel, Source, normalise_platform};
use super::{discovery, registry};
use crate::engine::actor::Actor;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::{Inner, Outcome, vault};
use chrono::Utc;
use std::time::Duration;

pub(crate) fn net(inner: &Inner) -> EngineResult<Net> {
    Ok(Net {
        events: inner.events.clone(),
        devices: registry::devices(&inner.store)?,
        timeout: Duration::from_secs(inner.live.get().esphome.api_timeout_secs.max(1)),
    })
}

/// The API key of a device, from the vault (None for plaintext devices).
pub(crate) fn api_key(inner: &Inner, actor: &Actor, d: &Device) -> EngineResult<Option<SecretValue>> {
    d.key_secret.as_deref().map(|s| vault::use_secret(inner, actor, s, "esphome_api")).transpose()
}

fn validate_device_name(name: &str) -> EngineResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok { Ok(()) } else { Err(EngineError::invalid("name", name, "1–64 letters, digits and - _ . (the device's name: in its YAML)")) }
}

fn validate_host(host: &str) -> EngineResult<()> {
    let ok = !host.is_empty() && host.len() <= 253 && host.chars().all(|c| c.is_ascii_alphanumeric() || "-.:_".contains(c));
    if ok { Ok(()) } else { Err(EngineError::invalid("host", host, "a host name or IP address")) }
}

fn check_secret_exists(inner: &Inner, field: &str, name: &Option<String>) -> EngineResult<()> {
    if let Some(n) = name
        && !crate::engine::vault::exists(inner, n)?
    {
        return Err(EngineError::invalid(field, n, "the name of a vault secret (add it first: `homedeck secret add NAME --kind api_key`)"));
    }
    Ok(())
}

pub(crate) async fn discover(inner: &Inner, ctx: &mut Ctx, seconds: Option<u32>) -> EngineResult<Outcome> {
    let interfaces = inner.live.get().esphome.mdns_interfaces.clone();
    let wait = Duration::from_secs(u64::from(seconds.unwrap_or(3).clamp(1, 60)));
    ctx.resource("esphome_mdns", None, Some(if interfaces.is_empty() { "all".into() } else { interfaces.join(",") }));
    let ifs = interfaces.clone();
    let mut found = tokio::task::spawn_blocking(move || discovery::browse(&ifs, wait))
        .await
        .map_err(|e| EngineError::Other(format!("mDNS browse failed: {e}")))??;
    let now = Utc::now();
    for f in &mut found {
        let existing = registry::find(&inner.store, &f.name)?;
        f.new = existing.is_none();
        let mut d = existing.unwrap_or_else(|| Device {
            name: f.name.clone(),
            host: f.host.clone(),
            port: f.port,
            ota_port: None,
            key_secret: None,
            ota_password_secret: None,
            friendly_name: None,
            mac: None,
            version: None,
            project_version: None,
            platform: None,
            board: None,
            encrypted: None,
            source: Source::Mdns,
            added: now,
            last_seen: None,
            online: true,
            last_error: None,
            site: None,
        });
        apply(&mut d, f);
        d.last_seen = Some(now);
        d.online = true;
        registry::put(&inner.store, &d)?;
    }
    let new = found.iter().filter(|d| d.new).count();
    ctx.change("devices", None, Some(format!("{} found, {new} new", found.len())));
    ctx.describe(format!("mDNS discovery: {}, {new} new", plural(found.len(), "device", "devices")));
    inner.emit(Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeDiscovered { found, interfaces }))
}

fn apply(d: &mut Device, f: &Discovered) {
    d.host = f.host.clone();
    d.port = f.port;
    d.friendly_name = f.friendly_name.clone().or(d.friendly_name.take());
    d.version = f.version.clone().or(d.version.take());
    d.platform = f.platform.clone().or(d.platform.take());
    d.board = f.board.clone().or(d.board.take());
    d.mac = f.mac.clone().or(d.mac.take());
    d.encrypted = Some(f.encrypted);
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    let mut devices = registry::list(&inner.store)?;
    devices.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeDevices { devices }))
}

#[allow(clippy::too_many_arguments)] // one per command argument
pub(crate) fn add(
    inner: &Inner,
    ctx: &mut Ctx,
    name: String,
    host: String,
    port: Option<u16>,
    key_secret: Option<String>,
    ota_port: Option<u16>,
    ota_password_secret: Option<String>,
    platform: Option<String>,
    site: Option<String>,
) -> EngineResult<Outcome> {
    ctx.resource("esphome_device", None, Some(name.clone()));
    validate_device_name(&name)?;
    let site = crate::engine::sites::parse_site(site)?;
    validate_host(&host)?;
    let platform = platform.map(|p| normalise_platform(&p)).transpose()?;
    let key_secret = key_secret.filter(|s| !s.is_empty());
    let ota_password_secret = ota_password_secret.filter(|s| !s.is_empty());
    check_secret_exists(inner, "key_secret", &key_secret)?;
    check_secret_exists(inner, "ota_password_secret", &ota_password_secret)?;
    if port == Some(0) || ota_port == Some(0) {
        return Err(EngineError::invalid("port", "0", "a TCP port from 1 to 65535"));
    }
    if registry::find(&inner.store, &name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "ESPHome device".into(), name });
    }
    let d = Device {
        name: name.clone(),
        host,
        port: port.unwrap_or(super::DEFAULT_API_PORT),
        ota_port,
        encrypted: Some(key_secret.is_some()),
        key_secret,
        ota_password_secret,
        friendly_name: None,
        mac: None,
        version: None,
        project_version: None,
        platform,
        board: None,
        source: Source::Manual,
        added: Utc::now(),
        last_seen: None,
        online: false,
        last_error: None,
        site,
    };
    registry::put(&inner.store, &d)?;
    if let Some(s) = &d.site {
        ctx.change("site", None, Some(s.clone()));
    }
    ctx.change("address", None, Some(format!("{}:{}", d.host, d.port)));
    if let Some(k) = &d.key_secret {
        ctx.change("key_secret", None, Some(k.clone()));
    }
    ctx.describe(format!("added ESPHome device {name} at {}:{}", d.host, d.port));
    inner.emit(Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
    Ok(Outcome::done(format!("ESPHome device {name} added ({}:{})", d.host, d.port)))
}

pub(crate) fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("esphome_device", None, Some(name.to_string()));
    stop_streams(inner, Some(vec![name.to_string()]));
    if !registry::remove(&inner.store, name)? {
        return Err(EngineError::not_found("ESPHome device", name));
    }
    ctx.describe(format!("removed ESPHome device {name}"));
    inner.emit(Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
    Ok(Outcome::done(format!("ESPHome device {name} removed")))
}

/// Connect, ask for device info and entities, and remember what was learnt.
pub(crate) async fn info(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<Outcome> {
    let mut d = registry::get(&inner.store, name)?;
    let key = api_key(inner, actor, &d)?;
    let net = net(inner)?;
    let asked = async {
        let mut c = Connection::connect(&logs::options(&d, key, net.timeout)).await?;
        let info = c.device_info().await?;
        let entities = c.list_entities().await?;
        let hello = c.hello.clone();
        let encrypted = c.encrypted();
        c.disconnect().await;
        Ok::<_, super::api::ApiError>((info, entities, hello, encrypted))
    };
    match asked.await {
        Err(e) => {
            net.seen(name, false, Some(e.to_string()));
            Err(EngineError::Other(format!("{name} ({}:{}): {e}", d.host, d.port)))
        }
        Ok((i, entities, hello, encrypted)) => {
            let info = DeviceInfo {
                name: i.name,
                friendly_name: i.friendly_name,
                mac_address: i.mac_address,
                esphome_version: i.esphome_version,
                compilation_time: i.compilation_time,
                model: i.model,
                manufacturer: i.manufacturer,
                project_name: i.project_name,
                project_version: i.project_version,
                api_encryption_supported: i.api_encryption_supported,
                server_info: hello.server_info,
                api_version: format!("{}.{}", hello.api_version_major, hello.api_version_minor),
                encrypted,
            };
            d.version = Some(info.esphome_version.clone());
            d.project_version = (!info.project_version.is_empty()).then(|| info.project_version.clone());
            d.mac = (!info.mac_address.is_empty()).then(|| info.mac_address.clone()).or(d.mac);
            d.friendly_name = (!info.friendly_name.is_empty()).then(|| info.friendly_name.clone()).or(d.friendly_name);
            d.board = (!info.model.is_empty()).then(|| info.model.clone()).or(d.board);
            d.encrypted = Some(encrypted);
            d.online = true;
            d.last_seen = Some(Utc::now());
            d.last_error = None;
            registry::put(&inner.store, &d)?;
            inner.emit(Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
            Ok(Outcome::Esphome(EsphomeOutcome::EsphomeInfo { device: Box::new(d), info: Box::new(info), entities }))
        }
    }
}

pub(crate) fn logs_start(inner: &Inner, actor: &Actor, devices: &str, level: Option<LogLevel>) -> EngineResult<Outcome> {
    let expanded = crate::engine::sites::targets::expand_esphome(&inner.store, "devices", devices)?;
    let names = super::ota::bulk::split_names(&expanded);
    if names.is_empty() {
        return Err(EngineError::invalid("devices", devices, "one or more device names or site:S, separated by commas"));
    }
    let level = level.unwrap_or(LogLevel::VeryVerbose);
    // Look everything up first, so one bad name starts nothing.
    let mut plan = Vec::new();
    for n in &names {
        let d = registry::get(&inner.store, n)?;
        let key = api_key(inner, actor, &d)?;
        plan.push((d, key));
    }
    let net = net(inner)?;
    let mut streams = inner.esphome.logs.lock().map_err(|_| EngineError::Other("log streams poisoned".into()))?;
    for (d, key) in plan {
        let name = d.name.clone();
        if let Some(old) = streams.insert(name, logs::spawn(net.clone(), d, key, level)) {
            let _ = old.stop.send(true);
        }
    }
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeLogsStarted { devices: names, level }))
}

fn stop_streams(inner: &Inner, names: Option<Vec<String>>) -> Vec<String> {
    let Ok(mut streams) = inner.esphome.logs.lock() else { return Vec::new() };
    let names: Vec<String> = names.unwrap_or_else(|| streams.keys().cloned().collect());
    let mut stopped = Vec::new();
    for n in names {
        if let Some(s) = streams.remove(&n) {
            let _ = s.stop.send(true);
            stopped.push(n);
        }
    }
    stopped
}

pub(crate) fn logs_stop(inner: &Inner, devices: Option<String>) -> EngineResult<Outcome> {
    let stopped = stop_streams(inner, devices.map(|d| super::ota::bulk::split_names(&d)));
    Ok(Outcome::done(if stopped.is_empty() {
        "no log stream was running".to_string()
    } else {
        format!("stopped log streams of {}", stopped.join(", "))
    }))
}
