//! Each Home Assistant profile's REST calls go through a guard: a bounded
//! queue (so many calls at once, so many waiting, each waiting at most so
//! long) and a circuit breaker. A dead or hanging instance would otherwise
//! hold every caller for the whole HTTP timeout and pile requests up behind
//! it (MCP clients retry, the console polls); with the breaker open, calls
//! fail at once with a message saying when the next try goes through.
//!
//! Breaker states: **closed** (calls go through; consecutive failures to
//! reach HA are counted), **open** after `failures_to_open` in a row (calls
//! are refused without touching the network for `open_for`), then
//! **half-open**: the next call is let through as the one trial (others are
//! still refused); its success closes the breaker, its failure opens it
//! again. Only failures to reach HA count (unreachable, timed out, HTTP
//! 502/503/504): a refused token or a 404 is an answer, HA is up.

use super::rest::Failure;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// `[ha]` limits for every profile's guard.
#[derive(Debug, Clone)]
pub struct GuardOptions {
    /// Calls running against one instance at once.
    pub max_in_flight: usize,
    /// Calls waiting behind those; one more is refused at once.
    pub max_queued: usize,
    /// How long a call waits for its turn.
    pub queue_timeout: Duration,
    /// How long one call may take, its turn included.
    pub call_timeout: Duration,
    /// Failures to reach HA in a row that open the breaker.
    pub failures_to_open: u32,
    /// How long an open breaker refuses calls before a trial.
    pub open_for: Duration,
}

