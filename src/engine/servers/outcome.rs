//! What servers over SSH answer ([`ServersOutcome`]) and broadcast ([`ServersEvent`]).
//! The engine wraps them in `Outcome::Servers` / `Event::Servers`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::servers::health::types::HealthReport;
use crate::engine::servers::ssh::Stream;
use crate::engine::servers::tailscale::Status as TailscaleStatus;
use crate::engine::servers::views::{ExecResult, ImportRow, ServerDetail, ServerView, TestReport, TransferReport};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ServersOutcome {
    Servers { servers: Vec<ServerView> },
    Server { detail: Box<ServerDetail> },
    ServerTested { report: TestReport },
    ExecDone { run: u64, command: String, results: Vec<ExecResult> },
    Health { reports: Vec<HealthReport> },
    SshImport { rows: Vec<ImportRow>, dry_run: bool },
    Transferred { report: TransferReport },
    Tailscale { status: Box<TailscaleStatus> },
}

impl ServersOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::Servers { servers } => plural(servers.len(), "server", "servers"),
            Self::Server { detail } => format!("server {}", detail.view.server.name),
            Self::ServerTested { report } => {
                format!("{}: connected in {} ms — {} ({})", report.server, report.connect_ms, report.os, report.kernel)
            }
            Self::ExecDone { run, results, .. } => {
                let ok = results.iter().filter(|r| r.ok()).count();
                format!("run {run}: {ok} of {} succeeded", plural(results.len(), "server", "servers"))
            }
            Self::Health { reports } => {
                let up = reports.iter().filter(|r| r.state == crate::engine::servers::health::types::HealthState::Up).count();
                format!("{up} of {} up", plural(reports.len(), "server", "servers"))
            }
            Self::SshImport { rows, dry_run } => {
                let n = rows.iter().filter(|r| r.action != "skipped").count();
                format!("{} {}", plural(n, "server", "servers"), if *dry_run { "would be imported" } else { "imported" })
            }
            Self::Transferred { report } => format!("{} in {} ms", crate::engine::text::size(report.bytes), report.millis),
            Self::Tailscale { status } => format!("tailnet {}: {}", status.tailnet, plural(status.peers.len(), "peer", "peers")),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServersEvent {
    /// The inventory changed (added, edited, removed, key pinned).
    ServersChanged,
    /// A health probe finished.
    ServerHealth { report: HealthReport },
    ExecStarted { run: u64, servers: Vec<String>, command: String },
    /// A piece of a command's output (secrets redacted).
    ExecOutput { run: u64, server: String, stream: Stream, text: String },
    ExecFinished { run: u64, result: ExecResult },
    TransferProgress { server: String, path: String, done: u64, total: u64 },
}
