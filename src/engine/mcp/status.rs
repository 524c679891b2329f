//! `mcp_status`: how MCP clients are using homedeck, for `homedeck mcp
//! status` and the console's MCP view. Per tool: calls, errors (failures
//! and refusals) and p50/p99 latency, from the `…@mcp` audit entries
//! (every MCP call is audited with its `duration_ms`); the sessions open on
//! this engine; and each Home Assistant profile's circuit breaker.
//!
//! Sessions are counted where they run: the daemon counts its HTTP
//! sessions; a `homedeck mcp` process attached to the daemon is a session
//! of its own process and is not counted there.

use crate::engine::audit::{self, AuditQuery, Status, time_arg};
use crate::engine::actor::Frontend;
use crate::engine::error::EngineResult;
use crate::engine::ha::guard::BreakerView;
use crate::engine::mcp::outcome::McpOutcome;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Pages read at most (500 entries each): a very busy log is summarised
/// over its newest 50,000 MCP entries.
const MAX_PAGES: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolStats {
    pub calls: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// MCP sessions open on this engine now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionCounts {
    pub http: usize,
    pub stdio: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpStatus {
    pub since: String,
    pub calls: u64,
    /// The distinct callers (`token:NAME@mcp`, `USER@mcp`).
    pub actors: Vec<String>,
    pub tools: BTreeMap<String, ToolStats>,
    pub sessions: SessionCounts,
    pub breakers: Vec<BreakerView>,
}

/// Open sessions by transport; a [`SessionTicket`] counts one while it lives.
#[derive(Default)]
pub struct Sessions {
    http: Arc<AtomicUsize>,
    stdio: Arc<AtomicUsize>,
}

impl Sessions {
    pub fn counts(&self) -> SessionCounts {
        SessionCounts { http: self.http.load(Ordering::SeqCst), stdio: self.stdio.load(Ordering::SeqCst) }
    }

    pub fn ticket(&self, http: bool) -> SessionTicket {
        let n = if http { self.http.clone() } else { self.stdio.clone() };
        n.fetch_add(1, Ordering::SeqCst);
        SessionTicket(n)
    }
}

/// One open MCP session; dropping it (the session ending) uncounts it.
pub struct SessionTicket(Arc<AtomicUsize>);

impl Drop for SessionTicket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) fn status(inner: &Inner, since: Option<String>) -> EngineResult<Outcome> {
    let since = since.unwrap_or_else(|| "24h".into());
    let from = time_arg::parse("since", &since, Utc::now())?;
    let mut tools: BTreeMap<String, (ToolStats, Vec<f64>)> = BTreeMap::new();
    let mut actors = BTreeSet::new();
    let mut calls = 0;
    let mut before = None;
    for _ in 0..MAX_PAGES {
        let q = AuditQuery { actor: Some("@mcp".into()), since: Some(from), limit: 500, before: before.take(), ..Default::default() };
        let page = audit::query(&inner.store, &q)?;
        for e in page.entries.iter().filter(|e| e.actor.frontend == Frontend::Mcp) {
            calls += 1;
            actors.insert(e.actor.to_string());
            let (t, times) = tools.entry(e.action.clone()).or_default();
            t.calls += 1;
            if e.status != Status::Success {
                t.errors += 1;
            }
            if let Some(ms) = e.changes.iter().find(|c| c.field == "duration_ms").and_then(|c| c.after.as_deref()?.parse::<f64>().ok()) {
                times.push(ms);
            }
        }
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    let tools = tools
        .into_iter()
        .map(|(name, (mut t, mut times))| {
            times.sort_by(f64::total_cmp);
            t.p50_ms = percentile(&times, 0.50);
            t.p99_ms = percentile(&times, 0.99);
            (name, t)
        })
        .collect();
    Ok(Outcome::Mcp(McpOutcome::Status {
        status: McpStatus {
            since,
            calls,
            actors: actors.into_iter().collect(),
            tools,
            sessions: inner.mcp.sessions.counts(),
            breakers: inner.ha.guards.views(),
        },
    }))
}

/// Nearest-rank percentile of sorted values (0 when there are none).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!((percentile(&v, 0.5), percentile(&v, 0.99)), (50.0, 99.0));
        assert_eq!(percentile(&[], 0.5), 0.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
    }

    #[test]
    fn a_ticket_counts_its_session_while_it_lives() {
        let s = Sessions::default();
        let a = s.ticket(true);
        let b = s.ticket(false);
        let _c = s.ticket(true);
        assert_eq!(s.counts(), SessionCounts { http: 2, stdio: 1 });
        drop((a, b));
        assert_eq!(s.counts(), SessionCounts { http: 1, stdio: 0 });
    }
}
