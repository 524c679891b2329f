//! One round of chat completion against the configured provider: the API
//! key read from the vault for this request only (sent as a bearer token,
//! never logged), retries with exponential back-off on 429 and 5xx before
//! anything was streamed, tokens handed on as they arrive, and a quiet
//! stream cut after the timeout.

use super::error::{ProviderError, classify};
use super::request;
use super::stream::{self, Assembled};
use crate::engine::actor::Actor;
use crate::engine::ai::ask::RoundEnd;
use crate::engine::ai::model::Message;
use crate::engine::ai::options::ProviderOptions;
use crate::engine::secret_value::SecretValue;
use crate::engine::tools::ToolsetSelection;
use crate::engine::Inner;
use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;

pub(crate) async fn round(
    inner: &Inner,
    actor: &Actor,
    p: &ProviderOptions,
    history: &[Message],
    context: Option<&str>,
    extra: &[String],
    on_token: &mut (dyn FnMut(&str) + Send),
) -> Result<RoundEnd, ProviderError> {
    let key = api_key(inner, actor, p)?;
    let toolsets = inner.ai.opts.get().toolsets;
    // "none": a chat without tools (a model or server that cannot call them).
    let tools = if toolsets.trim() == "none" {
        Vec::new()
    } else {
        request::tools_for(&ToolsetSelection::parse(&toolsets).unwrap_or_default(), inner.opts.readonly)
    };
    let mut messages = request::messages_json_with(history, context, extra);
    // Every secret value out of everything the provider is sent, whatever
    // put it there (a tool result, the person's own text, a summary).
    let scrubber = crate::engine::vault::scrubber(inner);
    messages.iter_mut().for_each(|m| scrubber.scrub_json(m));
    let body = request::body(&p.model, messages, &tools, true, None);
    let mut streamed = false;
    let mut forward = |t: &str| {
        streamed = true;
        on_token(t);
    };
    let mut reply = send(&inner.ai.http, p, key.as_ref(), &body, &mut forward).await?;
    if !streamed && reply.text.is_empty() && reply.calls.is_empty() {
        // Some servers (llama.cpp's with function calling) answer a
        // streamed request that offers tools with an empty stream: ask
        // once more without streaming.
        let mut plain = body.clone();
        plain["stream"] = Value::Bool(false);
        reply = send(&inner.ai.http, p, key.as_ref(), &plain, on_token).await?;
        if !reply.text.is_empty() {
            on_token(&reply.text);
        }
    }
    Ok(if reply.calls.is_empty() { RoundEnd::Text } else { RoundEnd::Calls(reply.calls) })
}

/// The API key, from the vault, for this request only.
pub(crate) fn api_key(inner: &Inner, actor: &Actor, p: &ProviderOptions) -> Result<Option<SecretValue>, ProviderError> {
    match &p.api_key_secret {
        None => Ok(None),
        Some(name) => crate::engine::vault::use_secret(inner, actor, name, &format!("ai provider {}", p.preset.as_str())).map(Some).map_err(|e| ProviderError::Key(e.to_string())),
    }
}

/// POST the body with retries; a streamed body's tokens go to `on_token`
/// as they arrive, a plain one's text comes back whole.
pub async fn send(http: &reqwest::Client, p: &ProviderOptions, key: Option<&SecretValue>, body: &Value, on_token: &mut (dyn FnMut(&str) + Send)) -> Result<Assembled, ProviderError> {
    let url = format!("{}/chat/completions", p.base_url.trim_end_matches('/'));
    let timeout = Duration::from_secs(p.timeout_secs.max(1));
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let mut req = http.post(&url).json(body);
        if let Some(k) = key {
            req = req.bearer_auth(k.expose());
        }
        let resp = match tokio::time::timeout(timeout, req.send()).await {
            Err(_) => return Err(ProviderError::Timeout { url, secs: timeout.as_secs() }),
            Ok(Err(e)) => return Err(ProviderError::EndpointDown { url, reason: reason(&e) }),
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        if status == 429 || status >= 500 {
            let wait = retry_after(&resp).unwrap_or_else(|| backoff(attempt));
            if attempt <= p.retries {
                tokio::time::sleep(wait).await;
                continue;
            }
            if status == 429 {
                return Err(ProviderError::RateLimited { url, attempts: attempt });
            }
        }
        if !(200..300).contains(&status) {
            let text = resp.text().await.unwrap_or_default();
            return Err(classify(&url, &p.model, status, &text));
        }
        if !stream {
            let text = match tokio::time::timeout(timeout, resp.text()).await {
                Err(_) => return Err(ProviderError::Timeout { url, secs: timeout.as_secs() }),
                Ok(r) => r.map_err(|e| ProviderError::Protocol(e.to_string()))?,
            };
            return stream::from_json(&text);
        }
        return read_stream(resp, &url, timeout, on_token).await;
    }
}

async fn read_stream(resp: reqwest::Response, url: &str, idle: Duration, on_token: &mut (dyn FnMut(&str) + Send)) -> Result<Assembled, ProviderError> {
    let mut events = sse_stream::SseStream::from_bytes_stream(resp.bytes_stream());
    let mut acc = Assembled::default();
    loop {
        let next = match tokio::time::timeout(idle, events.next()).await {
            Err(_) => return Err(ProviderError::Timeout { url: url.into(), secs: idle.as_secs() }),
            Ok(n) => n,
        };
        match next {
            None => break,
            Some(Err(e)) => return Err(ProviderError::Protocol(format!("the stream broke: {e}"))),
            Some(Ok(sse)) => {
                let Some(data) = sse.data else { continue };
                if let Some(t) = acc.push_data(&data)? {
                    on_token(&t);
                }
                if data.trim() == "[DONE]" {
                    break;
                }
            }
        }
    }
    Ok(acc.finish())
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.min(6)))
}

/// A short `Retry-After` in seconds is honoured (at most 30 s).
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let secs: u64 = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(30)))
}

/// Why a request did not get an answer, without the URL twice.
fn reason(e: &reqwest::Error) -> String {
    if e.is_connect() {
        let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut last = String::from("connection failed");
        while let Some(s) = src {
            last = s.to_string();
            src = s.source();
        }
        format!("cannot connect ({last})")
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        e.to_string()
    }
}

/// `GET {base}/models`: the ids the endpoint serves.
pub async fn models(http: &reqwest::Client, p: &ProviderOptions, key: Option<&SecretValue>) -> Result<Vec<String>, ProviderError> {
    let url = format!("{}/models", p.base_url.trim_end_matches('/'));
    let mut req = http.get(&url).timeout(Duration::from_secs(p.timeout_secs.max(1)));
    if let Some(k) = key {
        req = req.bearer_auth(k.expose());
    }
    let resp = req.send().await.map_err(|e| ProviderError::EndpointDown { url: url.clone(), reason: reason(&e) })?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(classify(&url, &p.model, status, &text));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| ProviderError::Protocol(format!("the model list is not JSON ({e})")))?;
    Ok(v.get("data").and_then(Value::as_array).map(|a| a.iter().filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_string)).collect()).unwrap_or_default())
}
