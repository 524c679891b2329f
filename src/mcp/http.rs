//! MCP over Streamable HTTP, served by `homedeck daemon` when `[mcp] listen`
//! is set. rmcp's `StreamableHttpService` speaks the protocol (sessions,
//! SSE, Host checks); in front of it sits a bearer-token gate: every HTTP
//! request must carry `Authorization: Bearer hd_…`, checked with the
//! engine's `token_authorize` (with the peer's address, so wrong guesses
//! are throttled per peer). A request without a valid token never reaches
//! the protocol: it gets HTTP 401 with a message saying what is wrong.
//!
//! A request that passes carries a [`Caller`] (token, name, class, peer) in
//! its extensions; rmcp hands the request's parts to the handler, which
//! checks the token again per tool call (class, allow/deny, rate) and runs
//! the call as `token:NAME@mcp`.

use super::{HomedeckMcp, Settings};
use crate::engine::command_table::Permission;
use crate::engine::views::tools::ToolsetSelection;
use crate::engine::{Actor, Command, EngineError, EngineHandle, Frontend, McpOutcome, Outcome, SecretValue};
use crate::handle::Handle;
use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What the daemon's `[mcp]` section asks for.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub address: SocketAddr,
    /// PEM certificate chain and key: HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub toolsets: ToolsetSelection,
    /// Extra `Host:` names accepted besides loopback and the listen address.
    pub hosts: Vec<String>,
}

/// Who made an HTTP request, put in its extensions by the gate.
#[derive(Clone)]
pub struct Caller {
    pub token: SecretValue,
    pub name: String,
    pub class: Permission,
    /// The peer's IP address, for per-peer throttling of wrong tokens.
    pub peer: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor { user: format!("token:{}", self.name), frontend: Frontend::Mcp }
    }
}

type Service = StreamableHttpService<HomedeckMcp, LocalSessionManager>;

struct Gate {
    engine: EngineHandle,
    service: Service,
}

/// A running listener; [`HttpListener::shutdown`] (or dropping it) stops it.
pub struct HttpListener {
    local: SocketAddr,
    tls: bool,
    stop: CancellationToken,
}

impl HttpListener {
    /// The address actually bound (port 0 in the config picks a free one).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The URL clients put in their config.
    pub fn url(&self) -> String {
        format!("{}://{}/mcp", if self.tls { "https" } else { "http" }, self.local)
    }

    pub fn tls(&self) -> bool {
        self.tls
    }

    pub fn shutdown(&self) {
        self.stop.cancel();
    }
}

impl Drop for HttpListener {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Bind and serve. Errors (address in use, unreadable TLS files) name what
/// failed, so the daemon can refuse to start rather than run without it.
pub async fn start(engine: EngineHandle, settings: HttpSettings) -> anyhow::Result<HttpListener> {
    let acceptor = match &settings.tls {
        Some((cert, key)) => Some(super::tls::acceptor(cert, key)?),
        None => None,
    };
    let listener = TcpListener::bind(settings.address)
        .await
        .map_err(|e| anyhow::anyhow!("cannot serve MCP on {} ([mcp] listen): {e}", settings.address))?;
    let local = listener.local_addr()?;
    let stop = CancellationToken::new();
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into(), local.ip().to_string()];
    hosts.extend(settings.hosts.iter().cloned());
    let config = StreamableHttpServerConfig::default().with_allowed_hosts(hosts).with_cancellation_token(stop.child_token());
    let session = Settings { toolsets: settings.toolsets.clone(), readonly: false, token: None };
    let handle = Handle::Local(engine.clone());
    let tools = super::server::offered(&session, handle.readonly());
    let service = StreamableHttpService::new(
        move || Ok(HomedeckMcp::with_tools(handle.clone(), Actor::current(Frontend::Mcp), session.clone(), tools.clone(), true)),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let gate = Arc::new(Gate { engine, service });
    let tls = acceptor.is_some();
    tokio::spawn(accept_loop(gate, listener, acceptor, stop.clone()));
    tracing::info!(address = %local, tls, "serving MCP over Streamable HTTP");
    Ok(HttpListener { local, tls, stop })
}

async fn accept_loop(gate: Arc<Gate>, listener: TcpListener, acceptor: Option<tokio_rustls::TlsAcceptor>, stop: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.cancelled() => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accepting an MCP connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Answers are small and written in pieces (headers, SSE events):
        // without this, Nagle holds a piece back until the last is acked.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %e, "TCP_NODELAY could not be set");
        }
        let (gate, stop, acceptor) = (gate.clone(), stop.clone(), acceptor.clone());
        tokio::spawn(async move {
            match acceptor {
                None => serve_connection(gate, stream, peer, stop).await,
                Some(acceptor) => match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => serve_connection(gate, tls, peer, stop).await,
                    Ok(Err(e)) => tracing::info!(%peer, error = %e, "MCP TLS handshake failed"),
                    Err(_) => tracing::info!(%peer, "MCP TLS handshake timed out"),
                },
            }
        });
    }
}

