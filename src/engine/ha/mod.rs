//! Home Assistant instances as clients see them — for instances homedeck
//! deployed and for any other: connection profiles (URL + a vault secret
//! holding a long-lived token), the REST API (`rest`), the WebSocket API
//! (`ws`: auth, get_states, subscribe_events, call_service, long-lived
//! tokens), and the `ha_*` verbs (`handlers`, `history`); every REST call
//! of a profile goes through its queue and circuit breaker (`guard`).

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod guard;
pub(crate) mod handlers;
pub(crate) mod history;
pub mod profile;
pub mod rest;
pub mod views;
pub mod ws;

pub use profile::TREES;

use crate::engine::Inner;
use crate::engine::error::EngineResult;
use rest::Rest;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// How `ha_add deployment=NAME` learns that deployment's URL. `deploy`
/// health-checks through this module (profiles, REST, tokens), so `ha`
/// must not call back into `deploy`: deploy hands its resolver in when the
/// engine starts, keeping the dependency one-way (deploy → ha).
pub(crate) type DeploymentUrl = fn(&Inner, &str) -> EngineResult<String>;

/// State that lives only while the engine runs.
pub struct Runtime {
    /// The one REST client, shared with deploy's health checks.
    pub rest: Rest,
    /// Live entity views by profile name.
    pub watches: Mutex<HashMap<String, CancellationToken>>,
    /// Each profile's call queue and circuit breaker (`guard.rs`).
    pub guards: guard::Guards,
    pub(crate) deployment_url: std::sync::OnceLock<DeploymentUrl>,
}

impl Runtime {
    pub(crate) fn new(guard: guard::GuardOptions) -> EngineResult<Runtime> {
        Ok(Runtime { rest: Rest::new()?, watches: Mutex::default(), guards: guard::Guards::new(guard), deployment_url: std::sync::OnceLock::new() })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Ok(m) = self.watches.lock() {
            m.values().for_each(CancellationToken::cancel);
        }
    }
}

/// This domain's runtime state on the engine (`inner.ha`).
pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &crate::engine::EngineOptions) -> EngineResult<Runtime> {
        Runtime::new(opts.ha_guard.clone())
    }
}
