//! Servers: the inventory (with the built-in `local`), SSH connections with
//! pinned host keys, health polling with history, commands on one or many
//! servers, SFTP, ssh_config import and Tailscale status.
//!
//! Module map: `model`/`validate`/`store` — what a server is and where it
//! lives; `ssh` — russh connect/login/exec; `pool` — one connection per
//! server with backoff; `connector` — credentials from the vault, pinning,
//! mismatch events; `runner` — run a `Program` locally or remotely;
//! `health` — probe, judge, history, poller; `manage` — add/edit/remove/
//! list/show; `trust` — test and trust; `exec` — bulk runs; `transfer` —
//! SFTP; `ssh_config` — import; `tailscale` — status; `tunnel` — a
//! direct-streamlocal byte tunnel to a daemon socket (`--remote`).

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod connector;
pub mod exec;
pub mod health;
pub mod manage;
pub mod model;
pub mod pool;
pub mod quote;
pub mod runner;
pub mod ssh;
pub mod ssh_config;
pub mod store;
pub mod tailscale;
pub mod transfer;
pub mod trust;
pub mod tunnel;
pub mod validate;
pub mod views;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::Store;
use health::Thresholds;
use health::types::{CpuCounters, HealthReport};
use model::Server;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Settings from `[servers]` in config.toml.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Run the background health poller (the console does; one-shot CLI
    /// commands do not).
    pub poll_health: bool,
    pub health_interval: Duration,
    pub history_hours: u32,
    pub thresholds: Thresholds,
    pub connect_timeout: Duration,
    pub poll_concurrency: usize,
    pub exec_concurrency: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            poll_health: false,
            health_interval: Duration::from_secs(15),
            history_hours: 24,
            thresholds: Thresholds { disk_pct: 90.0, load_per_core: 2.0, mem_pct: 95.0 },
            connect_timeout: Duration::from_secs(10),
            poll_concurrency: 16,
            exec_concurrency: 8,
        }
    }
}

/// The servers domain's in-memory state.
pub struct Runtime {
    /// Replaced by a config reload; read at each use.
    pub opts: crate::engine::options::Live<ServerOptions>,
    pub pool: pool::Pool,
    /// Last /proc/stat reading per server, for CPU deltas.
    pub cpu: Mutex<HashMap<String, CpuCounters>>,
    /// Newest health report per server.
    pub latest: Mutex<HashMap<String, HealthReport>>,
    /// Running command runs, by run id, for cancellation.
    pub runs: Mutex<HashMap<u64, CancellationToken>>,
}

impl Runtime {
    pub fn new(opts: ServerOptions) -> Runtime {
        Runtime {
            opts: crate::engine::options::Live::new(opts),
            pool: pool::Pool::default(),
            cpu: Mutex::default(),
            latest: Mutex::default(),
            runs: Mutex::default(),
        }
    }

    pub fn latest(&self, name: &str) -> Option<HealthReport> {
        self.latest.lock().ok().and_then(|m| m.get(name).cloned())
    }
}

/// Resolve a target list: `all`, names, `tag:T`, `site:S`, comma-separated.
/// Every part must match something; the error names the part that did not.
pub fn resolve_targets(store: &Store, spec: &str) -> EngineResult<Vec<Server>> {
    let all = store::all(store)?;
    let mut out: Vec<Server> = Vec::new();
    let parts: Vec<&str> = spec.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err(EngineError::invalid("targets", spec, "server names, tag:T, site:S or all (comma-separated)"));
    }
    for part in parts {
        let matched: Vec<&Server> = if part == "all" {
            all.iter().collect()
        } else if let Some(t) = part.strip_prefix("tag:") {
            all.iter().filter(|s| s.tags.iter().any(|x| x == t)).collect()
        } else if let Some(site) = part.strip_prefix("site:") {
            all.iter().filter(|s| crate::engine::sites::same(s.site.as_deref(), site)).collect()
        } else {
            all.iter().filter(|s| s.name == part).collect()
        };
        if matched.is_empty() {
            return Err(EngineError::invalid(
                "targets",
                part,
                "a known server name, tag:T or site:S that matches at least one server (see `homedeck server list`)",
            ));
        }
        for s in matched {
            if !out.iter().any(|o| o.name == s.name) {
                out.push(s.clone());
            }
        }
    }
    Ok(out)
}

/// This domain's runtime state on the engine (`inner.servers`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &crate::engine::EngineOptions) -> EngineResult<Runtime> {
        Ok(Runtime::new(opts.servers.clone()))
    }

    /// The health poller runs only where asked (the console, the daemon).
    fn started(inner: &std::sync::Arc<crate::engine::Inner>, on_runtime: bool) {
        if on_runtime && inner.opts.servers.poll_health {
            tokio::spawn(health::poller::run(std::sync::Arc::downgrade(inner)));
        }
    }
}
