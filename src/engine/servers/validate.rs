//! Validation of everything a person types about a server. Each error names
//! the field and quotes the bad value. None of these values can carry shell
//! metacharacters, so none can reach a command line as code even before the
//! quoting in `quote.rs` applies.

use crate::engine::error::{EngineError, EngineResult};
use std::net::IpAddr;

/// Server names, tags and sites: what people type and scripts match on.
pub fn name(field: &str, value: &str) -> EngineResult<()> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    let first_ok = value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if value.is_empty() || value.len() > 63 || !first_ok || !value.chars().all(ok) {
        return Err(EngineError::invalid(
            field,
            value,
            "1–63 characters of letters, digits and - _ . starting with a letter or digit",
        ));
    }
    Ok(())
}

/// A hostname (RFC 1123 labels) or an IPv4/IPv6 address.
pub fn host(value: &str) -> EngineResult<()> {
    let bare = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(value);
    if bare.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let trimmed = value.strip_suffix('.').unwrap_or(value);
    let all_numeric = trimmed.split('.').all(|l| l.chars().all(|c| c.is_ascii_digit()));
    if trimmed.is_empty() || trimmed.len() > 253 || !trimmed.split('.').all(label_ok) || all_numeric {
        return Err(EngineError::invalid(
            "host",
            value,
            "a hostname (letters, digits, hyphens; dot-separated labels) or an IPv4/IPv6 address",
        ));
    }
    Ok(())
}

pub fn port(value: u32) -> EngineResult<u16> {
    u16::try_from(value)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| EngineError::invalid("port", value.to_string(), "a TCP port from 1 to 65535"))
}

/// POSIX-style login names (what useradd accepts by default).
pub fn user(value: &str) -> EngineResult<()> {
    let first_ok = value.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if value.is_empty() || value.len() > 32 || !first_ok || !value.chars().all(ok) {
        return Err(EngineError::invalid(
            "user",
            value,
            "a login name: 1–32 of letters, digits, - _ . starting with a lower-case letter or _",
        ));
    }
    Ok(())
}

/// `a,b , c` → `["a","b","c"]`, each checked as a name, duplicates dropped.
pub fn tags(value: &str) -> EngineResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        name("tag", t)?;
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// `host:port` → (host, port), as typed in the console's Host field or on
/// `server add --host`; `[ipv6]:port` names a port, a bare IPv6 address
/// stays whole. Errors quote the bad part and say what was expected.
pub fn split_address(text: &str) -> Result<(String, Option<u32>), String> {
    if text.is_empty() {
        return Err("the host is empty — expected a hostname, an IP address or host:port".into());
    }
    let port = |p: &str| match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(u32::from(n)),
        _ => Err(format!("invalid port {p:?} in {text:?}: expected a TCP port from 1 to 65535")),
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (h, p) = rest.split_once(']').ok_or_else(|| format!("{text:?}: expected [ipv6]:port"))?;
        return Ok((h.to_string(), p.strip_prefix(':').map(port).transpose()?));
    }
    match text.split_once(':') {
        Some((h, p)) if !p.contains(':') => Ok((h.to_string(), Some(port(p)?))),
        _ => Ok((text.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in ["nas", "nas.lan", "192.168.1.10", "::1", "[fe80::1]", "a-b.example.com.", "pi4"] {
            assert!(host(ok).is_ok(), "{ok}");
        }
        for bad in ["", "nas;rm", "-x", "a..b", "$(id)", "host name", "999.1.1.1", "a`b`", "x\ny"] {
            let e = host(bad).unwrap_err().to_string();
            assert!(e.contains("host") && e.contains("expected"), "{e}");
        }
    }

    #[test]
    fn names_users_ports_tags() {
        assert!(name("name", "web-1").is_ok());
        for bad in ["", "-a", "a b", "a;b", "ä", &"x".repeat(64)] {
            assert!(name("name", bad).is_err(), "{bad}");
        }
        assert!(user("root").is_ok() && user("_svc").is_ok());
        assert!(user("Root$").is_err() && user("a'b").is_err());
        assert_eq!(port(22).unwrap(), 22);
        let e = port(70000).unwrap_err().to_string();
        assert!(e.contains("70000") && e.contains("1 to 65535"), "{e}");
        assert!(port(0).is_err());
        assert_eq!(tags("a, b,,a").unwrap(), vec!["a", "b"]);
        assert!(tags("ok,$(x)").unwrap_err().to_string().contains("tag"));
    }

    #[test]
    fn addresses_split_into_host_and_port() {
        assert_eq!(split_address("nas:2222").unwrap(), ("nas".into(), Some(2222)));
        assert_eq!(split_address("[::1]:22").unwrap(), ("::1".into(), Some(22)));
        assert_eq!(split_address("fe80::1").unwrap(), ("fe80::1".into(), None));
        assert_eq!(split_address("10.0.0.5").unwrap(), ("10.0.0.5".into(), None));
        assert!(split_address("nas:port").unwrap_err().contains("\"port\""));
    }
}
