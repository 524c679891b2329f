//! What server commands return to front ends.

use super::health::types::{HealthReport, Point};
use super::model::Server;
use super::ssh::ExecStatus;
use serde::{Deserialize, Serialize};

/// ▁▂▃▄▅▆▇█ for 0–100 %, a space where no probe landed (shared by the
/// CLI table and the console's list).
pub fn sparkline(values: &[Option<f32>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| match v {
            Some(p) => BARS[((p.clamp(0.0, 100.0) / 100.0) * 7.0).round() as usize],
            None => ' ',
        })
        .collect()
}

/// A server as listed: the record, its newest health and the last hour of
/// CPU (one value per minute; None where no probe landed) for sparklines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerView {
    pub server: Server,
    pub health: Option<HealthReport>,
    pub cpu_hour: Vec<Option<f32>>,
}

/// `server test`: how the connection went and what is on the other end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    pub server: String,
    pub address: String,
    /// TCP connect + SSH handshake + login, in ms (0 for local).
    pub connect_ms: u64,
    /// One command's round trip over the open connection, in ms.
    pub round_trip_ms: u64,
    pub banner: String,
    pub host_key: Option<String>,
    /// True when this test pinned the key (first use).
    pub pinned_now: bool,
    pub os: String,
    pub kernel: String,
}

/// One server's part of a command run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecResult {
    pub server: String,
    #[serde(flatten)]
    pub status: ExecStatus,
    pub duration_ms: u64,
    /// Why the command could not run at all (unreachable, auth …).
    pub error: Option<String>,
    /// The last few KiB of output, secrets redacted.
    pub output_tail: String,
}

impl ExecResult {
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.status.exit_code == Some(0) && !self.status.cancelled && !self.status.timed_out
    }

    /// `exit 0`, `exit 2`, `cancelled`, `timed out`, `killed by TERM`, or the error.
    pub fn outcome(&self) -> String {
        if let Some(e) = &self.error {
            return format!("error: {e}");
        }
        if self.status.cancelled {
            return "cancelled".into();
        }
        if self.status.timed_out {
            return "timed out".into();
        }
        match (&self.status.exit_code, &self.status.signal) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by {s}"),
            _ => "ended without a status".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub auth: String,
    /// added, would add, skipped
    pub action: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferReport {
    pub server: String,
    pub direction: String,
    pub from: String,
    pub to: String,
    pub bytes: u64,
    pub millis: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerDetail {
    pub view: ServerView,
    /// The last 24 h (or the configured window), one point per minute.
    pub history: Vec<Point>,
}
