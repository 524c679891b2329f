//! Deployments: Home Assistant installed on servers by homedeck, over the
//! servers domain's SSH runner and SFTP.
//!
//! - `model`/`store` — what a deployment is (server, runtime, version,
//!   port, paths, status) and the config snapshots kept before each save;
//! - `ports` — the port range, and which ports the server itself listens on;
//! - `venv`, `supervisor`, `docker` — the shell each runtime runs on the
//!   server (built here, every path quoted);
//! - `remote` — short probes and long streamed, cancellable steps;
//! - `lifecycle` (create and cleanup), `control` (start/stop/restart/
//!   status/list/cancel/delete), `upgrade` (snapshot,
//!   switch, health check, rollback), `health`, `logs`, `config` (edit,
//!   check, revert), `yaml` (syntax check before upload);
//!
//! Dispatch calls `lifecycle`, `control`, `upgrade`, `logs` and `config`
//! directly: each takes the command's context and audits through it.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod docker;
pub mod health;
pub(crate) mod config;
pub(crate) mod control;
pub(crate) mod lifecycle;
pub(crate) mod logs;
pub mod model;
pub mod ports;
pub(crate) mod remote;
pub mod store;
pub mod supervisor;
pub(crate) mod upgrade;
pub mod venv;
pub mod views;
pub mod yaml;

use crate::engine::Inner;
use crate::engine::error::EngineResult;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use store::TREES;

/// Settings from `[deployments]` in config.toml.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Ports handed out to new deployments, e.g. `8123,8200-8300`.
    pub port_range: String,
    /// How long a starting HA may go without answering HTTP before it is
    /// called unhealthy (first starts install packages and take a while).
    pub start_grace: Duration,
    /// How long create/start/upgrade wait for a healthy instance.
    pub healthy_timeout: Duration,
    /// Longest a pip install or image pull may take.
    pub install_timeout: Duration,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            port_range: ports::DEFAULT_RANGE.into(),
            start_grace: Duration::from_secs(300),
            healthy_timeout: Duration::from_secs(600),
            install_timeout: Duration::from_secs(1800),
        }
    }
}

/// State that lives only while the engine runs.
pub struct Runtime {
    /// Replaced by a config reload; read at each use.
    pub opts: crate::engine::options::Live<DeployOptions>,
    /// Long operations (create, upgrade) by deployment name, for cancel.
    pub ops: Mutex<HashMap<String, CancellationToken>>,
    /// Followed logs by deployment name.
    pub follows: Mutex<HashMap<String, CancellationToken>>,
    /// The engine itself, for tasks that must not keep it alive.
    pub(crate) me: OnceLock<Weak<Inner>>,
}

impl Runtime {
    pub fn new(opts: DeployOptions) -> EngineResult<Runtime> {
        Ok(Runtime {
            opts: crate::engine::options::Live::new(opts),
            ops: Mutex::default(),
            follows: Mutex::default(),
            me: OnceLock::new(),
        })
    }

    /// Register a cancellable operation on a deployment (one at a time).
    pub fn begin(&self, name: &str) -> Option<CancellationToken> {
        let mut ops = self.ops.lock().ok()?;
        if ops.contains_key(name) {
            return None;
        }
        let t = CancellationToken::new();
        ops.insert(name.to_string(), t.clone());
        Some(t)
    }

    pub fn end(&self, name: &str) {
        if let Ok(mut ops) = self.ops.lock() {
            ops.remove(name);
        }
    }

    pub fn cancel(&self, name: &str) -> bool {
        match self.ops.lock().ok().and_then(|o| o.get(name).cloned()) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        for map in [&self.follows, &self.ops] {
            if let Ok(m) = map.lock() {
                m.values().for_each(CancellationToken::cancel);
            }
        }
    }
}

/// This domain's runtime state on the engine (`inner.deploy`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &crate::engine::EngineOptions) -> EngineResult<Runtime> {
        Runtime::new(opts.deploy.clone())
    }

    /// Also hands `ha` the way to a deployment's URL: deploy depends on ha,
    /// never the other way, so ha is told rather than asking.
    fn started(inner: &std::sync::Arc<Inner>, on_runtime: bool) {
        let _ = inner.ha.deployment_url.set(health::deployment_url);
        if on_runtime {
            let _ = inner.deploy.me.set(std::sync::Arc::downgrade(inner));
        }
    }
}