async fn serve_connection<S>(gate: Arc<Gate>, stream: S, peer: SocketAddr, stop: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let gate = gate.clone();
        async move { Ok::<_, Infallible>(handle(&gate, req, peer).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        r = conn => {
            if let Err(e) = r {
                tracing::debug!(%peer, error = %e, "MCP connection ended with an error");
            }
        }
        // The daemon is stopping: open streams are dropped.
        _ = stop.cancelled() => {}
    }
}

/// The bearer-token gate, then the protocol.
async fn handle(gate: &Gate, mut req: Request<hyper::body::Incoming>, peer: SocketAddr) -> Response<BoxBody<Bytes, Infallible>> {
    let token = match bearer(&req) {
        Ok(t) => t,
        Err(message) => return unauthorized(&message),
    };
    let ip = peer.ip().to_string();
    let check = Command::TokenAuthorize { token: token.clone(), tool: None, peer: Some(ip.clone()), dry_run: None };
    match gate.engine.execute(check, Actor::current(Frontend::Mcp)).await {
        Ok(Outcome::Mcp(McpOutcome::Authorized { name, class, rate_limited_ms })) => {
            let caller = Caller { token, name, class, peer: ip };
            if let Some(ms) = rate_limited_ms {
                return over_rate(gate, req, caller, ms).await;
            }
            req.extensions_mut().insert(caller);
            let closing = req.method() == http::Method::DELETE;
            session_closed_ok(gate.service.handle(req).await, closing)
        }
        Ok(other) => plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("unexpected answer to a token check: {}", other.summary())),
        // A peer throttled for wrong tokens: 429, not 401, so it is told when to come back.
        Err(e @ EngineError::RateLimited { retry_after_ms, .. }) => too_many(&e.to_string(), retry_after_ms, None),
        Err(e) => unauthorized(&e.to_string()),
    }
}

/// rmcp answers a session's DELETE with 202 Accepted; the MCP SDKs take
/// only 200 or 204 as "session ended" and log every other status as a
/// failed termination (the Python SDK prints one line per closed session),
/// so a session that did end is said to have ended: 200.
fn session_closed_ok(mut r: Response<BoxBody<Bytes, Infallible>>, closing: bool) -> Response<BoxBody<Bytes, Infallible>> {
    if closing && r.status() == StatusCode::ACCEPTED {
        *r.status_mut() = StatusCode::OK;
    }
    r
}

