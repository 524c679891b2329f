//! Live log streams: one background task per device that connects,
//! subscribes, forwards lines as batched events, answers the device's pings,
//! pings it in turn, and reconnects with backoff when the link drops (a
//! device rebooting mid-stream comes back on its own).

use crate::engine::EsphomeEvent;
use super::api::{ApiError, ConnectOptions, Connection, messages as m};
use super::registry;
use super::types::{Device, LogLevel, LogRecord};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use chrono::Utc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

/// Lines per event at most, so one event stays a bounded size.
const BATCH: usize = 2048;
const PING_EVERY: Duration = Duration::from_secs(20);
/// No byte from the device for this long means the link is dead.
const SILENCE: Duration = Duration::from_secs(60);
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What a stream needs from the engine: somewhere to say things and the
/// devices tree to record last-seen/online in.
#[derive(Clone)]
pub struct Net {
    pub events: broadcast::Sender<Event>,
    pub devices: sled::Tree,
    pub timeout: Duration,
}

impl Net {
    pub fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    /// Record that the device answered (or did not).
    pub fn seen(&self, name: &str, online: bool, error: Option<String>) {
        let now = Utc::now();
        let r = registry::update_in(&self.devices, name, |d| {
            d.online = online;
            if online {
                d.last_seen = Some(now);
                d.last_error = None;
            } else {
                d.last_error = error.clone();
            }
        });
        if let Err(e) = r {
            tracing::warn!(device = name, error = %e, "could not record device state");
        }
    }
}

pub fn options(device: &Device, key: Option<SecretValue>, timeout: Duration) -> ConnectOptions {
    ConnectOptions { host: device.host.clone(), port: device.port, key, timeout }
}

/// A running stream; dropping the sender stops it.
pub struct LogStream {
    pub stop: watch::Sender<bool>,
    pub level: LogLevel,
}

pub fn spawn(net: Net, device: Device, key: Option<SecretValue>, level: LogLevel) -> LogStream {
    let (stop, rx) = watch::channel(false);
    tokio::spawn(run(net, device, key, level, rx));
    LogStream { stop, level }
}

async fn run(net: Net, device: Device, key: Option<SecretValue>, level: LogLevel, mut stop: watch::Receiver<bool>) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let started = Instant::now();
        // `stream` watches the stop itself, in every phase: racing it against
        // the stop here would drop it in the middle of its goodbye.
        let result = stream(&net, &device, key.clone(), level, &mut stop).await;
        match result {
            Ok(()) => {
                net.emit(Event::Esphome(EsphomeEvent::EsphomeLink { device: device.name.clone(), online: false, detail: "stopped".into() }));
                return;
            }
            Err(e) => {
                let detail = e.to_string();
                tracing::info!(device = %device.name, error = %detail, "log stream dropped");
                net.seen(&device.name, false, Some(detail.clone()));
                net.emit(Event::Esphome(EsphomeEvent::EsphomeLink {
                    device: device.name.clone(),
                    online: false,
                    detail: format!("{detail}; retrying in {:.1} s", backoff.as_secs_f32()),
                }));
            }
        }
        if started.elapsed() > Duration::from_secs(10) {
            backoff = BACKOFF_MIN;
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped(&mut stop) => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Resolves once a stop is requested (or the engine dropped the stream).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn stream(
    net: &Net,
    device: &Device,
    key: Option<SecretValue>,
    level: LogLevel,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), ApiError> {
    let opts = options(device, key, net.timeout);
    let mut conn = tokio::select! {
        c = Connection::connect(&opts) => c?,
        // Stopped before a link existed: there is nobody to say goodbye to.
        _ = stopped(stop) => return Ok(()),
    };
    conn.subscribe_logs(level as i32).await?;
    net.seen(&device.name, true, None);
    let how = if conn.encrypted() { "encrypted" } else { "plaintext" };
    net.emit(Event::Esphome(EsphomeEvent::EsphomeLink { device: device.name.clone(), online: true, detail: format!("streaming logs ({how})") }));
    let mut last_rx = Instant::now();
    let mut last_seen_write = Instant::now();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            r = conn.read_more() => {
                r?;
                last_rx = Instant::now();
            }
            _ = ping.tick() => {
                if last_rx.elapsed() > SILENCE {
                    return Err(ApiError::Timeout(format!("(no answer from the device for {} s)", SILENCE.as_secs())));
                }
                conn.ping().await?;
                continue;
            }
            _ = stopped(stop) => {
                conn.disconnect().await;
                return Ok(());
            }
        }
        let now = Utc::now();
        while let Some((t, body)) = conn.pop()? {
            if t == m::SUBSCRIBE_LOGS_RESPONSE {
                let msg: m::SubscribeLogsResponse = m::decode("log line", &body).map_err(ApiError::Malformed)?;
                batch.push(LogRecord {
                    at: now,
                    level: LogLevel::from_number(msg.level),
                    text: String::from_utf8_lossy(&msg.message).into_owned(),
                });
                if batch.len() >= BATCH {
                    net.emit(Event::Esphome(EsphomeEvent::EsphomeLogs { device: device.name.clone(), lines: std::mem::take(&mut batch) }));
                }
            } else {
                conn.housekeeping(t).await?;
            }
        }
        if !batch.is_empty() {
            net.emit(Event::Esphome(EsphomeEvent::EsphomeLogs { device: device.name.clone(), lines: std::mem::take(&mut batch) }));
        }
        if last_seen_write.elapsed() > Duration::from_secs(5) {
            last_seen_write = Instant::now();
            net.seen(&device.name, true, None);
        }
    }
}
