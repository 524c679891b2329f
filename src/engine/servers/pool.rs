//! One SSH connection per server, shared by every channel (health probes,
//! commands, SFTP). A broken connection is dropped and redialled on next
//! use; after failures, background callers (the health poller) back off —
//! 2 s, 4 s, 8 s … up to 5 minutes — while a person's explicit request
//! (`server test`, `exec`) always dials at once.

use super::ssh::Connection;
use crate::engine::error::EngineError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Entry {
    conn: Option<Arc<Connection>>,
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<EngineError>,
    dialing: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
pub struct Pool {
    entries: Mutex<HashMap<String, Entry>>,
}

/// What the caller should do next.
pub enum Lookup {
    Ready(Arc<Connection>),
    /// Dial: hold the guard while dialling so only one dial runs per server.
    Dial(Arc<tokio::sync::Mutex<()>>),
    /// Backing off after failures: the last error and when the next try is.
    BackingOff(EngineError, Duration),
}

impl Pool {
    pub fn lookup(&self, name: &str, force: bool) -> Lookup {
        let Ok(mut map) = self.entries.lock() else { return Lookup::Dial(Arc::default()) };
        let e = map.entry(name.to_string()).or_default();
        if let Some(c) = e.conn.as_ref().filter(|c| !c.is_closed()) {
            return Lookup::Ready(c.clone());
        }
        e.conn = None;
        if !force
            && let (Some(at), Some(err)) = (e.retry_at, e.last_error.as_ref()) {
                let now = Instant::now();
                if at > now {
                    return Lookup::BackingOff(err.clone(), at - now);
                }
            }
        Lookup::Dial(e.dialing.clone())
    }

    pub fn ready(&self, name: &str) -> Option<Arc<Connection>> {
        let map = self.entries.lock().ok()?;
        map.get(name).and_then(|e| e.conn.clone()).filter(|c| !c.is_closed())
    }

    pub fn connected(&self, name: &str, conn: Arc<Connection>) {
        if let Ok(mut map) = self.entries.lock() {
            let e = map.entry(name.to_string()).or_default();
            e.conn = Some(conn);
            e.failures = 0;
            e.retry_at = None;
            e.last_error = None;
        }
    }

    pub fn failed(&self, name: &str, error: &EngineError) {
        if let Ok(mut map) = self.entries.lock() {
            let e = map.entry(name.to_string()).or_default();
            e.conn = None;
            e.failures = e.failures.saturating_add(1);
            let secs = 2u64.saturating_pow(e.failures.min(9)).min(300);
            e.retry_at = Some(Instant::now() + Duration::from_secs(secs));
            e.last_error = Some(error.clone());
        }
    }

    /// Forget a server's connection (removed, edited, or its key re-trusted).
    pub fn forget(&self, name: &str) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(name);
        }
    }

    pub fn open_connections(&self) -> usize {
        self.entries.lock().map(|m| m.values().filter(|e| e.conn.as_ref().is_some_and(|c| !c.is_closed())).count()).unwrap_or(0)
    }
}