/// A request from a token whose rate window is full. A tool call is
/// refused with HTTP 429, `Retry-After` and a JSON-RPC error naming the
/// wait (the SDKs surface it as the call's error), and recorded like any
/// refused call; anything else (tools/list, notifications, closing the
/// session) is no call and goes through.
async fn over_rate(gate: &Gate, req: Request<hyper::body::Incoming>, caller: Caller, ms: u64) -> Response<BoxBody<Bytes, Infallible>> {
    let (parts, body) = req.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_PEEK).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return plain(StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body could not be read: {e}")),
    };
    let call = serde_json::from_slice::<serde_json::Value>(&bytes).ok().filter(|v| v["method"] == "tools/call");
    let Some(call) = call else {
        let closing = parts.method == http::Method::DELETE;
        let mut req = Request::from_parts(parts, Full::new(bytes));
        req.extensions_mut().insert(caller);
        return session_closed_ok(gate.service.handle(req).await, closing);
    };
    let tool = call["params"]["name"].as_str().unwrap_or("(no tool named)").to_string();
    let error = EngineError::RateLimited {
        what: format!("API token {} is over its rate", caller.name),
        retry_after_ms: ms,
    };
    let record = Command::McpRefused { tool: tool.clone(), reason: error.to_string(), arguments: None };
    if let Err(e) = gate.engine.execute(record, caller.actor()).await {
        tracing::error!(error = %e, tool, "could not record a rate-limited MCP call");
    }
    too_many(&error.to_string(), ms, Some(call["id"].clone()))
}

/// Bodies read by the gate itself (only a rate-limited token's requests).
const MAX_PEEK: usize = 4 * 1024 * 1024;

/// HTTP 429 with `Retry-After` (whole seconds, rounded up) and a JSON-RPC
/// error body carrying the same wait, in ms, as `data.retry_after_ms`.
fn too_many(message: &str, retry_after_ms: u64, id: Option<serde_json::Value>) -> Response<BoxBody<Bytes, Infallible>> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(serde_json::Value::Null),
        "error": { "code": RATE_LIMITED, "message": message, "data": { "retry_after_ms": retry_after_ms } },
    });
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())).boxed());
    *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    r.headers_mut().insert(header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::RETRY_AFTER, http::HeaderValue::from(retry_after_ms.div_ceil(1000).max(1)));
    r
}

/// JSON-RPC's implementation-defined server error range (-32000 to -32099).
const RATE_LIMITED: i64 = -32029;

/// The token from `Authorization: Bearer …`, or what is wrong with the header.
fn bearer<B>(req: &Request<B>) -> Result<SecretValue, String> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err("missing API token: send `Authorization: Bearer hd_…` (create one with `homedeck token create NAME`)".into());
    };
    let text = value.to_str().map_err(|_| "the Authorization header is not text: expected `Bearer hd_…`".to_string())?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(SecretValue::new(token.trim())),
        _ => Err("the Authorization header is not a bearer token: expected `Authorization: Bearer hd_…`".into()),
    }
}

fn unauthorized(message: &str) -> Response<BoxBody<Bytes, Infallible>> {
    let mut r = plain(StatusCode::UNAUTHORIZED, message);
    let challenge = format!("Bearer realm=\"homedeck\", error=\"invalid_token\", error_description=\"{}\"", message.replace('"', "'").replace('…', "..."));
    if let Ok(v) = http::HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn plain(status: StatusCode, message: &str) -> Response<BoxBody<Bytes, Infallible>> {
    let body = serde_json::json!({ "error": status.canonical_reason().unwrap_or("error"), "message": message }).to_string();
    let mut r = Response::new(Full::new(Bytes::from(body)).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn req(auth: Option<&str>) -> Request<()> {
        let mut b = Request::builder().uri("/mcp");
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn only_a_bearer_header_carries_a_token() {
        assert_eq!(bearer(&req(Some("Bearer hd_abc"))).unwrap().expose(), "hd_abc");
        assert_eq!(bearer(&req(Some("bearer  hd_abc "))).unwrap().expose(), "hd_abc");
        assert!(bearer(&req(None)).unwrap_err().contains("missing API token"));
        assert!(bearer(&req(Some("Basic dTpw"))).unwrap_err().contains("not a bearer token"));
        assert!(bearer(&req(Some("Bearer "))).is_err());
    }
}
