//! Home Assistant instances as clients see them — for instances homedeck
//! deployed and for any other: connection profiles (URL + a vault secret
//! holding a long-lived token), the REST API (`rest`), the WebSocket API
//! (`ws`: auth, get_states, subscribe_events, call_service, long-lived
//! tokens), and the `ha_*` verbs (`handlers`).

pub mod outcome;
pub(crate) mod route;
pub(crate) mod handlers;
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
/// must not call back into `deploy`: the engine's composition root passes
/// deploy's resolver in, keeping the dependency one-way (deploy → ha).
pub(crate) type DeploymentUrl = fn(&Inner, &str) -> EngineResult<String>;

/// State that lives only while the engine runs.
pub struct Runtime {
    /// The one REST client, shared with deploy's health checks.
    pub rest: Rest,
    /// Live entity views by profile name.
    pub watches: Mutex<HashMap<String, CancellationToken>>,
    pub(crate) deployment_url: DeploymentUrl,
}

impl Runtime {
    pub(crate) fn new(deployment_url: DeploymentUrl) -> EngineResult<Runtime> {
        Ok(Runtime { rest: Rest::new()?, watches: Mutex::default(), deployment_url })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Ok(m) = self.watches.lock() {
            m.values().for_each(CancellationToken::cancel);
        }
    }
}
