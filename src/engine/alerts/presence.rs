//! Device presence: the rules `esphome_offline`, `wled_offline` and
//! `fpp_offline` read the stored `online` of each device, which otherwise
//! changes only when something touches the device (a log stream, a pane or
//! CLI listing it). This task, started with the alerts runner, probes every
//! device of a kind an enabled rule watches every `[alerts]
//! presence_interval_secs`, so a device that drops off opens its alert with
//! nobody looking, and one that comes back resolves it.
//!
//! A probe is a read: it is not audited. The stored state is written only
//! when it changes (and `last_seen` on every answer); a change of `online`
//! is broadcast (`EsphomeDevicesChanged`, `LightsLink`), which starts an
//! alerts round and refreshes the panes. Probes run without the engine
//! (it is held weakly, and only to plan and to record), a few at once,
//! each within [`PROBE_TIMEOUT`].

use super::facts::Needs;
use crate::engine::esphome::api::probe;
use crate::engine::esphome::registry;
use crate::engine::lights::http::Http;
use crate::engine::lights::inventory::{FppHost, Inventory, WledDevice};
use crate::engine::lights::{fpp, wled};
use crate::engine::{EngineResult, EsphomeEvent, Event, Inner, LightsEvent};
use chrono::Utc;
use futures::StreamExt;
use std::sync::Weak;
use std::time::Duration;

/// Probes in flight at once: enough for a house full of devices within a
/// few seconds, few enough not to flood a small Wi-Fi network.
const CONCURRENCY: usize = 8;
/// A device that does not answer within this is offline for this round.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What to ask, found by name in the store when the answer is recorded.
enum Target {
    Esphome { name: String, host: String, port: u16, encrypted: bool },
    Wled(WledDevice),
    Fpp(FppHost),
}

impl Target {
    fn label(&self) -> String {
        match self {
            Target::Esphome { name, host, port, .. } => format!("ESPHome {name} ({host}:{port})"),
            Target::Wled(d) => wled::client::label(d),
            Target::Fpp(h) => fpp::client::label(h),
        }
    }
}

/// One probe's answer. `error` set with `online`: the device answered, but
/// not as homedeck expects (e.g. it wants encryption and has no key here).
struct Answer {
    online: bool,
    error: Option<String>,
}

