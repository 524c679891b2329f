//! One attempt of one delivery: read the route's secrets from the vault,
//! build the request, send it, and say whether the peer acknowledged it.
//! Every error is scrubbed of the secrets used before it leaves here.

use super::config::{RouteConfig, RouteKind};
use super::model::Delivery;
use super::redact;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::EngineError;
use crate::engine::secret_value::SecretValue;
use std::time::Duration;

/// Why an attempt did not deliver. `counted: false` when nothing was tried
/// because the vault was locked: that waits without using up an attempt.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub counted: bool,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), counted: true }
    }
}

/// The secrets one attempt uses, zeroized when it ends.
#[derive(Default)]
pub(crate) struct Creds {
    pub url: Option<SecretValue>,
    pub token: Option<SecretValue>,
    pub password: Option<SecretValue>,
}

impl Creds {
    fn all(&self) -> Vec<&SecretValue> {
        [&self.url, &self.token, &self.password].into_iter().flatten().collect()
    }
}

fn vault_failure(route: &RouteConfig, e: EngineError) -> Failure {
    match e {
        EngineError::VaultLocked => Failure { message: format!("waiting for the vault to be unlocked (route {} reads a secret from it)", route.name), counted: false },
        other => Failure::new(format!("route {}: {other}", route.name)),
    }
}

fn read(inner: &Inner, route: &RouteConfig, name: &Option<String>) -> Result<Option<SecretValue>, Failure> {
    let purpose = format!("notify route {}", route.name);
    name.as_deref().map(|n| crate::engine::vault::use_secret(inner, &Actor::engine(), n, &purpose)).transpose().map_err(|e| vault_failure(route, e))
}

/// Deliver `d` on `route` once.
pub(crate) async fn attempt(inner: &Inner, route: &RouteConfig, d: &Delivery, timeout: Duration) -> Result<(), Failure> {
    let mut creds = Creds { url: read(inner, route, &route.url_secret)?, token: read(inner, route, &route.token_secret)?, ..Creds::default() };
    if route.kind == RouteKind::Email {
        creds.password = read(inner, route, &route.password_secret)?;
        let r = super::email::send(route, d, creds.password.as_ref(), timeout).await;
        return r.map_err(|m| Failure::new(redact::scrub(&m, &creds.all())));
    }
    let r = http(inner, route, d, &creds, timeout).await;
    r.map_err(|mut f| {
        f.message = redact::scrub(&f.message, &creds.all());
        f
    })
}

async fn http(inner: &Inner, route: &RouteConfig, d: &Delivery, creds: &Creds, timeout: Duration) -> Result<(), Failure> {
    let Some(body) = super::payload::body(route, d) else { return Err(Failure::new("no HTTP body for this kind of route")) };
    let plain = route.url.clone().unwrap_or_default();
    let (url, shown, bearer) = match route.kind {
        RouteKind::Webhook => match &creds.url {
            Some(s) => (s.expose().to_string(), redact::url(s.expose()), creds.token.as_ref()),
            None => (plain.clone(), plain, creds.token.as_ref()),
        },
        RouteKind::Ntfy => (plain.clone(), plain, creds.token.as_ref()),
        RouteKind::Gotify => {
            let u = format!("{}/message", plain.trim_end_matches('/'));
            (u.clone(), u, None)
        }
        RouteKind::Slack | RouteKind::Discord => {
            let s = creds.url.as_ref().ok_or_else(|| Failure::new(format!("route {} has no url_secret", route.name)))?;
            (s.expose().to_string(), redact::url(s.expose()), None)
        }
        RouteKind::Ha => return ha(inner, route, &body, d, timeout).await,
        RouteKind::Email => return Err(Failure::new("email is not sent over HTTP")),
    };
    let mut req = inner.notify.http.post(&url).json(&body).timeout(timeout).header("X-Homedeck-Delivery", d.id.to_string());
    if let Some(t) = bearer {
        req = req.bearer_auth(t.expose());
    }
    if route.kind == RouteKind::Gotify
        && let Some(t) = &creds.token
    {
        req = req.header("X-Gotify-Key", t.expose());
    }
    post(req, &shown, timeout).await
}

/// Home Assistant's `notify.<service>` with the profile's own token.
async fn ha(inner: &Inner, route: &RouteConfig, body: &serde_json::Value, d: &Delivery, timeout: Duration) -> Result<(), Failure> {
    let name = route.profile.as_deref().unwrap_or_default();
    let p = crate::engine::ha::profile::get(&inner.store, name).map_err(|e| Failure::new(format!("route {}: {e}", route.name)))?;
    let token = crate::engine::ha::handlers::token(inner, &Actor::engine(), &p, "notify").map_err(|e| vault_failure(route, e))?;
    let path = format!("/api/services/notify/{}", route.service.as_deref().unwrap_or_default());
    let url = crate::engine::ha::rest::join(&p.url, &path);
    let req = inner.notify.http.post(&url).json(body).timeout(timeout).bearer_auth(token.expose()).header("X-Homedeck-Delivery", d.id.to_string());
    post(req, &format!("Home Assistant {} ({url})", p.name), timeout).await.map_err(|mut f| {
        f.message = redact::scrub(&f.message, &[&token]);
        f
    })
}

/// Send and judge the answer: any 2xx is an acknowledgement.
async fn post(req: reqwest::RequestBuilder, shown: &str, timeout: Duration) -> Result<(), Failure> {
    let resp = req.send().await.map_err(|e| {
        let why = if e.is_timeout() {
            format!("no answer within {} s", timeout.as_secs())
        } else if e.is_connect() {
            "connection refused or host unreachable".to_string()
        } else {
            e.without_url().to_string()
        };
        Failure::new(format!("{shown}: {why}"))
    })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let text = resp.text().await.unwrap_or_default();
    let text: String = text.trim().chars().take(200).collect();
    Err(Failure::new(format!("{shown} answered HTTP {}{}", status.as_u16(), if text.is_empty() { String::new() } else { format!(": {text}") })))
}
