//! Every running job of every kind, for a graceful stop.
//!
//! Each domain keeps its own cancel handles where its cancel verb needs them
//! (backup jobs, command runs, deployment operations, OTA flags); this walks
//! them all at once, so `homedeck daemon stop`, SIGTERM and SIGINT cancel a
//! backup, a verify, a restore, a remote command, a deployment operation
//! and an OTA the same way their own cancel verbs would: partial files
//! removed, the catalog untouched, a restore rolled back, the audit entry a
//! failure that says "cancelled". It also counts the commands in flight, so
//! the stop can wait for those audit entries to be written before the lock
//! goes.

use super::Inner;
use super::error::{EngineError, EngineResult};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Default)]
pub(crate) struct Registry {
    /// Commands inside `execute` right now.
    in_flight: AtomicUsize,
    /// Signalled each time the count drops to zero.
    idle: Notify,
    /// Set by [`cancel_all`]: no new command starts (a schedule coming due
    /// during the stop must not start a backup the stop then abandons).
    stopping: AtomicBool,
}

/// Held while one command runs; the count drops however the command ends.
pub(crate) struct InFlight<'a>(&'a Registry);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Registry {
    /// Count a command in, or refuse it once the engine is stopping.
    pub fn enter(&self, command: &str) -> EngineResult<InFlight<'_>> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self);
        if self.stopping.load(Ordering::SeqCst) {
            return Err(EngineError::Other(format!("homedeck is stopping: `{command}` was not started")));
        }
        Ok(guard)
    }

    /// [`cancel_all`] was called: the engine is stopping.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Wait until no command runs, for at most `within`. True when none does.
    pub async fn wait_idle(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let idle = self.idle.notified();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.in_flight.load(Ordering::SeqCst) == 0;
            }
        }
    }
}

/// Refuse new commands and cancel every running job. Returns one line per
/// job cancelled, for the log and the daemon's stderr.
pub(crate) fn cancel_all(inner: &Inner) -> Vec<String> {
    inner.jobs.stopping.store(true, Ordering::SeqCst);
    let mut cancelled = Vec::new();
    for job in inner.backup.jobs.list() {
        if inner.backup.jobs.cancel(job.id).is_ok() {
            cancelled.push(format!("{} of {} (job {})", job.kind, job.source, job.id));
        }
    }
    if let Ok(runs) = inner.servers.runs.lock() {
        for (run, token) in runs.iter() {
            token.cancel();
            cancelled.push(format!("server command run {run}"));
        }
    }
    if let Ok(ops) = inner.deploy.ops.lock() {
        for (name, token) in ops.iter() {
            token.cancel();
            cancelled.push(format!("operation on deployment {name}"));
        }
    }
    if let Ok(ota) = inner.esphome.ota.lock() {
        for (device, flag) in ota.iter() {
            flag.store(true, Ordering::SeqCst);
            cancelled.push(format!("OTA of {device}"));
        }
    }
    cancelled
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_commands_in_flight_and_refuses_new_ones_when_stopping() {
        let r = Registry::default();
        assert!(r.wait_idle(Duration::from_millis(1)).await);
        let g = r.enter("backup_create").unwrap();
        assert!(!r.wait_idle(Duration::from_millis(20)).await);
        r.stopping.store(true, Ordering::SeqCst);
        let err = r.enter("backup_create").err().unwrap().to_string();
        assert!(err.contains("stopping") && err.contains("backup_create"), "{err}");
        let waiter = r.wait_idle(Duration::from_secs(10));
        drop(g);
        assert!(waiter.await);
    }
}
