//! Home Assistant's REST API with a bearer token: `/api/`, `/api/config`,
//! `/api/states`, service calls and the core config check; plus the
//! unauthenticated `/manifest.json` the health check uses to see that HA's
//! web server is up. Bodies are capped; errors name the instance and URL and
//! tell a refused token from an unreachable host. The token is a
//! `SecretValue` and never appears in an error.

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;

/// `/api/states` of a big instance is a few MB; more is refused.
pub const MAX_BODY: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
}

/// A failed request, sorted so callers can tell a token problem from a down host.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Unreachable(String),
    Unauthorized,
    Status(u16, String),
    Body(String),
    /// Not sent: the profile's circuit breaker is open or its queue full
    /// (`guard.rs`); the message says which and when to try again.
    Guarded(String),
}

impl Failure {
    pub fn into_error(self, instance: &str, url: &str, token_hint: &str) -> EngineError {
        EngineError::Other(match self {
            Failure::Unreachable(why) => format!("Home Assistant {instance} did not answer {url}: {why}"),
            Failure::Unauthorized => format!(
                "Home Assistant {instance} refused the access token (HTTP 401 at {url}): {token_hint}"
            ),
            Failure::Status(code, body) => format!("Home Assistant {instance} answered {url} with HTTP {code}: {body}"),
            Failure::Body(why) => format!("Home Assistant {instance} sent an unreadable answer from {url}: {why}"),
            Failure::Guarded(why) => format!("{why} ({url} not called)"),
        })
    }
}

impl Rest {
    pub fn new() -> EngineResult<Rest> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(20))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("homedeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EngineError::Other(format!("cannot start the HTTP client: {e}")))?;
        Ok(Rest { client })
    }

    /// GET `base + path`, with the token when given; the JSON body.
    pub async fn get(&self, base: &str, path: &str, token: Option<&SecretValue>) -> Result<Value, Failure> {
        let url = join(base, path);
        let mut req = self.client.get(&url);
        if let Some(t) = token {
            req = req.bearer_auth(t.expose());
        }
        let resp = req.send().await.map_err(why)?;
        json(resp).await
    }

    /// POST JSON with the token.
    pub async fn post(&self, base: &str, path: &str, token: &SecretValue, body: &Value) -> Result<Value, Failure> {
        let url = join(base, path);
        let resp = self.client.post(&url).bearer_auth(token.expose()).json(body).send().await.map_err(why)?;
        json(resp).await
    }

    /// POST JSON without a token (onboarding, token exchange) as a form or JSON.
    pub async fn post_form(&self, base: &str, path: &str, form: &[(&str, &str)]) -> Result<Value, Failure> {
        let resp = self.client.post(join(base, path)).form(form).send().await.map_err(why)?;
        json(resp).await
    }
}

pub fn join(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}

fn why(e: reqwest::Error) -> Failure {
    Failure::Unreachable(if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or host unreachable".into()
    } else {
        e.to_string()
    })
}

async fn json(resp: reqwest::Response) -> Result<Value, Failure> {
    let status = resp.status();
    if status.as_u16() == 401 || status.as_u16() == 403 {
        return Err(Failure::Unauthorized);
    }
    if resp.content_length().is_some_and(|l| l > MAX_BODY as u64) {
        return Err(Failure::Body(format!("larger than {MAX_BODY} bytes")));
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Failure::Unreachable(format!("reading the answer failed: {e}")))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::Body(format!("larger than {MAX_BODY} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).trim().to_string();
        return Err(Failure::Status(status.as_u16(), text));
    }
    if body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&body).map_err(|e| Failure::Body(e.to_string()))
}
