//! API tokens for MCP clients: `hd_` + 64 hex digits (256 bits from the OS
//! generator), shown once when created or rotated; only its SHA-256 is
//! stored. Each token has a class (read ⊂ write ⊂ dangerous), allow and deny
//! globs over tool names, an optional expiry and rate. Every change is an
//! audited verb; the value never reaches the audit log.

use crate::engine::command_table::Permission;
use crate::engine::context::Ctx;
use crate::engine::digest::{hex, sha256_hex};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::mcp::outcome::{McpOutcome, TokenView};
use crate::engine::secret_value::SecretValue;
use crate::engine::store::codec::Record;
use crate::engine::{Inner, Outcome};
use chrono::{DateTime, Duration, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// name → token record.
pub const TOKENS: &str = "mcp_tokens";
pub const PREFIX: &str = "hd_";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub name: String,
    /// SHA-256 of the whole token, lowercase hex.
    pub hash: String,
    pub class: Permission,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    /// Calls per `rate_secs`.
    pub rate: Option<(u32, u64)>,
    pub last_used: Option<DateTime<Utc>>,
    pub uses: u64,
    pub revoked: Option<DateTime<Utc>>,
}

impl Record for TokenRecord {
    const WHAT: &'static str = "API token";
}

impl TokenRecord {
    pub fn view(&self) -> TokenView {
        TokenView {
            name: self.name.clone(),
            class: self.class,
            allow: self.allow.clone(),
            deny: self.deny.clone(),
            created: self.created,
            expires: self.expires,
            rate: self.rate.map(|(n, secs)| format!("{n}/{}", unit_name(secs))),
            last_used: self.last_used,
            uses: self.uses,
            revoked: self.revoked,
        }
    }
}

fn unit_name(secs: u64) -> &'static str {
    match secs {
        1 => "s",
        60 => "min",
        3600 => "h",
        _ => "day",
    }
}

/// `read`, `write` or `dangerous` (default read).
pub fn parse_class(s: Option<&str>) -> EngineResult<Permission> {
    match s.unwrap_or("read") {
        "read" => Ok(Permission::Read),
        "write" => Ok(Permission::Write),
        "dangerous" => Ok(Permission::Dangerous),
        other => Err(EngineError::Invalid { field: "class".into(), value: other.into(), expected: "read, write or dangerous".into() }),
    }
}

/// `30d`, `12h`, `90m`, or `never`.
pub fn parse_expires(s: Option<&str>, now: DateTime<Utc>) -> EngineResult<Option<DateTime<Utc>>> {
    let Some(s) = s.map(str::trim) else { return Ok(None) };
    if s == "never" {
        return Ok(None);
    }
    let bad = || EngineError::Invalid { field: "expires".into(), value: s.into(), expected: "a duration like 30d, 12h or 90m, or never".into() };
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let d = match unit {
        "d" => Duration::days(n),
        "h" => Duration::hours(n),
        "m" => Duration::minutes(n),
        _ => return Err(bad()),
    };
    if n <= 0 {
        return Err(bad());
    }
    Ok(Some(now + d))
}

/// `60/min`, `10/s`, `1000/h`, `5000/day`.
pub fn parse_rate(s: Option<&str>) -> EngineResult<Option<(u32, u64)>> {
    let Some(s) = s.map(str::trim) else { return Ok(None) };
    let bad = || EngineError::Invalid { field: "rate".into(), value: s.into(), expected: "calls per period, like 60/min, 10/s, 1000/h or 5000/day".into() };
    let (n, unit) = s.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "s" | "sec" => 1,
        "m" | "min" => 60,
        "h" | "hour" => 3600,
        "d" | "day" => 86_400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    Ok(Some((n, secs)))
}

/// Comma-separated globs (`server_*`, `ha_states`); each must match a tool.
pub fn parse_globs(field: &str, s: Option<&str>) -> EngineResult<Vec<String>> {
    let mut out = Vec::new();
    for g in s.unwrap_or("").split(',').map(str::trim).filter(|g| !g.is_empty()) {
        if !g.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*' | '?')) {
            return Err(EngineError::Invalid { field: field.into(), value: g.into(), expected: "tool-name globs of letters, digits, _ - * ?".into() });
        }
        if !crate::engine::COMMANDS.iter().any(|c| glob(g, c.name)) {
            return Err(EngineError::Invalid { field: field.into(), value: g.into(), expected: "a glob matching at least one tool name".into() });
        }
        out.push(g.to_string());
    }
    Ok(out)
}

/// `*` any run, `?` one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn new_secret() -> EngineResult<SecretValue> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| EngineError::Other("the OS random generator failed".into()))?;
    Ok(SecretValue::new(format!("{PREFIX}{}", hex(&bytes))))
}

pub(crate) fn get(inner: &Inner, name: &str) -> EngineResult<TokenRecord> {
    inner.store.get::<TokenRecord>(&inner.store.tree(TOKENS)?, name.as_bytes())?.ok_or_else(|| EngineError::not_found("API token", name))
}

