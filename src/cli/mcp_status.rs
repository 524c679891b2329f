//! `homedeck mcp status [--since 24h]`: how MCP clients used homedeck, read
//! from the audit log (every MCP call is audited with its `duration_ms`):
//! per tool the calls, errors (failures and refusals) and p50/p99 latency,
//! and the distinct actors (tokens or users) that called.

use super::Session;
use crate::engine::views::audit::{AuditEntry, Status};
use crate::engine::{AuditOutcome, Command, Outcome};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};

/// Pages read at most (500 entries each): a very busy log is summarised
/// over its newest 50,000 MCP entries.
const MAX_PAGES: usize = 100;

#[derive(Default, serde::Serialize)]
struct ToolStats {
    calls: u64,
    errors: u64,
    p50_ms: f64,
    p99_ms: f64,
    #[serde(skip)]
    times: Vec<f64>,
}

pub async fn run(s: &Session, since: String) -> Result<()> {
    let mut entries: Vec<AuditEntry> = Vec::new();
    let mut before = None;
    for _ in 0..MAX_PAGES {
        let search = Command::AuditSearch {
            category: None,
            min_severity: None,
            status: None,
            actor: Some("@mcp".into()),
            resource: None,
            since: Some(since.clone()),
            until: None,
            text: None,
            limit: Some(500),
            before: before.take(),
        };
        let Outcome::Audit(AuditOutcome::AuditPage { page }) = s.exec(search).await? else {
            anyhow::bail!("audit_search answered something else");
        };
        entries.extend(page.entries.into_iter().filter(|e| e.actor.frontend.as_str() == "mcp"));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    let mut tools: BTreeMap<String, ToolStats> = BTreeMap::new();
    let mut actors = BTreeSet::new();
    for e in &entries {
        actors.insert(e.actor.to_string());
        let t = tools.entry(e.action.clone()).or_default();
        t.calls += 1;
        if e.status != Status::Success {
            t.errors += 1;
        }
        if let Some(ms) = e.changes.iter().find(|c| c.field == "duration_ms").and_then(|c| c.after.as_deref()?.parse::<f64>().ok()) {
            t.times.push(ms);
        }
    }
    for t in tools.values_mut() {
        t.times.sort_by(f64::total_cmp);
        t.p50_ms = percentile(&t.times, 0.50);
        t.p99_ms = percentile(&t.times, 0.99);
    }
    if s.json {
        let out = serde_json::json!({ "since": since, "calls": entries.len(), "actors": actors, "tools": tools });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("MCP calls since {since}: {} by {}", entries.len(), if actors.is_empty() { "nobody".into() } else { actors.into_iter().collect::<Vec<_>>().join(", ") });
    if tools.is_empty() {
        return Ok(());
    }
    println!("{:<32} {:>7} {:>7} {:>10} {:>10}", "TOOL", "CALLS", "ERRORS", "P50 MS", "P99 MS");
    for (name, t) in &tools {
        println!("{name:<32} {:>7} {:>7} {:>10.3} {:>10.3}", t.calls, t.errors, t.p50_ms, t.p99_ms);
    }
    Ok(())
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
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!((percentile(&v, 0.5), percentile(&v, 0.99)), (50.0, 99.0));
        assert_eq!(percentile(&[], 0.5), 0.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
    }
}
