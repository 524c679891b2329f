//! Live state of watched WLED devices: one task per device keeps the
//! device's `/ws` open (the firmware pushes `{state, info}` on every change);
//! while it is down the task polls `/json/si` and retries the socket with
//! exponential back-off. Each change updates the runtime's latest-state map
//! and is broadcast as [`Event::Lights(LightsEvent::WledLive)`].
//!
//! Tasks hold only a `Weak` to the engine, so they end with it.

use crate::engine::LightsEvent;
use super::model::{self, StateInfo};
use super::{Catalog, client, summarize};
use crate::engine::Inner;
use crate::engine::event::Event;
use crate::engine::lights::http::base_url;
use crate::engine::lights::inventory::{Inventory, WledDevice};
use crate::engine::lights::views::{Link, LiveState};
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Back-off bounds for reconnecting the socket.
pub const BACKOFF_MIN: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// How often `/json/si` is polled while the socket is down.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// A socket that stayed up this long resets the back-off.
const STABLE: Duration = Duration::from_secs(10);
/// Largest `/ws` message accepted (a state+info is 2–4 KB).
const MAX_MESSAGE: usize = 256 * 1024;

/// The next back-off after `d` failed.
pub fn next_backoff(d: Duration) -> Duration {
    (d * 2).min(BACKOFF_MAX)
}

/// Start (or restart) the live task of one device.
pub fn watch(weak: &Weak<Inner>, name: &str) {
    let Some(inner) = weak.upgrade() else { return };
    let task = tokio::spawn(run(weak.clone(), name.to_string()));
    inner.lights.add_task(format!("wled:{name}"), task.abort_handle());
}

pub fn unwatch(inner: &Inner, name: &str) {
    inner.lights.stop_task(&format!("wled:{name}"));
    if let Ok(mut m) = inner.lights.live.lock() {
        m.remove(name);
    }
}

/// The device record, re-read each round so an edited address is used.
fn device(weak: &Weak<Inner>, name: &str) -> Option<(Arc<Inner>, WledDevice)> {
    let inner = weak.upgrade()?;
    let d = Inventory::open(&inner.store).ok()?.device(name).ok()??;
    Some((inner, d))
}

async fn run(weak: Weak<Inner>, name: String) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let Some((inner, d)) = device(&weak, &name) else { return };
        drop(inner);
        let started = Instant::now();
        let result = session(&weak, &d).await;
        if started.elapsed() >= STABLE {
            backoff = BACKOFF_MIN;
        }
        if let Err(e) = &result {
            tracing::debug!(device = %name, error = %e, "wled /ws down");
        }
        // Poll until it is time to try the socket again.
        let retry_at = Instant::now() + backoff;
        loop {
            let Some((inner, d)) = device(&weak, &name) else { return };
            match client::state_info(&inner.lights.http, &d).await {
                Ok(si) => publish(&inner, &d, &si, Link::Polling),
                Err(e) => offline(&inner, &d, e.to_string()),
            }
            drop(inner);
            let now = Instant::now();
            if now >= retry_at {
                break;
            }
            tokio::time::sleep(POLL_EVERY.min(retry_at - now)).await;
        }
        backoff = next_backoff(backoff);
    }
}

/// One `/ws` connection, until it fails or closes.
async fn session(weak: &Weak<Inner>, d: &WledDevice) -> Result<(), String> {
    let url = format!("{}/ws", base_url(&d.address).map_err(|e| e.to_string())?).replacen("http://", "ws://", 1);
    let (mut ws, _) = tokio::time::timeout(Duration::from_secs(5), tokio_tungstenite::connect_async(&url))
        .await
        .map_err(|_| format!("{url}: connect timed out"))?
        .map_err(|e| format!("{url}: {e}"))?;
    ensure_catalog(weak, d).await;
    while let Some(msg) = ws.next().await {
        let text = match msg.map_err(|e| e.to_string())? {
            Message::Text(t) => t,
            Message::Close(_) => return Ok(()),
            Message::Ping(p) => {
                let _ = ws.send(Message::Pong(p)).await;
                continue;
            }
            _ => continue,
        };
        if text.len() > MAX_MESSAGE || text == "pong" {
            continue;
        }
        let Some(inner) = weak.upgrade() else { return Ok(()) };
        match model::parse::<StateInfo>("wled /ws", text.as_bytes()) {
            Ok(si) => publish(&inner, d, &si, Link::Live),
            // `{"error":3}` (busy) and other non-state messages.
            Err(e) if !text.contains("\"state\"") => tracing::trace!(device = %d.name, %e, "ws message skipped"),
            Err(e) => tracing::warn!(device = %d.name, %e, "bad /ws state"),
        }
    }
    Ok(())
}