pub(crate) fn all(inner: &Inner) -> EngineResult<Vec<TokenRecord>> {
    let mut out = Vec::new();
    for item in inner.store.tree(TOKENS)?.iter() {
        let (_, v) = item?;
        out.push(crate::engine::store::codec::decode::<TokenRecord>(&v)?);
    }
    Ok(out)
}

pub(crate) fn put(inner: &Inner, t: &TokenRecord) -> EngineResult<()> {
    inner.store.put(&inner.store.tree(TOKENS)?, t.name.as_bytes(), t)
}

pub(crate) struct NewToken<'a> {
    pub name: &'a str,
    pub class: Option<&'a str>,
    pub allow: Option<&'a str>,
    pub deny: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub rate: Option<&'a str>,
}

pub(crate) fn create(inner: &Inner, ctx: &mut Ctx, n: NewToken<'_>) -> EngineResult<Outcome> {
    ctx.resource("api_token", None, Some(n.name.to_string()));
    if n.name.is_empty() || !n.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return Err(EngineError::Invalid { field: "name".into(), value: n.name.into(), expected: "letters, digits, _ - .".into() });
    }
    if inner.store.get::<TokenRecord>(&inner.store.tree(TOKENS)?, n.name.as_bytes())?.is_some() {
        return Err(EngineError::AlreadyExists { what: "API token".into(), name: n.name.into() });
    }
    let now = Utc::now();
    let secret = new_secret()?;
    let record = TokenRecord {
        name: n.name.to_string(),
        hash: sha256_hex(secret.expose().as_bytes()),
        class: parse_class(n.class)?,
        allow: parse_globs("allow", n.allow)?,
        deny: parse_globs("deny", n.deny)?,
        created: now,
        expires: parse_expires(n.expires, now)?,
        rate: parse_rate(n.rate)?,
        last_used: None,
        uses: 0,
        revoked: None,
    };
    put(inner, &record)?;
    let view = record.view();
    ctx.describe(format!("API token {} created (class {})", record.name, record.class.as_str()));
    ctx.change("class", None, Some(record.class.as_str().into()));
    if !record.allow.is_empty() {
        ctx.change("allow", None, Some(record.allow.join(",")));
    }
    if !record.deny.is_empty() {
        ctx.change("deny", None, Some(record.deny.join(",")));
    }
    if let Some(e) = record.expires {
        ctx.change("expires", None, Some(e.to_rfc3339()));
    }
    if let Some(r) = &view.rate {
        ctx.change("rate", None, Some(r.clone()));
    }
    Ok(Outcome::Mcp(McpOutcome::TokenCreated { token: view, secret }))
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Mcp(McpOutcome::TokenList { tokens: all(inner)?.iter().map(TokenRecord::view).collect() }))
}

pub(crate) fn show(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    Ok(Outcome::Mcp(McpOutcome::TokenShow { token: get(inner, name)?.view() }))
}

pub(crate) fn revoke(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("api_token", None, Some(name.to_string()));
    let mut t = get(inner, name)?;
    if t.revoked.is_none() {
        t.revoked = Some(Utc::now());
        put(inner, &t)?;
    }
    ctx.describe(format!("API token {name} revoked"));
    Ok(Outcome::Mcp(McpOutcome::TokenRevoked { name: name.to_string() }))
}

/// A new value for the same token (settings kept); the old one stops working.
pub(crate) fn rotate(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("api_token", None, Some(name.to_string()));
    let mut t = get(inner, name)?;
    if let Some(at) = t.revoked {
        return Err(EngineError::Invalid { field: "name".into(), value: name.into(), expected: format!("a token that is not revoked (revoked {at})") });
    }
    let secret = new_secret()?;
    t.hash = sha256_hex(secret.expose().as_bytes());
    put(inner, &t)?;
    ctx.describe(format!("API token {name} rotated (the old value no longer works)"));
    Ok(Outcome::Mcp(McpOutcome::TokenCreated { token: t.view(), secret }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn globs_and_arguments_parse_or_name_the_bad_value() {
        assert!(glob("server_*", "server_list") && glob("*", "x") && glob("ha_?tates", "ha_states"));
        assert!(!glob("server_*", "ha_states") && !glob("ha_states", "ha_states2"));
        assert_eq!(parse_rate(Some("60/min")).unwrap(), Some((60, 60)));
        assert!(parse_rate(Some("60 per minute")).unwrap_err().to_string().contains("60/min"));
        let now = Utc::now();
        assert_eq!(parse_expires(Some("30d"), now).unwrap(), Some(now + Duration::days(30)));
        assert!(parse_expires(Some("soon"), now).unwrap_err().to_string().contains("\"soon\""));
        assert!(parse_class(Some("admin")).unwrap_err().to_string().contains("read, write or dangerous"));
        assert!(parse_globs("allow", Some("nothing_matches_*")).is_err());
        assert_eq!(parse_globs("deny", Some("server_remove, ha_*")).unwrap(), ["server_remove", "ha_*"]);
    }

    #[test]
    fn secrets_are_256_bits_with_the_prefix() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert!(a.expose().starts_with(PREFIX) && a.expose().len() == PREFIX.len() + 64);
        assert_ne!(a.expose(), b.expose());
    }
}
