//! The one HTTP client every WLED and FPP call goes through: short timeouts
//! (a light controller that does not answer in seconds is offline), a cap on
//! how much of a body is read, and errors that name the device and the path.

use crate::engine::error::{EngineError, EngineResult};
use futures::StreamExt;
use std::time::Duration;

/// Larger answers are refused rather than buffered: the biggest real WLED
/// answer (`/json` with every effect and palette) is about 20 KB, FPP's
/// schedule a few KB; a presets.json can reach a few hundred KB.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new() -> EngineResult<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(2)
            .user_agent(concat!("homedeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EngineError::Other(format!("cannot start the HTTP client: {e}")))?;
        Ok(Http { client })
    }

    pub async fn get(&self, device: &str, url: &str) -> EngineResult<Vec<u8>> {
        let resp = self.client.get(url).send().await.map_err(|e| unreachable(device, url, &e))?;
        read(device, url, resp).await
    }

    pub async fn post_json(&self, device: &str, url: &str, body: &serde_json::Value) -> EngineResult<Vec<u8>> {
        let resp = self.client.post(url).json(body).send().await.map_err(|e| unreachable(device, url, &e))?;
        read(device, url, resp).await
    }

    /// POST a body as it is (a raw config file, a multipart upload).
    pub async fn post_bytes(&self, device: &str, url: &str, content_type: &str, body: Vec<u8>) -> EngineResult<Vec<u8>> {
        let resp = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| unreachable(device, url, &e))?;
        read(device, url, resp).await
    }
}

fn unreachable(device: &str, url: &str, e: &reqwest::Error) -> EngineError {
    let why = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection refused or host unreachable".to_string()
    } else {
        e.to_string()
    };
    EngineError::Other(format!("{device} did not answer {url}: {why}"))
}

async fn read(device: &str, url: &str, resp: reqwest::Response) -> EngineResult<Vec<u8>> {
    let status = resp.status();
    if let Some(len) = resp.content_length()
        && len > MAX_BODY as u64
    {
        return Err(too_big(device, url));
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| EngineError::Other(format!("{device}: reading {url} failed: {e}")))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big(device, url));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        let text: String = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        return Err(EngineError::Other(format!("{device} answered {url} with HTTP {status}: {}", text.trim())));
    }
    Ok(body)
}

fn too_big(device: &str, url: &str) -> EngineError {
    EngineError::invalid("response", format!("{device} {url}"), &format!("at most {MAX_BODY} bytes"))
}

/// `host`, `host:port`, or a URL the user pasted → `http://host[:port]`.
pub fn base_url(address: &str) -> EngineResult<String> {
    let a = address.trim().trim_end_matches('/');
    let a = a.strip_prefix("http://").unwrap_or(a);
    if a.is_empty()
        || a.contains('/')
        || a.starts_with("https://")
        || !a.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
    {
        return Err(EngineError::invalid(
            "address",
            address,
            "a host name or IP address, optionally with :port (e.g. 192.168.1.40 or wled-porch.local:80)",
        ));
    }
    Ok(format!("http://{a}"))
}

#[cfg(test)]
mod tests {
    use super::base_url;

    #[test]
    fn addresses() {
        assert_eq!(base_url("10.0.0.5").unwrap(), "http://10.0.0.5");
        assert_eq!(base_url("http://wled.local:8080/").unwrap(), "http://wled.local:8080");
        assert_eq!(base_url("[::1]:80").unwrap(), "http://[::1]:80");
        for bad in ["", "a b", "x/y", "https://x", "a;rm"] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}
