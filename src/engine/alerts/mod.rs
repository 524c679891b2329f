//! Alerts: homedeck tells you when something breaks while nobody watches a
//! pane. Rules (`[[alerts.rules]]` in config.toml) name a kind, a target
//! selector, a threshold and how long the condition must hold; an engine
//! that polls health (the daemon, or a console with no daemon) evaluates
//! them after each health round, schedule run or security event, and at
//! least every `[alerts] interval_secs`.
//!
//! - `rules.rs`: kinds, selectors, durations, severities — what a rule is;
//! - `facts.rs`: what one round reads (health reports, stored state);
//! - `evaluate.rs`: which conditions hold, with their evidence (no I/O);
//! - `lifecycle.rs`: open, count, resolve, reopen, acknowledge, retention;
//! - `store.rs`: the sled trees; `model.rs`: alerts and silences;
//! - `runner.rs`: the background task, its events and audit entries;
//! - `presence.rs`: the task beside it that probes the ESPHome, WLED and
//!   FPP devices the rules watch, so their stored `online` follows them;
//! - `notices.rs`: each opening/reopening/resolution staged on its routes,
//!   stored with the change in one transaction (`store::commit`);
//! - `handlers.rs`, `route.rs`, `outcome.rs`, `facade.rs`: the verbs.
//!
//! Every change of an alert is broadcast as `AlertsEvent::Changed` and
//! audited; the round that makes it also queues its notices (`notices.rs`).

pub mod evaluate;
pub mod facade;
pub mod facts;
mod handlers;
pub mod lifecycle;
pub mod model;
pub mod notices;
pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod rules;
pub(crate) mod runner;
mod presence;
pub mod store;

use crate::engine::options::Live;
use chrono::{DateTime, Utc};
use rules::AlertsOptions;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use store::TREES;

/// The alerts domain's runtime state (`inner.alerts`).
pub struct Runtime {
    /// `[alerts]`, replaced by a config reload; read at each round.
    pub opts: Live<AlertsOptions>,
    /// Alert records are read, changed and written under this lock (a
    /// round and an acknowledgement must not overwrite each other).
    pub(crate) records: Mutex<()>,
    pending: Mutex<lifecycle::Pending>,
    /// This engine runs the rules (a daemon or a console without one).
    pub(crate) evaluating: AtomicBool,
    /// Evaluate now (rules reloaded, a silence changed).
    pub(crate) wake: Arc<tokio::sync::Notify>,
    last_cleanup: Mutex<Option<DateTime<Utc>>>,
    /// The silences running at the last round: one missing from the next
    /// round's ran out, and is announced (`runner::silences_ended`).
    pub(crate) silences_seen: Mutex<Vec<model::Silence>>,
}

pub(crate) type State = Runtime;

impl Runtime {
    pub fn evaluating(&self) -> bool {
        self.evaluating.load(Ordering::SeqCst)
    }
}

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &crate::engine::EngineOptions) -> crate::engine::EngineResult<Runtime> {
        Ok(Runtime {
            opts: Live::new(opts.alerts.clone()),
            records: Mutex::default(),
            pending: Mutex::default(),
            evaluating: AtomicBool::new(false),
            wake: Arc::default(),
            last_cleanup: Mutex::default(),
            silences_seen: Mutex::default(),
        })
    }

    /// Rules run where health is polled: the daemon and a console hosting
    /// its own engine; a one-shot CLI command only reads what they stored.
    fn started(inner: &Arc<crate::engine::Inner>, on_runtime: bool) {
        if on_runtime && inner.opts.servers.poll_health {
            inner.alerts.evaluating.store(true, Ordering::SeqCst);
            tokio::spawn(runner::run(Arc::downgrade(inner)));
            tokio::spawn(presence::run(Arc::downgrade(inner)));
        }
    }
}
