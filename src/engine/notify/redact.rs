//! Keeping secrets out of what notifications leave behind. A route's secret
//! (a Slack URL, a Gotify token, an SMTP password) is read from the vault
//! for one attempt and handed to the protocol; every error that attempt
//! produces passes through [`scrub`] before it is stored, logged or shown,
//! and URLs are shown as scheme and host only.

use crate::engine::secret_value::{REDACTED, SecretValue};

/// `https://hooks.slack.com/services/T…/B…/x…` → `https://hooks.slack.com/[redacted]`:
/// enough to tell where it points, nothing that lets anyone post to it.
pub fn url(u: &str) -> String {
    let (scheme, rest) = match u.split_once("://") {
        Some((s, r)) => (s, r),
        None => return REDACTED.to_string(),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if rest.len() > authority.len() || authority.contains('@') {
        format!("{scheme}://{host}/{REDACTED}")
    } else {
        format!("{scheme}://{host}")
    }
}

/// `text` with every occurrence of each secret replaced by `[redacted]`
/// (also as it would appear percent-encoded or with its query cut off, as
/// HTTP libraries print URLs). The last line of defence: messages are
/// built without secrets in the first place.
pub fn scrub(text: &str, secrets: &[&SecretValue]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        let v = s.expose();
        if v.len() < 4 {
            continue;
        }
        out = out.replace(v, REDACTED);
        // A URL secret also leaks through its path or query alone.
        if let Some((_, rest)) = v.split_once("://")
            && let Some((_, path)) = rest.split_once('/')
            && path.len() >= 4
        {
            out = out.replace(path, REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_only_scheme_and_host() {
        assert_eq!(url("https://hooks.slack.com/services/T1/B2/xyz"), "https://hooks.slack.com/[redacted]");
        assert_eq!(url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(url("http://u:pw@h/x"), "http://h/[redacted]");
        assert_eq!(url("garbage"), REDACTED);
    }

    #[test]
    fn secrets_are_scrubbed_whole_and_by_path() {
        let s = SecretValue::new("https://h/services/canary-777");
        let t = scrub("error for url (https://h/services/canary-777): refused; path services/canary-777", &[&s]);
        assert!(!t.contains("canary-777"), "{t}");
    }
}
