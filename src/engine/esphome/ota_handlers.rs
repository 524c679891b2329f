//! Firmware and OTA verbs. Everything that needs the store or the vault is
//! read before the write gate is released; the upload itself runs without
//! holding it, so one slow device does not block every other write.

use crate::engine::text::plural;
use crate::engine::{EsphomeEvent, EsphomeOutcome};
use super::handlers::{api_key, net};
use super::ota::bulk::{self, Targets};
use super::ota::client::gzip;
use super::ota::update::{self, Job};
use super::types::{Device, Firmware, OtaResult, OtaStatus};
use super::{firmware, registry};
use crate::engine::actor::Actor;
use crate::engine::audit::{self, Change, Resource, Severity, Status};
use crate::engine::context::{AuditDraft, Ctx};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::{Inner, Outcome, command, vault};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub(crate) fn firmware_import(inner: &Inner, ctx: &mut Ctx, path: &str, version: &str, platform: &str) -> EngineResult<Outcome> {
    ctx.resource("esphome_firmware", None, Some(version.to_string()));
    let (fw, previous) = firmware::import(&inner.store, Path::new(path), version, platform)?;
    ctx.resource("esphome_firmware", Some(fw.sha256.clone()), Some(fw.version.clone()));
    ctx.change("sha256", None, Some(fw.sha256.clone()));
    if let Some(p) = previous {
        ctx.change("version", Some(p.version), Some(fw.version.clone()));
    }
    ctx.describe(format!("imported {} firmware {} ({}) from {path}", fw.platform, fw.version, crate::engine::text::size(fw.size)));
    inner.emit(crate::engine::event::Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeFirmware { firmware: vec![fw] }))
}

pub(crate) fn firmware_list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeFirmware { firmware: registry::firmware_list(&inner.store)? }))
}

fn ota_password(inner: &Inner, actor: &Actor, d: &Device) -> EngineResult<Option<SecretValue>> {
    d.ota_password_secret.as_deref().map(|s| vault::use_secret(inner, actor, s, "esphome_ota")).transpose()
}

/// The image and its gzip, read and compressed once per command.
async fn images(inner: &Inner, fw: &Firmware) -> EngineResult<(Arc<Vec<u8>>, Arc<Vec<u8>>)> {
    let raw = Arc::new(registry::firmware_bytes(&inner.store, fw)?);
    let r = raw.clone();
    let gz = tokio::task::spawn_blocking(move || gzip(&r))
        .await
        .map_err(|e| EngineError::Other(format!("compressing the image failed: {e}")))?
        .map_err(|e| EngineError::Other(format!("compressing the image failed: {e}")))?;
    Ok((raw, Arc::new(gz)))
}

fn cancel_flag(inner: &Inner, device: &str) -> EngineResult<Arc<AtomicBool>> {
    let mut map = inner.esphome.ota.lock().map_err(|_| EngineError::Other("OTA state poisoned".into()))?;
    if map.contains_key(device) {
        return Err(EngineError::invalid("device", device, "a device without an OTA already running"));
    }
    let flag = Arc::new(AtomicBool::new(false));
    map.insert(device.to_string(), flag.clone());
    Ok(flag)
}

fn release_flag(inner: &Inner, device: &str) {
    if let Ok(mut map) = inner.esphome.ota.lock() {
        map.remove(device);
    }
}

fn confirm_window(inner: &Inner, confirm_secs: Option<u32>) -> Duration {
    Duration::from_secs(u64::from(confirm_secs.unwrap_or(inner.live.get().esphome.confirm_secs).clamp(1, 900)))
}

pub(crate) async fn ota(
    inner: &Inner,
    ctx: &mut Ctx,
    device: &str,
    firmware_ref: &str,
    confirm_secs: Option<u32>,
) -> EngineResult<Outcome> {
    ctx.resource("esphome_device", None, Some(device.to_string()));
    let d = registry::get(&inner.store, device)?;
    let fw = registry::firmware_find(&inner.store, firmware_ref)?;
    ctx.change("version", d.running_version().map(String::from), Some(fw.version.clone()));
    ctx.change("firmware", None, Some(fw.short_id().to_string()));
    firmware::check_platform(&d, &fw)?;
    let password = ota_password(inner, &ctx.actor, &d)?;
    let key = api_key(inner, &ctx.actor, &d)?;
    let (raw, gz) = images(inner, &fw).await?;
    let net = net(inner)?;
    let cancel = cancel_flag(inner, device)?;
    inner.store.flush()?;
    ctx.release_gate();
    let job = Job { device: d, fw, raw, gz, password, key, cancel, confirm: confirm_window(inner, confirm_secs) };
    let result = update::flash(&net, job).await;
    release_flag(inner, device);
    ctx.describe(describe(&result));
    match result.status {
        OtaStatus::Updated => Ok(Outcome::Esphome(EsphomeOutcome::EsphomeOta { results: vec![result] })),
        _ => {
            ctx.severity(Severity::Low);
            Err(EngineError::Other(format!(
                "OTA of {device} to {} {}: {}",
                result.to_version,
                result.status.as_str(),
                result.reason.as_deref().unwrap_or("no reason given")
            )))
        }
    }
}