impl Default for GuardOptions {
    fn default() -> Self {
        GuardOptions {
            max_in_flight: 4,
            max_queued: 32,
            queue_timeout: Duration::from_secs(5),
            call_timeout: Duration::from_secs(15),
            failures_to_open: 3,
            open_for: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// One profile's breaker and queue as `mcp status` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakerView {
    pub profile: String,
    pub state: BreakerState,
    /// Failures to reach HA in a row.
    pub failures: u32,
    /// Open: how long until the trial call may go through.
    pub retry_in_ms: Option<u64>,
    pub opened_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub in_flight: usize,
    pub queued: usize,
    /// Calls refused by the open breaker or a full queue since the engine started.
    pub rejected: u64,
}

#[derive(Default)]
struct Breaker {
    failures: u32,
    /// Set while open: refused until then, then the next call is the trial.
    open_until: Option<Instant>,
    opened_at: Option<DateTime<Utc>>,
    /// The trial call in flight (half-open), and since when.
    trial_since: Option<Instant>,
    last_error: Option<String>,
    rejected: u64,
}

struct Guard {
    permits: Semaphore,
    queued: AtomicUsize,
    in_flight: AtomicUsize,
    breaker: Mutex<Breaker>,
}

/// Every profile's guard, made on first use.
pub struct Guards {
    opts: GuardOptions,
    by_profile: Mutex<BTreeMap<String, Arc<Guard>>>,
}

enum Admit {
    Normal,
    Trial,
}

impl Guards {
    pub fn new(opts: GuardOptions) -> Guards {
        Guards { opts, by_profile: Mutex::default() }
    }

    fn guard(&self, profile: &str) -> Arc<Guard> {
        let mut map = self.by_profile.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(profile.to_string())
            .or_insert_with(|| {
                Arc::new(Guard {
                    permits: Semaphore::new(self.opts.max_in_flight.max(1)),
                    queued: AtomicUsize::new(0),
                    in_flight: AtomicUsize::new(0),
                    breaker: Mutex::default(),
                })
            })
            .clone()
    }

    /// Forget a removed profile's guard.
    pub fn forget(&self, profile: &str) {
        self.by_profile.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(profile);
    }

    /// Run one call to `profile`'s instance through its breaker and queue.
    pub async fn run<T, F>(&self, profile: &str, call: F) -> Result<T, Failure>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        let g = self.guard(profile);
        let admit = self.admit(&g, profile)?;
        let result = self.queued(&g, profile, call).await;
        self.record(&g, admit, &result);
        result
    }

    fn admit(&self, g: &Guard, profile: &str) -> Result<Admit, Failure> {
        let mut b = g.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let Some(until) = b.open_until else { return Ok(Admit::Normal) };
        let last = b.last_error.clone().unwrap_or_default();
        if now < until {
            b.rejected += 1;
            let wait = (until - now).as_secs_f64();
            return Err(Failure::Guarded(format!(
                "circuit breaker open: Home Assistant {profile} failed {} time(s) in a row (last: {last}); calls are refused for {wait:.1} s more, then one trial call goes through",
                b.failures
            )));
        }
        // Half-open: one trial at a time (a trial abandoned past the call
        // timeout no longer holds the door).
        if b.trial_since.is_some_and(|t| now.duration_since(t) < self.opts.call_timeout) {
            b.rejected += 1;
            return Err(Failure::Guarded(format!(
                "circuit breaker half-open: a trial call to Home Assistant {profile} is running (last failure: {last}); try again in a moment"
            )));
        }
        b.trial_since = Some(now);
        Ok(Admit::Trial)
    }

    async fn queued<T, F>(&self, g: &Guard, profile: &str, call: F) -> Result<T, Failure>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        let o = &self.opts;
        if g.queued.fetch_add(1, Ordering::SeqCst) >= o.max_queued {
            g.queued.fetch_sub(1, Ordering::SeqCst);
            g.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner).rejected += 1;
            return Err(Failure::Guarded(format!(
                "Home Assistant {profile} is busy: {} calls are already waiting behind {} running; try again shortly",
                o.max_queued, o.max_in_flight
            )));
        }
        let permit = tokio::time::timeout(o.queue_timeout, g.permits.acquire()).await;
        g.queued.fetch_sub(1, Ordering::SeqCst);
        let _permit = match permit {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => return Err(Failure::Guarded(format!("Home Assistant {profile}'s call queue is closed"))),
            Err(_) => {
                g.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner).rejected += 1;
                return Err(Failure::Guarded(format!(
                    "Home Assistant {profile} is busy: waited {:.1} s for one of {} call slots",
                    o.queue_timeout.as_secs_f64(),
                    o.max_in_flight
                )));
            }
        };
        g.in_flight.fetch_add(1, Ordering::SeqCst);
        let r = tokio::time::timeout(o.call_timeout, call).await;
        g.in_flight.fetch_sub(1, Ordering::SeqCst);
        r.unwrap_or_else(|_| Err(Failure::Unreachable(format!("timed out after {:.1} s", o.call_timeout.as_secs_f64()))))
    }

    fn record<T>(&self, g: &Guard, admit: Admit, result: &Result<T, Failure>) {
        let mut b = g.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let trial = matches!(admit, Admit::Trial);
        if trial {
            b.trial_since = None;
        }
        match result {
            Err(Failure::Guarded(_)) => {}
            Err(f) if unreachable(f) => {
                b.failures += 1;
                b.last_error = Some(short(f));
                if trial || b.failures >= self.opts.failures_to_open {
                    if b.open_until.is_none() || trial {
                        b.opened_at = Some(Utc::now());
                    }
                    b.open_until = Some(Instant::now() + self.opts.open_for);
                }
            }
            // HA answered (maybe with an error of its own): it is up.
            _ => {
                b.failures = 0;
                b.open_until = None;
                b.opened_at = None;
            }
        }
    }

    /// Every profile's breaker that has seen a call, by name.
    pub fn views(&self) -> Vec<BreakerView> {
        let map = self.by_profile.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        map.iter()
            .map(|(name, g)| {
                let b = g.breaker.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let (state, retry_in_ms) = match b.open_until {
                    None => (BreakerState::Closed, None),
                    Some(until) if until > now => (BreakerState::Open, Some(u64::try_from((until - now).as_millis()).unwrap_or(u64::MAX))),
                    Some(_) => (BreakerState::HalfOpen, None),
                };
                BreakerView {
                    profile: name.clone(),
                    state,
                    failures: b.failures,
                    retry_in_ms,
                    opened_at: b.opened_at,
                    last_error: b.last_error.clone(),
                    in_flight: g.in_flight.load(Ordering::SeqCst),
                    queued: g.queued.load(Ordering::SeqCst),
                    rejected: b.rejected,
                }
            })
            .collect()
    }
}

