//! Running jobs (backup, verify, restore): progress shared with a ticker
//! that broadcasts it, and a cancel flag the archive streams check.

use crate::engine::BackupEvent;
use super::archive::writer::Job;
use crate::engine::Inner;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: u64,
    pub kind: String,
    pub source: String,
    pub done: u64,
    pub total: u64,
}

struct Entry {
    kind: String,
    source: String,
    /// Its total (the bytes it expects) is `job.expected_bytes`.
    job: Job,
}

#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    running: Mutex<HashMap<u64, Entry>>,
}

/// Removes the job when the work ends, however it ends.
pub struct Running<'a> {
    pub id: u64,
    pub job: Job,
    jobs: &'a Jobs,
    ticker: tokio::task::AbortHandle,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.ticker.abort();
        if let Ok(mut m) = self.jobs.running.lock() {
            m.remove(&self.id);
        }
    }
}

impl Jobs {
    /// Register a job; its progress is broadcast four times a second.
    pub(crate) fn start<'a>(&'a self, inner: &Inner, kind: &str, source: &str, total: u64) -> Running<'a> {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let job = Job { expected_bytes: total, ..Job::default() };
        if let Ok(mut m) = self.running.lock() {
            m.insert(id, Entry { kind: kind.into(), source: source.into(), job: job.clone() });
        }
        let events = inner.events.clone();
        let (k, s, j) = (kind.to_string(), source.to_string(), job.clone());
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let done = j.done_bytes.load(Ordering::Relaxed);
                let _ = events.send(Event::Backup(BackupEvent::BackupProgress { job: id, kind: k.clone(), source: s.clone(), done, total }));
            }
        })
        .abort_handle();
        Running { id, job, jobs: self, ticker }
    }

    pub fn list(&self) -> Vec<JobView> {
        let Ok(m) = self.running.lock() else { return Vec::new() };
        let mut v: Vec<JobView> = m
            .iter()
            .map(|(id, e)| JobView { id: *id, kind: e.kind.clone(), source: e.source.clone(), done: e.job.done_bytes.load(Ordering::Relaxed), total: e.job.expected_bytes })
            .collect();
        v.sort_by_key(|j| j.id);
        v
    }

    pub fn cancel(&self, id: u64) -> EngineResult<JobView> {
        let m = self.running.lock().map_err(|_| EngineError::Other("job table poisoned".into()))?;
        let e = m.get(&id).ok_or_else(|| EngineError::not_found_id("running backup job", id))?;
        e.job.cancel.store(true, Ordering::SeqCst);
        Ok(JobView { id, kind: e.kind.clone(), source: e.source.clone(), done: e.job.done_bytes.load(Ordering::Relaxed), total: e.job.expected_bytes })
    }
}
