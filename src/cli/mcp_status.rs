//! `homedeck mcp status [--since 24h]`: the engine's `mcp_status` (attached
//! to the daemon when one runs, so its HTTP sessions and breakers are the
//! ones shown): per tool the calls, errors (failures and refusals) and
//! p50/p99 latency, the callers, the open sessions, and each Home
//! Assistant profile's circuit breaker.

use super::Session;
use crate::engine::views::mcp::{BreakerState, McpStatus};
use crate::engine::{Command, McpOutcome, Outcome};
use anyhow::Result;

pub async fn run(s: &Session, since: String) -> Result<()> {
    let Outcome::Mcp(McpOutcome::Status { status }) = s.exec(Command::McpStatus { since: Some(since) }).await? else {
        anyhow::bail!("mcp_status answered something else");
    };
    if s.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    print!("{}", text(&status));
    Ok(())
}

/// The human form: a line of totals, the tool table, the breakers.
pub fn text(st: &McpStatus) -> String {
    let mut out = String::new();
    let who = if st.actors.is_empty() { "nobody".to_string() } else { st.actors.join(", ") };
    out += &format!("MCP calls since {}: {} by {who}\n", st.since, st.calls);
    out += &format!("open sessions: {} HTTP, {} stdio (in this process)\n", st.sessions.http, st.sessions.stdio);
    if !st.tools.is_empty() {
        out += &format!("{:<32} {:>7} {:>7} {:>10} {:>10}\n", "TOOL", "CALLS", "ERRORS", "P50 MS", "P99 MS");
        for (name, t) in &st.tools {
            out += &format!("{name:<32} {:>7} {:>7} {:>10.3} {:>10.3}\n", t.calls, t.errors, t.p50_ms, t.p99_ms);
        }
    }
    if st.breakers.is_empty() {
        out += "Home Assistant circuit breakers: none used yet\n";
        return out;
    }
    out += &format!("{:<20} {:<10} {:>8} {:>9} {:>7} {:>8}  {}\n", "HA PROFILE", "BREAKER", "FAILURES", "RETRY IN", "QUEUED", "REJECTED", "LAST ERROR");
    for b in &st.breakers {
        let retry = match (b.state, b.retry_in_ms) {
            (BreakerState::Open, Some(ms)) => format!("{:.1} s", ms as f64 / 1000.0),
            _ => "-".into(),
        };
        out += &format!(
            "{:<20} {:<10} {:>8} {:>9} {:>7} {:>8}  {}\n",
            b.profile,
            b.state.as_str(),
            b.failures,
            retry,
            b.queued,
            b.rejected,
            b.last_error.as_deref().unwrap_or("-")
        );
    }
    out
}