fn describe(r: &OtaResult) -> String {
    let from = r.from_version.as_deref().unwrap_or("?");
    match r.status {
        OtaStatus::Updated => format!(
            "OTA {}: {from} → {} ({}{}, {:.1} s)",
            r.device,
            r.to_version,
            crate::engine::text::size(r.sent),
            if r.compressed { " gzip" } else { "" },
            r.seconds
        ),
        s => format!("OTA {} {from} → {} {}: {}", r.device, r.to_version, s.as_str(), r.reason.as_deref().unwrap_or("")),
    }
}

/// One audit entry per device of a bulk update.
fn audit_one(inner: &Inner, actor: &Actor, r: &OtaResult) {
    let Some(spec) = command::spec("esphome_ota") else { return };
    let mut draft = AuditDraft::for_command(spec);
    draft.resource = Some(Resource::new("esphome_device", None, Some(r.device.clone())));
    draft.description = format!("bulk {}", describe(r));
    draft.changes.push(Change::new("version", r.from_version.clone(), Some(r.to_version.clone())));
    let (status, error) = match r.status {
        OtaStatus::Updated => (Status::Success, None),
        OtaStatus::Cancelled => (Status::Cancelled, r.reason.clone()),
        _ => (Status::Failure, r.reason.clone()),
    };
    if let Err(e) = audit::record(inner, actor, spec.name, draft, status, error) {
        tracing::error!(error = %e, device = %r.device, "could not audit a bulk OTA result");
    }
}

pub(crate) async fn ota_bulk(
    inner: &Inner,
    ctx: &mut Ctx,
    firmware_ref: &str,
    targets: &str,
    concurrency: Option<u32>,
    confirm_secs: Option<u32>,
) -> EngineResult<Outcome> {
    ctx.resource("esphome_bulk_ota", None, Some(targets.to_string()));
    let fw = registry::firmware_find(&inner.store, firmware_ref)?;
    let all = registry::list(&inner.store)?;
    let targets = &crate::engine::sites::targets::expand_esphome(&inner.store, "targets", targets)?;
    let chosen = bulk::select(&all, &fw, &Targets::parse(targets))
        .map_err(|n| EngineError::invalid("targets", n, "known device names, site:S, `outdated` or `online`"))?;
    if chosen.is_empty() {
        return Err(EngineError::invalid("targets", targets, &format!("at least one {} device to update", fw.platform)));
    }
    let (raw, gz) = images(inner, &fw).await?;
    let confirm = confirm_window(inner, confirm_secs);
    let mut jobs = Vec::new();
    let mut flags = Vec::new();
    for d in chosen {
        let prepared = (|| -> EngineResult<Job> {
            let password = ota_password(inner, &ctx.actor, &d)?;
            let key = api_key(inner, &ctx.actor, &d)?;
            let cancel = cancel_flag(inner, &d.name)?;
            flags.push(d.name.clone());
            Ok(Job { device: d.clone(), fw: fw.clone(), raw: raw.clone(), gz: gz.clone(), password, key, cancel, confirm })
        })();
        jobs.push(prepared.map_err(|e| bulk::not_prepared(&d, &fw, e.to_string())));
    }
    ctx.change("version", None, Some(fw.version.clone()));
    inner.store.flush()?;
    ctx.release_gate();
    let net = net(inner)?;
    let width = concurrency.unwrap_or(inner.live.get().esphome.ota_concurrency).clamp(1, 32) as usize;
    let actor = ctx.actor.clone();
    let results = bulk::run(&net, jobs, width, |r| audit_one(inner, &actor, r)).await;
    for n in flags {
        release_flag(inner, &n);
    }
    let summary = super::ota_summary(&results);
    ctx.describe(format!("bulk OTA to {} ({}, {width} at a time): {summary}", fw.version, plural(results.len(), "device", "devices")));
    if results.iter().any(|r| r.status != OtaStatus::Updated) {
        ctx.severity(Severity::Low);
    }
    if results.iter().any(|r| r.status == OtaStatus::Cancelled) {
        ctx.cancelled(format!("bulk OTA to {} cancelled: {summary}", fw.version));
    }
    Ok(Outcome::Esphome(EsphomeOutcome::EsphomeOta { results }))
}

pub(crate) fn ota_cancel(inner: &Inner, ctx: &mut Ctx, device: Option<String>) -> EngineResult<Outcome> {
    ctx.resource("esphome_device", None, device.clone());
    let map = inner.esphome.ota.lock().map_err(|_| EngineError::Other("OTA state poisoned".into()))?;
    let names: Vec<String> = match &device {
        Some(d) if !map.contains_key(d) => {
            return Err(EngineError::invalid("device", d, "a device with an OTA in progress"));
        }
        Some(d) => vec![d.clone()],
        None => map.keys().cloned().collect(),
    };
    for n in &names {
        if let Some(f) = map.get(n) {
            f.store(true, Ordering::Relaxed);
        }
    }
    let msg = if names.is_empty() { "no OTA is running".to_string() } else { format!("cancelling OTA of {}", names.join(", ")) };
    ctx.describe(msg.clone());
    Ok(Outcome::done(msg))
}
