//! Bulk updates: pick the targets (named devices, every outdated one, or
//! every online one of the firmware's platform), skip the offline ones,
//! refuse platform mismatches, and run the rest with bounded concurrency.
//! Each device's result is audited on its own, as well as the bulk command.

use super::update::{self, Job};
use crate::engine::esphome::firmware::check_platform;
use crate::engine::esphome::logs::Net;
use crate::engine::esphome::types::{Device, Firmware, OtaResult, OtaStatus};
use futures::StreamExt;
use std::time::Duration;

/// Which devices a bulk update is for.
pub enum Targets {
    Named(Vec<String>),
    Outdated,
    Online,
}

impl Targets {
    pub fn parse(s: &str) -> Targets {
        match s.trim() {
            "outdated" => Targets::Outdated,
            "online" => Targets::Online,
            list => Targets::Named(split_names(list)),
        }
    }
}

pub fn split_names(list: &str) -> Vec<String> {
    list.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()).map(String::from).collect()
}

/// The devices `targets` stands for, in name order.
pub fn select(all: &[Device], fw: &Firmware, targets: &Targets) -> Result<Vec<Device>, String> {
    let same_platform = |d: &&Device| d.platform.as_deref() == Some(fw.platform.as_str());
    let mut out: Vec<Device> = match targets {
        Targets::Named(names) => {
            let mut v = Vec::new();
            for n in names {
                match all.iter().find(|d| &d.name == n) {
                    Some(d) => v.push(d.clone()),
                    None => return Err(n.clone()),
                }
            }
            v
        }
        Targets::Outdated => all
            .iter()
            .filter(same_platform)
            .filter(|d| d.running_version() != Some(fw.version.as_str()))
            .cloned()
            .collect(),
        Targets::Online => all.iter().filter(same_platform).filter(|d| d.online).cloned().collect(),
    };
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}

fn skipped(d: &Device, fw: &Firmware, status: OtaStatus, reason: String) -> OtaResult {
    OtaResult {
        device: d.name.clone(),
        status,
        reason: Some(reason),
        from_version: d.running_version().map(String::from),
        to_version: fw.version.clone(),
        sent: 0,
        compressed: false,
        seconds: 0.0,
    }
}

/// A device is online if its API port accepts a connection quickly.
async fn reachable(d: &Device) -> Result<(), String> {
    let addr = format!("{}:{}", d.host, d.port);
    match tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("offline: {addr}: {e}")),
        Err(_) => Err(format!("offline: {addr} did not answer within 2 s")),
    }
}

/// Run every job (or the reason it cannot run) with at most `concurrency`
/// uploads at once; `done` sees each result as it lands.
pub async fn run(
    net: &Net,
    jobs: Vec<Result<Job, OtaResult>>,
    concurrency: usize,
    mut done: impl FnMut(&OtaResult),
) -> Vec<OtaResult> {
    let mut results: Vec<OtaResult> = Vec::new();
    let mut runnable = Vec::new();
    for j in jobs {
        match j {
            Ok(job) => runnable.push(job),
            Err(r) => {
                done(&r);
                results.push(r);
            }
        }
    }
    let mut stream = futures::stream::iter(runnable)
        .map(|job| async move {
            if let Err(why) = check_platform(&job.device, &job.fw) {
                return skipped(&job.device, &job.fw, OtaStatus::Failed, why.to_string());
            }
            if job.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return skipped(&job.device, &job.fw, OtaStatus::Cancelled, "cancelled before it started".into());
            }
            if let Err(why) = reachable(&job.device).await {
                return skipped(&job.device, &job.fw, OtaStatus::Skipped, why);
            }
            update::flash(net, job).await
        })
        .buffer_unordered(concurrency.max(1));
    while let Some(r) = stream.next().await {
        done(&r);
        results.push(r);
    }
    results.sort_by(|a, b| a.device.cmp(&b.device));
    results
}

/// A result for a device that could not even be prepared (vault, platform).
pub fn not_prepared(d: &Device, fw: &Firmware, reason: String) -> OtaResult {
    skipped(d, fw, OtaStatus::Failed, reason)
}
