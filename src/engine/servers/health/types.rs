//! Health figures as the engine stores, broadcasts and front ends draw them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuCounters {
    pub total: u64,
    pub idle: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disk {
    pub fs: String,
    pub mount: String,
    pub size_kb: u64,
    pub used_kb: u64,
    pub pct: f32,
}

/// One probe of one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub time: DateTime<Utc>,
    /// None on a probe with no earlier reading to diff against.
    pub cpu_pct: Option<f32>,
    pub mem_total_kb: u64,
    pub mem_used_kb: u64,
    pub swap_total_kb: u64,
    pub swap_used_kb: u64,
    pub load: [f32; 3],
    pub uptime_secs: u64,
    pub procs: u32,
    pub cores: u32,
    pub disks: Vec<Disk>,
}

impl Sample {
    pub fn mem_pct(&self) -> f32 {
        pct(self.mem_used_kb, self.mem_total_kb)
    }
    pub fn swap_pct(&self) -> f32 {
        pct(self.swap_used_kb, self.swap_total_kb)
    }
    pub fn disk_max_pct(&self) -> f32 {
        self.disks.iter().map(|d| d.pct).fold(0.0, f32::max)
    }
}

fn pct(used: u64, total: u64) -> f32 {
    if total == 0 { 0.0 } else { (used as f64 * 100.0 / total as f64) as f32 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    Up,
    Degraded,
    Down,
    /// Not polled yet, or cannot log in while the vault is locked.
    Unknown,
}

impl HealthState {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Up => "up",
            HealthState::Degraded => "degraded",
            HealthState::Down => "down",
            HealthState::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    pub server: String,
    pub time: DateTime<Utc>,
    pub state: HealthState,
    /// Why not `up`: "disk / at 95 % (limit 90 %)", "unreachable: …".
    pub reasons: Vec<String>,
    pub sample: Option<Sample>,
    /// How long the probe took, connection included.
    pub probe_ms: u64,
}

/// One minute of history (what sparklines and charts draw).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub time: DateTime<Utc>,
    pub cpu: Option<f32>,
    pub mem: f32,
    pub swap: f32,
    pub load1: f32,
    pub disk: f32,
}

impl Point {
    pub fn of(s: &Sample) -> Point {
        Point { time: s.time, cpu: s.cpu_pct, mem: s.mem_pct(), swap: s.swap_pct(), load1: s.load[0], disk: s.disk_max_pct() }
    }
}