pub(crate) async fn run(weak: Weak<Inner>) {
    loop {
        let (targets, http, interval) = {
            let Some(inner) = weak.upgrade() else { return };
            let interval = inner.alerts.opts.get().presence_interval;
            match plan(&inner) {
                Ok(targets) => (targets, inner.lights.http.clone(), interval),
                Err(e) => {
                    tracing::warn!(error = %e, "presence round could not list the devices");
                    (Vec::new(), inner.lights.http.clone(), interval)
                }
            }
        };
        if !targets.is_empty() {
            let answers: Vec<(Target, Answer)> = futures::stream::iter(targets)
                .map(|t| {
                    let http = http.clone();
                    async move {
                        let a = ask(&t, &http).await;
                        (t, a)
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            let Some(inner) = weak.upgrade() else { return };
            record(&inner, answers);
        }
        tokio::time::sleep(interval).await;
    }
}

/// The devices of the kinds an enabled rule watches. ESPHome devices whose
/// log stream is open are left out: the stream already tracks their link.
fn plan(inner: &Inner) -> EngineResult<Vec<Target>> {
    let needs = Needs::of(&inner.alerts.opts.get().rules);
    let mut out = Vec::new();
    if needs.esphome {
        let streaming = streaming(inner);
        for d in registry::list(&inner.store)?.into_iter().filter(|d| !streaming.contains(&d.name)) {
            let encrypted = d.key_secret.is_some();
            out.push(Target::Esphome { name: d.name, host: d.host, port: d.port, encrypted });
        }
    }
    if needs.wled || needs.fpp {
        let inv = Inventory::open(&inner.store)?;
        if needs.wled {
            out.extend(inv.devices()?.into_iter().map(Target::Wled));
        }
        if needs.fpp {
            out.extend(inv.hosts()?.into_iter().map(Target::Fpp));
        }
    }
    Ok(out)
}

fn streaming(inner: &Inner) -> Vec<String> {
    inner.esphome.logs.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// Ask one device, within [`PROBE_TIMEOUT`]. Every error names the device
/// and its address.
async fn ask(t: &Target, http: &Http) -> Answer {
    let asked = async {
        match t {
            Target::Esphome { host, port, encrypted, .. } => match probe::hello(host, *port, *encrypted, PROBE_TIMEOUT).await {
                Ok(()) => Ok(None),
                Err(e) if probe::answered_otherwise(&e) => Ok(Some(format!("{}: {e}", t.label()))),
                Err(e) => Err(format!("{}: {e}", t.label())),
            },
            // The lights client's errors already name the device and URL.
            Target::Wled(d) => wled::client::info(http, d).await.map(|_| None).map_err(|e| e.to_string()),
            Target::Fpp(h) => fpp::client::status(http, h).await.map(|_| None).map_err(|e| e.to_string()),
        }
    };
    match tokio::time::timeout(PROBE_TIMEOUT + Duration::from_secs(1), asked).await {
        Ok(Ok(error)) => Answer { online: true, error },
        Ok(Err(error)) => Answer { online: false, error: Some(error) },
        Err(_) => Answer { online: false, error: Some(format!("{} did not answer within {} s", t.label(), PROBE_TIMEOUT.as_secs())) },
    }
}

/// Store what changed and say so. A device removed meanwhile is skipped,
/// as is an ESPHome device whose log stream opened meanwhile.
fn record(inner: &Inner, answers: Vec<(Target, Answer)>) {
    let mut esphome_changed = false;
    let streaming = streaming(inner);
    for (t, a) in answers {
        let result = match &t {
            Target::Esphome { name, .. } if streaming.contains(name) => Ok(false),
            Target::Esphome { name, .. } => record_esphome(inner, name, &a).inspect(|flipped| esphome_changed |= flipped),
            Target::Wled(d) => record_wled(inner, &d.name, &a),
            Target::Fpp(h) => record_fpp(inner, &h.name, &a),
        };
        match result {
            Ok(true) if !a.online => tracing::info!(device = %t.label(), error = a.error.as_deref().unwrap_or(""), "device went offline"),
            Ok(true) => tracing::info!(device = %t.label(), "device is back online"),
            Ok(false) => {}
            Err(e) => tracing::warn!(device = %t.label(), error = %e, "could not record the device's presence"),
        }
    }
    if esphome_changed {
        inner.emit(Event::Esphome(EsphomeEvent::EsphomeDevicesChanged));
    }
}

/// The fields a probe sets, on any of the three records. True when they
/// differ from what is stored (a write is needed beyond `last_seen`).
fn differs(online: bool, last_error: &Option<String>, a: &Answer) -> bool {
    online != a.online || *last_error != a.error
}

/// Returns whether `online` flipped.
fn record_esphome(inner: &Inner, name: &str, a: &Answer) -> EngineResult<bool> {
    let Some(d) = registry::find(&inner.store, name)? else { return Ok(false) };
    if !a.online && !differs(d.online, &d.last_error, a) {
        return Ok(false);
    }
    let now = Utc::now();
    registry::update_in(&registry::devices(&inner.store)?, name, |d| {
        d.online = a.online;
        d.last_error = a.error.clone();
        if a.online {
            d.last_seen = Some(now);
        }
    })?;
    Ok(d.online != a.online)
}

fn record_wled(inner: &Inner, name: &str, a: &Answer) -> EngineResult<bool> {
    let inv = Inventory::open(&inner.store)?;
    let Some(mut d) = inv.device(name)? else { return Ok(false) };
    if !a.online && !differs(d.online, &d.last_error, a) {
        return Ok(false);
    }
    let flipped = d.online != a.online;
    d.online = a.online;
    d.last_error = a.error.clone();
    if a.online {
        d.last_seen = Some(Utc::now());
    }
    inv.put_device(&d)?;
    if flipped {
        link(inner, "wled", name, a);
    }
    Ok(flipped)
}

fn record_fpp(inner: &Inner, name: &str, a: &Answer) -> EngineResult<bool> {
    let inv = Inventory::open(&inner.store)?;
    let Some(mut h) = inv.hosts()?.into_iter().find(|h| h.name == name) else { return Ok(false) };
    if !a.online && !differs(h.online, &h.last_error, a) {
        return Ok(false);
    }
    let flipped = h.online != a.online;
    h.online = a.online;
    h.last_error = a.error.clone();
    if a.online {
        h.last_seen = Some(Utc::now());
    }
    inv.put_host(&h)?;
    if flipped {
        link(inner, "fpp", name, a);
    }
    Ok(flipped)
}

fn link(inner: &Inner, kind: &str, name: &str, a: &Answer) {
    let detail = a.error.clone().unwrap_or_else(|| "answering again".into());
    inner.emit(Event::Lights(LightsEvent::LightsLink { kind: kind.into(), device: name.into(), online: a.online, detail }));
}