/// A failure that says HA could not be reached (the breaker counts these).
fn unreachable(f: &Failure) -> bool {
    matches!(f, Failure::Unreachable(_) | Failure::Status(502..=504, _))
}

fn short(f: &Failure) -> String {
    match f {
        Failure::Unreachable(why) => why.clone(),
        Failure::Status(code, _) => format!("HTTP {code}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn quick() -> Guards {
        Guards::new(GuardOptions { failures_to_open: 2, open_for: Duration::from_millis(200), ..Default::default() })
    }

    async fn fail(g: &Guards) -> Failure {
        g.run("home", async { Err::<(), _>(Failure::Unreachable("connection refused".into())) }).await.unwrap_err()
    }

    #[tokio::test]
    async fn opens_after_failures_in_a_row_refuses_then_lets_one_trial_through() {
        let g = quick();
        fail(&g).await;
        assert_eq!(g.views()[0].state, BreakerState::Closed);
        fail(&g).await;
        assert_eq!(g.views()[0].state, BreakerState::Open);
        // Open: refused without running the call.
        let ran = std::sync::atomic::AtomicBool::new(false);
        let e = g.run("home", async { ran.store(true, Ordering::SeqCst); Ok(()) }).await.unwrap_err();
        assert!(!ran.load(Ordering::SeqCst));
        let text = e.into_error("home", "http://x", "").to_string();
        assert!(text.contains("circuit breaker open") && text.contains("connection refused"), "{text}");
        // After open_for: half-open; a failing trial opens it again.
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(g.views()[0].state, BreakerState::HalfOpen);
        fail(&g).await;
        assert_eq!(g.views()[0].state, BreakerState::Open);
        tokio::time::sleep(Duration::from_millis(250)).await;
        // A successful trial closes it.
        g.run("home", async { Ok(()) }).await.unwrap();
        let v = &g.views()[0];
        assert_eq!((v.state, v.failures, v.rejected), (BreakerState::Closed, 0, 1));
    }

    /// Wait until `ok` holds (a condition with a deadline, not a sleep).
    async fn until(ok: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !ok() {
            assert!(Instant::now() < deadline, "condition never held");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    #[tokio::test]
    async fn an_answer_from_ha_is_no_failure_and_a_full_queue_refuses_at_once() {
        let g = Arc::new(Guards::new(GuardOptions { max_in_flight: 1, max_queued: 1, failures_to_open: 1, ..Default::default() }));
        g.run("home", async { Err::<(), _>(Failure::Unauthorized) }).await.unwrap_err();
        assert_eq!(g.views()[0].state, BreakerState::Closed);
        let (release, hold) = tokio::sync::oneshot::channel::<()>();
        let g1 = g.clone();
        let first = tokio::spawn(async move {
            g1.run("home", async {
                let _ = hold.await;
                Ok(())
            })
            .await
        });
        until(|| g.views()[0].in_flight == 1).await;
        let g2 = g.clone();
        let second = tokio::spawn(async move { g2.run("home", async { Ok(()) }).await });
        until(|| g.views()[0].queued == 1).await;
        let e = g.run("home", async { Ok(()) }).await.unwrap_err().into_error("home", "u", "").to_string();
        assert!(e.contains("is busy"), "{e}");
        let _ = release.send(());
        assert!(first.await.unwrap().is_ok() && second.await.unwrap().is_ok());
        assert_eq!(g.views()[0].rejected, 1);
    }
}
