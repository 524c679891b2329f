//! Notifications: telling someone, somewhere else, that something happened.
//! Routes (`[[notify.routes]]` in config.toml) are webhooks, ntfy, Gotify,
//! Slack, Discord, Home Assistant's notify service or email. A notice sent
//! to a route becomes a delivery that is written to sled before anything is
//! sent, tried until the peer acknowledges it (exponential back-off with
//! jitter), and moved to a dead-letter list, with its last error, after the
//! last attempt. Deliveries are at-least-once: one the peer acknowledged is
//! removed (durably) before anything else happens, and each carries its id
//! so a receiver can drop the repeat a crash in that instant could cause.
//!
//! - `config.rs`: the routes and delivery settings, checked;
//! - `model.rs`: [`Notice`] (what is said) and `Delivery` (what is kept);
//! - `queue.rs`: the sled trees and the in-memory schedule over them;
//! - `backoff.rs`: how long a failed delivery waits;
//! - `payload.rs`, `send.rs`, `email.rs`: the message per kind of route,
//!   and one attempt of it; `redact.rs`: secrets kept out of what is left;
//! - `worker.rs`: the delivery task (daemon, or an open console);
//! - `handlers.rs`: the verbs, and `stage` for other domains.

mod backoff;
pub mod config;
pub mod email;
pub mod facade;
pub(crate) mod handlers;
pub mod model;
pub mod outcome;
pub mod payload;
pub mod queue;
pub mod redact;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub(crate) mod send;
pub(crate) mod worker;

pub use config::{NotifyOptions, RouteConfig, RouteKind};
/// The door for other domains (the alert rules): `notify::stage(route,
/// notice)` into an [`Outbox`] the caller writes in its own transaction.
pub(crate) use handlers::stage;
pub use queue::Outbox;
pub use model::Notice;

use crate::engine::error::EngineResult;
use crate::engine::options::{EngineOptions, Live};
use crate::engine::Inner;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

/// The trees this domain owns: queued deliveries, dead-lettered ones.
pub const TREES: [&str; 2] = [queue::QUEUE, queue::DEAD];

/// This domain's runtime state on the engine (`inner.notify`).
pub(crate) struct Runtime {
    /// `[notify]` as last (re)loaded: a reload applies at the next attempt.
    pub opts: Live<NotifyOptions>,
    index: Mutex<queue::Index>,
    /// Rings the worker: something new is due.
    pub wake: Arc<tokio::sync::Notify>,
    /// The worker runs in this process.
    pub started: AtomicBool,
    /// One HTTP client for every HTTP route (connections are kept).
    pub http: reqwest::Client,
}

impl Runtime {
    /// The schedule; held only for in-memory work and the sled writes that
    /// must agree with it, never across an await.
    pub fn lock_index(&self) -> MutexGuard<'_, queue::Index> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &EngineOptions) -> EngineResult<Runtime> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("homedeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| crate::engine::EngineError::Other(format!("cannot start the HTTP client: {e}")))?;
        Ok(Runtime {
            opts: Live::new(opts.notify.clone()),
            index: Mutex::new(queue::Index::default()),
            wake: Arc::new(tokio::sync::Notify::new()),
            started: AtomicBool::new(false),
            http,
        })
    }

    /// What was queued when the engine last stopped (or was killed) is
    /// scheduled again, in flight or not.
    fn started(inner: &Arc<Inner>, _on_runtime: bool) {
        match queue::Index::load(&inner.store) {
            Ok(ix) => *inner.notify.lock_index() = ix,
            Err(e) => tracing::error!(error = %e, "notify: cannot read the delivery queue"),
        }
    }
}
