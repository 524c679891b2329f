//! Server health: one probe (a short POSIX shell script over the shared SSH
//! connection, or run locally for `local`), judged against thresholds into
//! up / degraded / down with reasons, kept in memory for the newest figures
//! and in sled at one-minute resolution for charts.

pub mod history;
pub mod parse;
pub mod poller;
pub mod types;

use crate::engine::ServersEvent;
use super::model::Server;
use super::runner::{self, Program};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::EngineError;
use crate::engine::event::Event;
use chrono::Utc;
use std::time::Instant;
use types::{HealthReport, HealthState, Sample};

/// When a server counts as degraded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub disk_pct: f32,
    pub load_per_core: f32,
    pub mem_pct: f32,
}

/// Probe one server now and remember the result (memory, history, event).
pub(crate) async fn probe(inner: &Inner, server: &Server, actor: &Actor, force: bool) -> HealthReport {
    let start = Instant::now();
    let prev = inner.servers.cpu.lock().ok().and_then(|m| m.get(&server.name).copied());
    let program = Program::Shell(parse::script(prev.is_none()));
    let timeout = inner.servers.opts.get().connect_timeout * 2;
    let result = runner::capture(inner, server, actor, &program, force, timeout).await;
    let probe_ms = start.elapsed().as_millis() as u64;
    let report = match result {
        Ok((_, stdout, _)) => {
            let (sample, counters, missing) = parse::sample(&stdout, prev);
            if let (Some(c), Ok(mut m)) = (counters, inner.servers.cpu.lock()) {
                m.insert(server.name.clone(), c);
            }
            let (state, mut reasons) = judge(&sample, inner.servers.opts.get().thresholds);
            if !missing.is_empty() {
                reasons.push(format!("not reported: {}", missing.join(", ")));
            }
            HealthReport { server: server.name.clone(), time: Utc::now(), state, reasons, sample: Some(sample), probe_ms }
        }
        Err(e) => {
            let state = match e {
                EngineError::VaultLocked => HealthState::Unknown,
                _ => HealthState::Down,
            };
            let reason = match &e {
                EngineError::VaultLocked => "vault locked — cannot read the login secret".to_string(),
                other => other.to_string(),
            };
            HealthReport { server: server.name.clone(), time: Utc::now(), state, reasons: vec![reason], sample: None, probe_ms }
        }
    };
    if let Some(s) = &report.sample
        && let Err(e) = history::record(&inner.store, &server.name, s, inner.servers.opts.get().history_hours) {
            tracing::warn!(server = %server.name, error = %e, "could not store health history");
        }
    if let Ok(mut m) = inner.servers.latest.lock() {
        m.insert(server.name.clone(), report.clone());
    }
    inner.emit(Event::Servers(ServersEvent::ServerHealth { report: report.clone() }));
    report
}

/// Probe every server in `servers`, at most `poll_concurrency` at a time
/// (the `server_health` command and the background poller alike).
pub(crate) async fn probe_all(inner: &Inner, servers: Vec<Server>, actor: &Actor, force: bool) -> Vec<HealthReport> {
    use futures::StreamExt;
    let n = inner.servers.opts.get().poll_concurrency.max(1);
    let mut reports: Vec<HealthReport> =
        futures::stream::iter(servers).map(|s| async move { probe(inner, &s, actor, force).await }).buffer_unordered(n).collect().await;
    reports.sort_by(|a, b| (a.server != super::model::LOCAL, &a.server).cmp(&(b.server != super::model::LOCAL, &b.server)));
    reports
}

/// Up, or degraded with every reason that applies.
pub fn judge(s: &Sample, t: Thresholds) -> (HealthState, Vec<String>) {
    let mut reasons = Vec::new();
    for d in &s.disks {
        if d.pct > t.disk_pct {
            reasons.push(format!("disk {} at {:.0} % (limit {:.0} %)", d.mount, d.pct, t.disk_pct));
        }
    }
    let limit = s.cores as f32 * t.load_per_core;
    if s.load[0] > limit {
        reasons.push(format!("load {:.2} above {:.1} ({} cores × {})", s.load[0], limit, s.cores, t.load_per_core));
    }
    if s.mem_pct() > t.mem_pct {
        reasons.push(format!("memory at {:.0} % (limit {:.0} %)", s.mem_pct(), t.mem_pct));
    }
    let state = if reasons.is_empty() { HealthState::Up } else { HealthState::Degraded };
    (state, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use types::Disk;

    #[test]
    fn thresholds_name_their_reason() {
        let mut s = Sample {
            time: Utc::now(),
            cpu_pct: Some(5.0),
            mem_total_kb: 100,
            mem_used_kb: 50,
            swap_total_kb: 0,
            swap_used_kb: 0,
            load: [9.0, 1.0, 1.0],
            uptime_secs: 1,
            procs: 1,
            cores: 4,
            disks: vec![Disk { fs: "/dev/sda1".into(), mount: "/".into(), size_kb: 10, used_kb: 9, pct: 95.0 }],
        };
        let t = Thresholds { disk_pct: 90.0, load_per_core: 2.0, mem_pct: 95.0 };
        let (state, reasons) = judge(&s, t);
        assert_eq!(state, HealthState::Degraded);
        assert!(reasons[0].contains("disk / at 95 %"), "{reasons:?}");
        assert!(reasons[1].contains("load 9.00 above 8.0"), "{reasons:?}");
        s.load[0] = 1.0;
        s.disks[0].pct = 50.0;
        assert_eq!(judge(&s, t).0, HealthState::Up);
    }
}
