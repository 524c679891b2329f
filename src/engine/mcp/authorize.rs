//! `token_authorize`: may this token call this tool now? Checked in order:
//! the peer is not throttled for wrong tokens, the token exists (by hash),
//! is not revoked or expired, it is within its rate (every attempt counts),
//! its class covers the tool's, and the tool matches its allow list and no
//! deny pattern. Each
//! refusal names what is missing; the MCP layer records it (`mcp_refused`).
//!
//! Wrong tokens are counted per peer address: after
//! [`WRONG_LIMIT`] in [`WRONG_WINDOW`] the peer is refused without a check
//! for [`BLOCK`], and a security event is raised.

use super::tokens::{self, TokenRecord};
use crate::engine::command::spec;
use crate::engine::command_table::Permission;
use crate::engine::context::Ctx;
use crate::engine::digest::sha256_hex;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::mcp::outcome::McpOutcome;
use crate::engine::secret_value::SecretValue;
use crate::engine::security::{self, Raise};
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WRONG_LIMIT: u32 = 5;
pub const WRONG_WINDOW: Duration = Duration::from_secs(600);
pub const BLOCK: Duration = Duration::from_secs(60);

/// Rate windows per token and wrong-token counts per peer (memory only: a
/// restart forgets them, which errs on the side of letting a caller in).
#[derive(Default)]
pub struct Runtime {
    calls: Mutex<HashMap<String, VecDeque<Instant>>>,
    wrong: Mutex<HashMap<String, Wrong>>,
    /// MCP sessions open on this engine (`mcp_status`).
    pub sessions: super::status::Sessions,
}

struct Wrong {
    count: u32,
    since: Instant,
    blocked_until: Option<Instant>,
}

impl crate::engine::domains::DomainState for Runtime {
    fn open(_: &crate::engine::EngineOptions) -> EngineResult<Self> {
        Ok(Runtime::default())
    }
}

fn rank(p: Permission) -> u8 {
    match p {
        Permission::Read => 0,
        Permission::Write => 1,
        Permission::Dangerous => 2,
    }
}

fn refuse(msg: String) -> EngineError {
    EngineError::Other(msg)
}

/// `dry_run`: the call is a preview, which changes nothing, so any class
/// may make it; the allow and deny lists and the rate still apply.
pub(crate) fn authorize(inner: &Inner, ctx: &mut Ctx, token: &SecretValue, tool: Option<&str>, peer: &str, dry_run: bool) -> EngineResult<Outcome> {
    let rt = &inner.mcp;
    let now = Instant::now();
    if let Some(w) = rt.wrong.lock().map_err(|_| refuse("token check state poisoned".into()))?.get(peer)
        && let Some(until) = w.blocked_until
        && until > now
    {
        return Err(EngineError::RateLimited {
            what: format!("too many wrong API tokens from {peer}"),
            retry_after_ms: millis(until - now),
        });
    }
    let hash = sha256_hex(token.expose().as_bytes());
    let Some(mut t) = tokens::all(inner)?.into_iter().find(|t| t.hash == hash) else {
        wrong_token(inner, peer, now)?;
        return Err(refuse("invalid API token (unknown or mistyped; `homedeck token list` shows the tokens)".into()));
    };
    ctx.resource("api_token", None, Some(t.name.clone()));
    usable(&t, Utc::now())?;
    let mut rate_limited_ms = None;
    match tool {
        // A request that is no call (HTTP's gate, a session starting) only
        // learns whether a call now would be over the rate; it does not count.
        None => rate_limited_ms = over_rate(rt, &t, now)?,
        Some(tool) => {
            // Every call attempt counts against the rate, refused ones too.
            within_rate(rt, &t, now)?;
            permitted_for(&t, tool, dry_run)?;
            t.uses += 1;
            t.last_used = Some(Utc::now());
            tokens::put(inner, &t)?;
        }
    }
    Ok(Outcome::Mcp(McpOutcome::Authorized { name: t.name.clone(), class: t.class, rate_limited_ms }))
}

/// Not revoked, not expired.
pub fn usable(t: &TokenRecord, now: chrono::DateTime<Utc>) -> EngineResult<()> {
    if let Some(at) = t.revoked {
        return Err(refuse(format!("API token {} was revoked at {at}", t.name)));
    }
    if let Some(at) = t.expires
        && at <= now
    {
        return Err(refuse(format!("API token {} expired at {at}", t.name)));
    }
    Ok(())
}

/// Class, allow list, deny list: the refusal names the missing permission.
#[cfg(test)]
pub fn permitted(t: &TokenRecord, tool: &str) -> EngineResult<()> {
    permitted_for(t, tool, false)
}

