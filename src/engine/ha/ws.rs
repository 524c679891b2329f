//! Home Assistant's WebSocket API (`/api/websocket`): `auth_required` →
//! `auth` with the token → `auth_ok` / `auth_invalid`; after that every
//! message carries an integer `id` and results come back as
//! `{"type":"result","success":…}`. Used for the live entity view
//! (`subscribe_events` state_changed), `get_states`, `call_service` and
//! creating long-lived tokens. Frames over 16 MiB are refused.

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const MAX_FRAME: usize = 16 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    instance: String,
    /// HA's version from `auth_ok`.
    pub ha_version: String,
}

/// `http://h:p` → `ws://h:p/api/websocket`, `https://h` →
/// `wss://h/api/websocket`. wss is rustls (the ring provider reqwest already
/// brings) with the operating system's trust store, so a homelab CA
/// installed on this machine is trusted; certificates are always verified.
pub fn ws_url(base: &str) -> EngineResult<String> {
    let trimmed = base.trim();
    let (scheme, rest) = if let Some(rest) = trimmed.strip_prefix("http://") {
        ("ws", rest.trim_end_matches('/'))
    } else if let Some(rest) = trimmed.strip_prefix("https://") {
        ("wss", rest.trim_end_matches('/'))
    } else {
        return Err(EngineError::invalid("url", base, "a URL starting with http:// or https://"));
    };
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return Err(EngineError::invalid("url", base, "scheme://host[:port] with no path (the profile's base URL)"));
    }
    Ok(format!("{scheme}://{rest}/api/websocket"))
}

impl Ws {
    /// Connect and authenticate.
    pub async fn connect(instance: &str, base: &str, token: &SecretValue) -> EngineResult<Ws> {
        let url = ws_url(base)?;
        let cfg = WebSocketConfig { max_message_size: Some(MAX_FRAME), max_frame_size: Some(MAX_FRAME), ..Default::default() };
        let (stream, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async_with_config(&url, Some(cfg), false))
            .await
            .map_err(|_| EngineError::Other(format!("Home Assistant {instance} did not answer {url}: timed out")))?
            .map_err(|e| EngineError::Other(format!("Home Assistant {instance} did not answer {url}: {e}")))?;
        let mut ws = Ws { stream, next_id: 1, instance: instance.into(), ha_version: String::new() };
        let hello = ws.recv().await?;
        if hello["type"] != "auth_required" {
            return Err(ws.protocol(&format!("expected auth_required first, got {}", short(&hello))));
        }
        ws.send(json!({"type": "auth", "access_token": token.expose()})).await?;
        let reply = ws.recv().await?;
        match reply["type"].as_str() {
            Some("auth_ok") => {
                ws.ha_version = reply["ha_version"].as_str().unwrap_or_default().to_string();
                Ok(ws)
            }
            Some("auth_invalid") => Err(EngineError::Other(format!(
                "Home Assistant {instance} refused the access token on the WebSocket API: {}",
                reply["message"].as_str().unwrap_or("auth_invalid")
            ))),
            _ => Err(ws.protocol(&format!("expected auth_ok, got {}", short(&reply)))),
        }
    }

    fn protocol(&self, what: &str) -> EngineError {
        EngineError::Other(format!("Home Assistant {} WebSocket protocol error: {what}", self.instance))
    }

    async fn send(&mut self, v: Value) -> EngineResult<()> {
        self.stream
            .send(Message::Text(v.to_string()))
            .await
            .map_err(|e| EngineError::Other(format!("Home Assistant {} WebSocket send failed: {e}", self.instance)))
    }

    /// The next JSON message (pings answered, close reported).
    pub async fn recv(&mut self) -> EngineResult<Value> {
        loop {
            let msg = self.stream.next().await;
            let msg = match msg {
                None => return Err(EngineError::Other(format!("Home Assistant {} closed the WebSocket", self.instance))),
                Some(Err(e)) => return Err(EngineError::Other(format!("Home Assistant {} WebSocket: {e}", self.instance))),
                Some(Ok(m)) => m,
            };
            match msg {
                Message::Text(t) => {
                    return serde_json::from_str(&t).map_err(|e| self.protocol(&format!("not JSON ({e}): {}", cut(&t))));
                }
                Message::Close(_) => {
                    return Err(EngineError::Other(format!("Home Assistant {} closed the WebSocket", self.instance)));
                }
                _ => {}
            }
        }
    }

    /// Send a command (an `id` is added) and wait for its result.
    pub async fn call(&mut self, mut cmd: Value) -> EngineResult<Value> {
        let id = self.next_id;
        self.next_id += 1;
        cmd["id"] = json!(id);
        let kind = cmd["type"].as_str().unwrap_or("?").to_string();
        self.send(cmd).await?;
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.recv())
                .await
                .map_err(|_| EngineError::Other(format!("Home Assistant {} did not answer {kind} in time", self.instance)))??;
            if msg["id"].as_u64() != Some(id) || msg["type"] != "result" {
                continue;
            }
            if msg["success"] == true {
                return Ok(msg["result"].clone());
            }
            let err = &msg["error"];
            return Err(EngineError::Other(format!(
                "Home Assistant {} refused {kind}: {} ({})",
                self.instance,
                err["message"].as_str().unwrap_or("no message"),
                err["code"].as_str().unwrap_or("no code")
            )));
        }
    }

    /// Subscribe to state_changed; returns the subscription id.
    pub async fn subscribe_state_changes(&mut self) -> EngineResult<u64> {
        let id = self.next_id;
        self.call(json!({"type": "subscribe_events", "event_type": "state_changed"})).await?;
        Ok(id)
    }
}

fn cut(t: &str) -> String {
    t.chars().take(200).collect()
}

fn short(v: &Value) -> String {
    cut(&v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(ws_url("http://127.0.0.1:8123/").unwrap(), "ws://127.0.0.1:8123/api/websocket");
        assert_eq!(ws_url("https://ha.example").unwrap(), "wss://ha.example/api/websocket");
        assert_eq!(ws_url("https://ha.example:8443/").unwrap(), "wss://ha.example:8443/api/websocket");
        for bad in ["ftp://x", "ws://h", "ha.example", ""] {
            let e = ws_url(bad).unwrap_err().to_string();
            assert!(e.contains("http:// or https://"), "{bad}: {e}");
        }
        for bad in ["https://", "https://h/path", "http://h x"] {
            assert!(ws_url(bad).unwrap_err().to_string().contains("no path"), "{bad}");
        }
    }

    /// An https profile really speaks TLS on the WebSocket: a listener that
    /// is not TLS makes the handshake fail with a TLS error, not "not
    /// supported" (a real certificate check needs a CA the OS trusts).
    #[tokio::test]
    async fn https_profiles_attempt_tls() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            if let Ok((mut s, _)) = listener.accept().await {
                let _ = s.write_all(b"HTTP/1.1 400 plain text, not TLS\r\n\r\n").await;
            }
        });
        let err = Ws::connect("tls", &format!("https://127.0.0.1:{port}"), &SecretValue::new("t")).await.err().unwrap().to_string();
        assert!(err.contains(&format!("wss://127.0.0.1:{port}/api/websocket")), "{err}");
        assert!(err.to_lowercase().contains("tls") || err.contains("InvalidContentType") || err.contains("corrupt"), "{err}");
        server.abort();
    }
}