/// Effect and palette names, fetched once per device.
async fn ensure_catalog(weak: &Weak<Inner>, d: &WledDevice) {
    let Some(inner) = weak.upgrade() else { return };
    if inner.lights.catalogs.lock().map(|c| c.contains_key(&d.name)).unwrap_or(true) {
        return;
    }
    if let Ok(full) = client::full(&inner.lights.http, d).await {
        remember_catalog(&inner, &d.name, Catalog { effects: full.effects, palettes: full.palettes });
    }
}

pub fn remember_catalog(inner: &Inner, name: &str, cat: Catalog) {
    if let Ok(mut c) = inner.lights.catalogs.lock() {
        c.insert(name.to_string(), Arc::new(cat));
    }
}

pub fn catalog_of(inner: &Inner, name: &str) -> Option<Arc<Catalog>> {
    inner.lights.catalogs.lock().ok().and_then(|c| c.get(name).cloned())
}

/// Store a new state and tell subscribers. The inventory record is only
/// rewritten when the device comes back online, not on every message.
pub fn publish(inner: &Inner, d: &WledDevice, si: &StateInfo, link: Link) {
    let live = summarize(&si.state, catalog_of(inner, &d.name).as_deref(), link);
    if !d.online
        && let Ok(inv) = Inventory::open(&inner.store)
        && let Ok(Some(mut rec)) = inv.device(&d.name)
    {
        super::refresh_device(&mut rec, si);
        let _ = inv.put_device(&rec);
    }
    set_live(inner, d, live);
}

pub fn offline(inner: &Inner, d: &WledDevice, error: String) {
    let mut live = inner.lights.live_of(&d.name).unwrap_or_else(|| LiveState {
        link: Link::Offline,
        on: false,
        bri: 0,
        color: "000000".into(),
        effect: "—".into(),
        palette: "—".into(),
        speed: 0,
        intensity: 0,
        preset: -1,
        playlist: -1,
        segments: 0,
        updated: chrono::Utc::now(),
        error: None,
    });
    live.link = Link::Offline;
    live.error = Some(error);
    live.updated = chrono::Utc::now();
    // The record first, so whoever reacts to the event reads it offline.
    if d.online
        && let Ok(inv) = Inventory::open(&inner.store)
        && let Ok(Some(mut rec)) = inv.device(&d.name)
    {
        rec.online = false;
        let _ = inv.put_device(&rec);
    }
    set_live(inner, d, live);
}

fn set_live(inner: &Inner, d: &WledDevice, live: LiveState) {
    let changed = match inner.lights.live.lock() {
        Ok(mut m) => {
            let same = m.get(&d.name).is_some_and(|old| same_state(old, &live));
            m.insert(d.name.clone(), live.clone());
            !same
        }
        Err(_) => true,
    };
    if changed {
        inner.emit(Event::Lights(LightsEvent::WledLive { device: d.name.clone(), live }));
    }
}

/// Equal apart from when it was seen.
fn same_state(a: &LiveState, b: &LiveState) -> bool {
    let mut b2 = b.clone();
    b2.updated = a.updated;
    *a == b2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let mut d = BACKOFF_MIN;
        let mut seen = vec![d];
        for _ in 0..8 {
            d = next_backoff(d);
            seen.push(d);
        }
        assert_eq!(seen[1], Duration::from_secs(2));
        assert_eq!(seen[5], Duration::from_secs(32));
        assert_eq!(*seen.last().unwrap(), BACKOFF_MAX);
    }
}
