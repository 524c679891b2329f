//! `[notify]` and `[[notify.routes]]` in config.toml: where notifications go
//! and how hard delivery tries. Read by the front end (config.rs) into
//! [`NotifyOptions`] and checked here, so a typo or a token pasted into a
//! plain URL is refused at start with the bad value named — never found out
//! at three in the morning when the first alert has nowhere to go.
//!
//! A URL that carries a token (Slack, Discord, a webhook with a key in it)
//! is never written in config.toml: the route names a vault secret that
//! holds it (`url_secret`), and every display of the route shows it
//! redacted.

use crate::engine::audit::Severity;
use crate::engine::error::{EngineError, EngineResult};
use serde::{Deserialize, Serialize};

/// The kinds of route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// A JSON POST in homedeck's own schema (docs/user-guide.md).
    Webhook,
    /// An ntfy server's JSON publish endpoint.
    Ntfy,
    /// A Gotify server's `/message` with an application token.
    Gotify,
    /// A Slack incoming webhook.
    Slack,
    /// A Discord incoming webhook.
    Discord,
    /// Home Assistant's `notify.<service>` through a connection profile.
    Ha,
    /// Email over SMTP.
    Email,
}

impl RouteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Webhook => "webhook",
            RouteKind::Ntfy => "ntfy",
            RouteKind::Gotify => "gotify",
            RouteKind::Slack => "slack",
            RouteKind::Discord => "discord",
            RouteKind::Ha => "ha",
            RouteKind::Email => "email",
        }
    }
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the
    /// server does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Implicit,
    /// No TLS at all: only for a relay on this machine; no login allowed.
    None,
}

/// One `[[notify.routes]]` entry. Which fields apply depends on `kind`;
/// [`RouteConfig::validate`] says which are missing or do not belong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    pub name: String,
    pub kind: RouteKind,
    /// webhook, ntfy, gotify: the server's URL (no token in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// slack, discord, webhook: a vault secret holding the whole URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_secret: Option<String>,
    /// gotify: the application token; ntfy and webhook: a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
    /// ntfy: the topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// ha: the Home Assistant connection profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// ha: the notify service, e.g. `mobile_app_phone` (→ notify.mobile_app_phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// email: the SMTP server, its port (default 587, or 465 for implicit TLS) and TLS mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    /// email: a PEM file of an extra CA to trust (a home mail server's own certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// email: login name; the password is the vault secret `password_secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Notices below this severity are not sent on this route.
    #[serde(default = "default_min")]
    pub min_severity: Severity,
    /// Collect notices for this many seconds into one message (0: each alone).
    #[serde(default)]
    pub batch_secs: u64,
}

fn default_min() -> Severity {
    Severity::Info
}

/// `[notify]`: the delivery settings, and the routes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyOptions {
    /// Attempts before a delivery goes to the dead-letter list.
    pub max_attempts: u32,
    /// The first retry waits about this long; each later one twice as long …
    pub backoff_secs: u64,
    /// … up to this.
    pub backoff_max_secs: u64,
    /// One attempt gives up after this long (a hung receiver is a failure).
    pub timeout_secs: u64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    pub routes: Vec<RouteConfig>,
}

impl Default for NotifyOptions {
    fn default() -> Self {
        NotifyOptions { max_attempts: 10, backoff_secs: 5, backoff_max_secs: 3600, timeout_secs: 10, concurrency: 8, routes: Vec::new() }
    }
}

impl NotifyOptions {
    pub fn route(&self, name: &str) -> Option<&RouteConfig> {
        self.routes.iter().find(|r| r.name == name)
    }

