//! How a provider call failed, said so a person knows what to fix.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProviderError {
    #[error("bad API key: {url} answered {status} (check the vault secret named in [ai] api_key_secret)")]
    BadKey { url: String, status: u16 },
    #[error("model missing: {url} does not serve model {model:?}{known}")]
    ModelMissing { url: String, model: String, known: String },
    #[error("rate limited: {url} answered 429 after {attempts} attempt(s); try again later")]
    RateLimited { url: String, attempts: u32 },
    #[error("endpoint down: {url}: {reason}")]
    EndpointDown { url: String, reason: String },
    #[error("context too long for the model: {detail} (lower [ai] max_context_tokens or max_messages)")]
    ContextTooLong { detail: String },
    #[error("the provider failed: {url} answered {status}: {detail}")]
    Server { url: String, status: u16, detail: String },
    #[error("the provider's reply could not be read: {0}")]
    Protocol(String),
    #[error("the API key could not be read from the vault: {0}")]
    Key(String),
    #[error("no reply within {secs} s from {url}")]
    Timeout { url: String, secs: u64 },
}

/// The error message inside a provider's JSON error body, if it has one
/// (`{"error": {"message": …}}`, `{"error": "…"}`, `{"message": …}`).
pub fn body_message(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    let m = v.pointer("/error/message").or_else(|| v.get("error")).or_else(|| v.get("message")).or_else(|| v.get("detail"));
    match m {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => body.chars().take(300).collect(),
    }
}

/// An HTTP error status and body → what it means.
pub fn classify(url: &str, model: &str, status: u16, body: &str) -> ProviderError {
    let detail = body_message(body);
    let lower = detail.to_lowercase();
    let context = ["context window", "context length", "maximum context", "too many tokens", "exceed", "too long", "n_ctx"];
    if status == 401 || status == 403 {
        ProviderError::BadKey { url: url.into(), status }
    } else if context.iter().any(|c| lower.contains(c)) {
        ProviderError::ContextTooLong { detail: detail.chars().take(300).collect() }
    } else if status == 404 || (lower.contains("model") && (lower.contains("not found") || lower.contains("does not exist"))) {
        ProviderError::ModelMissing { url: url.into(), model: model.into(), known: String::new() }
    } else {
        ProviderError::Server { url: url.into(), status, detail: detail.chars().take(300).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_bodies_say_which() {
        assert!(matches!(classify("u", "m", 401, ""), ProviderError::BadKey { status: 401, .. }));
        let e = classify("u", "m", 400, r#"{"error":{"message":"Requested tokens (9000) exceed context window of 2048"}}"#);
        assert!(matches!(e, ProviderError::ContextTooLong { .. }), "{e}");
        assert!(e.to_string().contains("9000"));
        let e = classify("u", "qwen", 404, r#"{"error":{"message":"model 'qwen' not found"}}"#);
        assert!(e.to_string().starts_with("model missing") && e.to_string().contains("qwen"), "{e}");
        let e = classify("u", "m", 500, "boom");
        assert_eq!(e.to_string(), "the provider failed: u answered 500: boom");
    }
}
