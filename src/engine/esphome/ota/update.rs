//! One device's update, start to finish: upload with progress events, wait
//! for the reboot, then ask the device for its version until it answers with
//! the firmware's (updated) or the confirmation window closes (failed).

use crate::engine::EsphomeEvent;
use super::client::{self, Upload};
use crate::engine::esphome::api::Connection;
use crate::engine::esphome::logs::{self, Net};
use crate::engine::esphome::registry;
use crate::engine::esphome::types::{Device, Firmware, OtaPhase, OtaResult, OtaStatus};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Everything one update needs, gathered (vault reads included) before the
/// engine's write gate is let go.
pub struct Job {
    pub device: Device,
    pub fw: Firmware,
    pub raw: Arc<Vec<u8>>,
    pub gz: Arc<Vec<u8>>,
    pub password: Option<SecretValue>,
    pub key: Option<SecretValue>,
    pub cancel: Arc<AtomicBool>,
    pub confirm: Duration,
}

pub async fn flash(net: &Net, job: Job) -> OtaResult {
    let started = Instant::now();
    let name = job.device.name.clone();
    // What it runs now, from the device itself when it answers (the stored
    // version may be stale or, for a device added by hand, unknown).
    let from_version = running_version(net, &job).await.or_else(|| job.device.running_version().map(String::from));
    let mut result = OtaResult {
        device: name.clone(),
        status: OtaStatus::Failed,
        reason: None,
        from_version,
        to_version: job.fw.version.clone(),
        sent: 0,
        compressed: false,
        seconds: 0.0,
    };
    let progress = |phase, sent, total| {
        net.emit(Event::Esphome(EsphomeEvent::EsphomeOtaProgress { device: name.clone(), phase, sent, total }));
    };
    progress(OtaPhase::Connecting, 0, job.raw.len() as u64);
    let upload = Upload {
        host: job.device.host.clone(),
        port: job.device.ota_port(),
        raw: job.raw.clone(),
        gz: Some(job.gz.clone()),
        password: job.password.clone(),
        timeout: net.timeout,
        cancel: job.cancel.clone(),
    };
    let mut last_pct = u64::MAX;
    let uploaded = client::run(upload, |sent, total| {
        let pct = sent * 100 / total.max(1);
        if pct != last_pct {
            last_pct = pct;
            progress(OtaPhase::Uploading, sent, total);
        }
    })
    .await;
    match uploaded {
        Err(e) => {
            result.status = if job.cancel.load(Ordering::Relaxed) { OtaStatus::Cancelled } else { OtaStatus::Failed };
            result.reason = Some(e);
        }
        Ok(up) => {
            result.sent = up.sent;
            result.compressed = up.compressed;
            progress(OtaPhase::Rebooting, up.sent, up.sent);
            match confirm(net, &job).await {
                Ok(()) => result.status = OtaStatus::Updated,
                Err(e) => result.reason = Some(e),
            }
        }
    }
    result.seconds = started.elapsed().as_secs_f64();
    progress(OtaPhase::Done, result.sent, result.sent);
    net.emit(Event::Esphome(EsphomeEvent::EsphomeOtaDone { result: result.clone() }));
    result
}

async fn ask_version(net: &Net, job: &Job) -> Result<String, crate::engine::esphome::api::ApiError> {
    let opts = logs::options(&job.device, job.key.clone(), net.timeout.min(Duration::from_secs(3)));
    let mut c = Connection::connect(&opts).await?;
    let info = c.device_info().await?;
    c.disconnect().await;
    Ok(if info.project_version.is_empty() { info.esphome_version } else { info.project_version })
}

async fn running_version(net: &Net, job: &Job) -> Option<String> {
    ask_version(net, job).await.ok().filter(|v| !v.is_empty())
}

/// Poll device info until the device reports the new version.
async fn confirm(net: &Net, job: &Job) -> Result<(), String> {
    let deadline = Instant::now() + job.confirm;
    let want = &job.fw.version;
    tokio::time::sleep(Duration::from_millis(300)).await;
    loop {
        net.emit(Event::Esphome(EsphomeEvent::EsphomeOtaProgress {
            device: job.device.name.clone(),
            phase: OtaPhase::Confirming,
            sent: 0,
            total: 0,
        }));
        let opts = logs::options(&job.device, job.key.clone(), net.timeout.min(Duration::from_secs(3)));
        let answer = async {
            let mut c = Connection::connect(&opts).await?;
            let info = c.device_info().await?;
            c.disconnect().await;
            Ok::<_, crate::engine::esphome::api::ApiError>(info)
        };
        let last = match answer.await {
            Ok(info) => {
                let running = if info.project_version.is_empty() { &info.esphome_version } else { &info.project_version };
                if running == want {
                    let (v, pv) = (info.esphome_version.clone(), info.project_version.clone());
                    let _ = registry::update_in(&net.devices, &job.device.name, |d| {
                        d.version = Some(v.clone());
                        d.project_version = (!pv.is_empty()).then(|| pv.clone());
                        d.online = true;
                        d.last_seen = Some(chrono::Utc::now());
                        d.last_error = None;
                    });
                    return Ok(());
                }
                format!("it answers with version {running}")
            }
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "uploaded, but the device did not come back with version {want} within {} s ({last})",
                job.confirm.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