    /// Every setting and route checked; the error names `notify.<key>` and the value.
    pub fn validate(&self) -> EngineResult<()> {
        let bad = |k: &str, v: String, want: &str| Err(EngineError::invalid(&format!("notify.{k}"), v, want));
        if !(1..=100).contains(&self.max_attempts) {
            return bad("max_attempts", self.max_attempts.to_string(), "1 to 100");
        }
        if !(1..=86_400).contains(&self.backoff_secs) {
            return bad("backoff_secs", self.backoff_secs.to_string(), "1 to 86400 (seconds)");
        }
        if self.backoff_max_secs < self.backoff_secs || self.backoff_max_secs > 7 * 86_400 {
            return bad("backoff_max_secs", self.backoff_max_secs.to_string(), "at least backoff_secs and at most 604800 (seconds)");
        }
        if !(1..=300).contains(&self.timeout_secs) {
            return bad("timeout_secs", self.timeout_secs.to_string(), "1 to 300 (seconds)");
        }
        if !(1..=256).contains(&self.concurrency) {
            return bad("concurrency", self.concurrency.to_string(), "1 to 256");
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.routes {
            r.validate()?;
            if !seen.insert(r.name.as_str()) {
                return bad("routes.name", r.name.clone(), "a name no other route has");
            }
        }
        Ok(())
    }
}

impl RouteConfig {
    /// What this route needs for its kind, and nothing that does not belong.
    pub fn validate(&self) -> EngineResult<()> {
        let n = &self.name;
        let field = |k: &str| format!("notify.routes[{n}].{k}");
        if n.is_empty() || n.len() > 64 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(EngineError::invalid("notify.routes.name", n.clone(), "1–64 letters, digits, - or _"));
        }
        let need = |k: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Ok(()),
            _ => Err(EngineError::invalid(&field(k), "", &format!("a value: a {} route needs {k}", self.kind.as_str()))),
        };
        let refuse = |k: &str, v: bool| {
            if v {
                Err(EngineError::invalid(&field(k), "(set)", &format!("nothing: a {} route does not use {k}", self.kind.as_str())))
            } else {
                Ok(())
            }
        };
        let email_fields = self.smtp_host.is_some() || self.username.is_some() || self.password_secret.is_some() || self.from.is_some() || !self.to.is_empty();
        if self.batch_secs > 3600 {
            return Err(EngineError::invalid(&field("batch_secs"), self.batch_secs.to_string(), "0 to 3600 (seconds)"));
        }
        if let Some(u) = &self.url {
            plain_url(&field("url"), u)?;
        }
        match self.kind {
            RouteKind::Webhook => {
                if self.url.is_some() == self.url_secret.is_some() {
                    return Err(EngineError::invalid(&field("url"), self.url.clone().unwrap_or_default(), "either url or url_secret (a vault secret holding a URL with a token in it), not both"));
                }
                refuse("smtp_host", email_fields)?;
            }
            RouteKind::Ntfy => {
                need("url", &self.url)?;
                need("topic", &self.topic)?;
                let t = self.topic.as_deref().unwrap_or("");
                if !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || t.len() > 64 {
                    return Err(EngineError::invalid(&field("topic"), t, "1–64 letters, digits, - or _ (ntfy's topic alphabet)"));
                }
                refuse("url_secret", self.url_secret.is_some())?;
            }
            RouteKind::Gotify => {
                need("url", &self.url)?;
                need("token_secret", &self.token_secret)?;
                refuse("url_secret", self.url_secret.is_some())?;
            }
            RouteKind::Slack | RouteKind::Discord => {
                if let Some(u) = &self.url {
                    return Err(EngineError::invalid(
                        &field("url"),
                        crate::engine::notify::redact::url(u),
                        "no url: a Slack or Discord webhook URL is its token — store it with `homedeck secret add NAME` and name it in url_secret",
                    ));
                }
                need("url_secret", &self.url_secret)?;
                refuse("token_secret", self.token_secret.is_some())?;
            }
            RouteKind::Ha => {
                need("profile", &self.profile)?;
                need("service", &self.service)?;
                let s = self.service.as_deref().unwrap_or("");
                if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(EngineError::invalid(&field("service"), s, "a notify service name such as mobile_app_phone (letters, digits, _)"));
                }
                refuse("url", self.url.is_some() || self.url_secret.is_some())?;
            }
            RouteKind::Email => self.validate_email(&field)?,
        }
        Ok(())
    }

    fn validate_email(&self, field: &dyn Fn(&str) -> String) -> EngineResult<()> {
        let host = self.smtp_host.as_deref().unwrap_or("").trim();
        if host.is_empty() || host.contains(['/', ' ', '@']) {
            return Err(EngineError::invalid(&field("smtp_host"), host, "the SMTP server's host name or address"));
        }
        let from = self.from.as_deref().unwrap_or("");
        mailbox(&field("from"), from)?;
        if self.to.is_empty() {
            return Err(EngineError::invalid(&field("to"), "[]", "at least one address"));
        }
        for t in &self.to {
            mailbox(&field("to"), t)?;
        }
        if self.username.is_some() != self.password_secret.is_some() {
            return Err(EngineError::invalid(&field("password_secret"), self.password_secret.clone().unwrap_or_default(), "both username and password_secret, or neither"));
        }
        if self.tls == TlsMode::None && self.username.is_some() {
            return Err(EngineError::invalid(&field("tls"), "none", "starttls or implicit: a login must not cross the network in clear"));
        }
        if self.url.is_some() || self.url_secret.is_some() || self.token_secret.is_some() {
            return Err(EngineError::invalid(&field("url"), "(set)", "nothing: an email route uses smtp_host, from and to"));
        }
        Ok(())
    }

    /// The SMTP port: as set, else the usual one for the TLS mode.
    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        })
    }

    /// The vault secrets this route reads when it sends.
    pub fn secrets(&self) -> Vec<&str> {
        [&self.url_secret, &self.token_secret, &self.password_secret].into_iter().filter_map(|s| s.as_deref()).collect()
    }
}