/// As [`permitted`]; a dry run needs only the read class.
pub fn permitted_for(t: &TokenRecord, tool: &str, dry_run: bool) -> EngineResult<()> {
    let Some(s) = spec(tool) else {
        return Err(EngineError::Invalid { field: "tool".into(), value: tool.into(), expected: "a tool name from tools/list".into() });
    };
    if !dry_run && rank(s.class) > rank(t.class) {
        return Err(refuse(format!(
            "permission denied: tool {tool} needs class `{}` but API token {} has class `{}` (create one with --class {})",
            s.class.as_str(),
            t.name,
            t.class.as_str(),
            s.class.as_str()
        )));
    }
    if !t.allow.is_empty() && !t.allow.iter().any(|g| tokens::glob(g, tool)) {
        return Err(refuse(format!("permission denied: tool {tool} is not in API token {}'s allow list ({})", t.name, t.allow.join(", "))));
    }
    if let Some(g) = t.deny.iter().find(|g| tokens::glob(g, tool)) {
        return Err(refuse(format!("permission denied: tool {tool} is denied to API token {} by pattern {g}", t.name)));
    }
    Ok(())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Count this call in the token's window, or refuse it while the window is full.
fn within_rate(rt: &Runtime, t: &TokenRecord, now: Instant) -> EngineResult<()> {
    rate_window(rt, t, now, true)
}

/// While the token's window is full, how long until a call fits (ms);
/// never counts.
fn over_rate(rt: &Runtime, t: &TokenRecord, now: Instant) -> EngineResult<Option<u64>> {
    match rate_window(rt, t, now, false) {
        Ok(()) => Ok(None),
        Err(EngineError::RateLimited { retry_after_ms, .. }) => Ok(Some(retry_after_ms)),
        Err(e) => Err(e),
    }
}

fn rate_window(rt: &Runtime, t: &TokenRecord, now: Instant, count: bool) -> EngineResult<()> {
    let Some((limit, secs)) = t.rate else { return Ok(()) };
    let window = Duration::from_secs(secs);
    let mut calls = rt.calls.lock().map_err(|_| refuse("rate state poisoned".into()))?;
    let q = calls.entry(t.name.clone()).or_default();
    while q.front().is_some_and(|at| now.duration_since(*at) >= window) {
        q.pop_front();
    }
    if q.len() >= limit as usize {
        let retry = q.front().map(|at| window.saturating_sub(now.duration_since(*at))).unwrap_or(window);
        return Err(EngineError::RateLimited {
            what: format!("API token {} is over its rate of {}", t.name, t.view().rate.unwrap_or_default()),
            retry_after_ms: millis(retry),
        });
    }
    if count {
        q.push_back(now);
    }
    Ok(())
}

fn wrong_token(inner: &Inner, peer: &str, now: Instant) -> EngineResult<()> {
    let raise = {
        let mut wrong = inner.mcp.wrong.lock().map_err(|_| refuse("token check state poisoned".into()))?;
        let w = wrong.entry(peer.to_string()).or_insert(Wrong { count: 0, since: now, blocked_until: None });
        if now.duration_since(w.since) > WRONG_WINDOW {
            *w = Wrong { count: 0, since: now, blocked_until: None };
        }
        w.count += 1;
        if w.count >= WRONG_LIMIT {
            w.blocked_until = Some(now + BLOCK);
        }
        (w.count == WRONG_LIMIT).then_some(w.count)
    };
    if let Some(count) = raise {
        let mut evidence = BTreeMap::new();
        evidence.insert("peer".to_string(), peer.to_string());
        evidence.insert("wrong_tokens".to_string(), count.to_string());
        security::raise(
            inner,
            Raise {
                severity: crate::engine::audit::Severity::High,
                kind: "mcp_token_bruteforce",
                title: format!("{count} wrong API tokens from {peer}"),
                description: format!("{count} wrong MCP API tokens from {peer} within {} min; refused for {} s", WRONG_WINDOW.as_secs() / 60, BLOCK.as_secs()),
                evidence,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn token(class: Permission) -> TokenRecord {
        TokenRecord {
            name: "t".into(),
            hash: String::new(),
            class,
            allow: vec![],
            deny: vec![],
            created: Utc::now(),
            expires: None,
            rate: Some((2, 60)),
            last_used: None,
            uses: 0,
            revoked: None,
        }
    }

    #[test]
    fn expired_and_revoked_tokens_are_refused_naming_when() {
        let now = Utc::now();
        let mut t = token(Permission::Read);
        assert!(usable(&t, now).is_ok());
        t.expires = Some(now - chrono::Duration::minutes(1));
        assert!(usable(&t, now).unwrap_err().to_string().contains("API token t expired at"));
        t.expires = None;
        t.revoked = Some(now);
        assert!(usable(&t, now).unwrap_err().to_string().contains("revoked"));
    }

    #[test]
    fn classes_nest_and_each_refusal_names_the_permission() {
        let w = token(Permission::Write);
        assert!(permitted(&w, "server_list").is_ok() && permitted(&w, "server_add").is_ok());
        let e = permitted(&w, "server_remove").unwrap_err().to_string();
        assert!(e.contains("needs class `dangerous`") && e.contains("class `write`"), "{e}");
        let mut a = token(Permission::Dangerous);
        a.allow = vec!["ha_*".into()];
        assert!(permitted(&a, "ha_states").is_ok());
        assert!(permitted(&a, "server_list").unwrap_err().to_string().contains("allow list (ha_*)"));
        assert!(permitted(&a, "no_such_tool").is_err());
    }

    #[test]
    fn the_rate_window_refuses_with_a_retry_time_then_lets_in_again() {
        let rt = Runtime::default();
        let t = token(Permission::Read);
        let start = Instant::now();
        assert!(within_rate(&rt, &t, start).is_ok() && within_rate(&rt, &t, start).is_ok());
        let e = within_rate(&rt, &t, start + Duration::from_secs(10)).unwrap_err().to_string();
        assert!(e.contains("2/min") && e.contains("retry in 50.0 s"), "{e}");
        assert!(within_rate(&rt, &t, start + Duration::from_secs(61)).is_ok());
        // A peek refuses while full and never counts itself.
        let full = start + Duration::from_secs(62);
        assert!(over_rate(&rt, &t, full).unwrap().is_none() && within_rate(&rt, &t, full).is_ok());
        let wait = over_rate(&rt, &t, full).unwrap().unwrap();
        assert!(wait > 58_000 && wait <= 60_000, "{wait}");
        assert!(matches!(within_rate(&rt, &t, full), Err(EngineError::RateLimited { .. })));
    }
}