/// An http(s) URL with no login in it (a token belongs in the vault).
fn plain_url(field: &str, u: &str) -> EngineResult<()> {
    let rest = u.strip_prefix("http://").or_else(|| u.strip_prefix("https://"));
    let Some(rest) = rest else {
        return Err(EngineError::invalid(field, crate::engine::notify::redact::url(u), "an http:// or https:// URL"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(EngineError::invalid(field, crate::engine::notify::redact::url(u), "a URL with a host"));
    }
    if authority.contains('@') {
        return Err(EngineError::invalid(
            field,
            crate::engine::notify::redact::url(u),
            "a URL without user:password@ — put credentials in the vault (token_secret or url_secret)",
        ));
    }
    Ok(())
}

/// `name@domain` or `Name <name@domain>`, checked by lettre's own parser.
fn mailbox(field: &str, s: &str) -> EngineResult<()> {
    s.parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|_| EngineError::invalid(field, s, "an email address such as ops@example.org or \"Ops <ops@example.org>\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> EngineResult<NotifyOptions> {
        let o: NotifyOptions = toml::from_str(text).map_err(|e| EngineError::Other(e.to_string()))?;
        o.validate()?;
        Ok(o)
    }

    #[test]
    fn every_kind_reads_and_checks() {
        let o = parse(
            r#"
            [[routes]]
            name = "hook"
            kind = "webhook"
            url = "http://127.0.0.1:9/x"
            [[routes]]
            name = "phone"
            kind = "ntfy"
            url = "https://ntfy.sh"
            topic = "homelab"
            token_secret = "ntfy/token"
            [[routes]]
            name = "got"
            kind = "gotify"
            url = "http://gotify.lan"
            token_secret = "gotify/app"
            [[routes]]
            name = "slack"
            kind = "slack"
            url_secret = "slack/ops"
            min_severity = "high"
            batch_secs = 60
            [[routes]]
            name = "ha"
            kind = "ha"
            profile = "home"
            service = "mobile_app_phone"
            [[routes]]
            name = "mail"
            kind = "email"
            smtp_host = "mail.lan"
            from = "homedeck@lan"
            to = ["me@lan"]
            username = "homedeck"
            password_secret = "smtp/pw"
            "#,
        )
        .unwrap();
        assert_eq!(o.routes.len(), 6);
        assert_eq!(o.route("mail").unwrap().port(), 587);
        assert_eq!(o.route("slack").unwrap().min_severity, Severity::High);
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse("[[routes]]\nname = \"s\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/services/T1/B2/canarytoken\"\n").unwrap_err().to_string();
        assert!(e.contains("notify.routes[s].url") && e.contains("url_secret"), "{e}");
        assert!(!e.contains("canarytoken"), "a token in a refused URL is not repeated: {e}");
        let e = parse("[[routes]]\nname = \"n\"\nkind = \"ntfy\"\nurl = \"ftp://x\"\ntopic = \"t\"\n").unwrap_err().to_string();
        assert!(e.contains("ftp://x") && e.contains("http"), "{e}");
        let e = parse("[[routes]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"h\"\nfrom = \"not an address\"\nto = [\"a@b\"]\n").unwrap_err().to_string();
        assert!(e.contains("not an address"), "{e}");
        let e = parse("[[routes]]\nname = \"m\"\nkind = \"email\"\nsmtp_host = \"h\"\nfrom = \"a@b\"\nto = [\"a@b\"]\ntls = \"none\"\nusername = \"u\"\npassword_secret = \"p\"\n").unwrap_err().to_string();
        assert!(e.contains("tls") && e.contains("clear"), "{e}");
        let e = parse("[[routes]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"http://user:hunter2@h/\"\n").unwrap_err().to_string();
        assert!(!e.contains("hunter2") && e.contains("user:password@"), "{e}");
        let e = parse("max_attempts = 0\n").unwrap_err().to_string();
        assert!(e.contains("notify.max_attempts") && e.contains('0'), "{e}");
        let e = parse("[[routes]]\nname = \"a\"\nkind = \"pager\"\n").unwrap_err().to_string();
        assert!(e.contains("pager"), "{e}");
        let two = "[[routes]]\nname = \"a\"\nkind = \"webhook\"\nurl = \"http://h/\"\n";
        let e = parse(&format!("{two}{two}")).unwrap_err().to_string();
        assert!(e.contains("no other route"), "{e}");
    }
}
