//! In-test WLED and FPP peers, built from real device data (see
//! tests/fixtures/*/README.md). A `WledPeer` serves one device dump over
//! HTTP and `/ws` on 127.0.0.1 and applies posted state like the firmware
//! (`wled_state.rs`); an `FppPeer` serves FPP's status and the playlist and
//! schedule endpoints of its OpenAPI description. Each peer stops when its
//! guard is dropped.
#![allow(dead_code)]

pub mod fpp;
pub mod netns;
pub mod wled_state;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use wled_state::Device;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every WLED dump: the version series and the rgb/rgbw/cct variants.
pub fn wled_dumps() -> Vec<PathBuf> {
    let dir = fixtures().join("wled");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("versions"))
        .unwrap()
        .chain(std::fs::read_dir(&dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("presets.json"))
        .collect();
    out.sort();
    out
}

pub fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

pub struct Shared {
    pub device: Mutex<Device>,
    pub ws_tx: broadcast::Sender<String>,
    /// Refuse `/ws` (and close open sockets): the fallback path.
    pub ws_down: AtomicBool,
    /// Answer everything with 503: an offline device.
    pub offline: AtomicBool,
    pub requests: AtomicUsize,
    pub ws_connects: AtomicUsize,
}

impl Shared {
    /// Apply a change (as from a button on the device) and push it.
    pub fn change(&self, patch: &Value) {
        let msg = {
            let mut d = self.device.lock().unwrap();
            d.apply(patch);
            d.si().to_string()
        };
        let _ = self.ws_tx.send(msg);
    }
}

pub struct WledPeer {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for WledPeer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl WledPeer {
    pub async fn start(dump: &Path) -> WledPeer {
        WledPeer::start_on("127.0.0.1:0", dump).await
    }

    pub async fn start_on(bind: &str, dump: &Path) -> WledPeer {
        let presets = load(&fixtures().join("wled/presets.json"));
        WledPeer::serve(bind, Device::from_dump(&load(dump), &presets)).await
    }

    /// The same dump as another device: a MAC of its own (the dumps share a
    /// few, and homedeck refuses a second device with a known MAC).
    pub async fn start_as(dump: &Path, mac: &str) -> WledPeer {
        let presets = load(&fixtures().join("wled/presets.json"));
        let mut d = Device::from_dump(&load(dump), &presets);
        d.info["mac"] = serde_json::json!(mac);
        WledPeer::serve("127.0.0.1:0", d).await
    }

    pub async fn serve(bind: &str, device: Device) -> WledPeer {
        let (ws_tx, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            device: Mutex::new(device),
            ws_tx,
            ws_down: AtomicBool::new(false),
            offline: AtomicBool::new(false),
            requests: AtomicUsize::new(0),
            ws_connects: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/json", get(full).post(post_state))
            .route("/json/state", get(state).post(post_state))
            .route("/json/si", get(si).post(post_state))
            .route("/json/info", get(info))
            .route("/json/eff", get(effects))
            .route("/json/pal", get(palettes))
            .route("/json/cfg", get(cfg).post(post_cfg))
            .route("/upload", axum::routing::post(upload))
            .route("/presets.json", get(presets))
            .route("/ws", get(ws))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        WledPeer { addr, shared, stop: Some(stop) }
    }

    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    pub fn state(&self) -> Value {
        self.shared.device.lock().unwrap().state.clone()
    }

    pub fn presets(&self) -> Value {
        self.shared.device.lock().unwrap().presets_json()
    }
}

type S = State<Arc<Shared>>;

fn gate(s: &Shared) -> Option<Response> {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.offline.load(Ordering::Relaxed).then(|| (StatusCode::SERVICE_UNAVAILABLE, "offline").into_response())
}

fn json(v: Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

macro_rules! getter {
    ($name:ident, |$d:ident| $e:expr) => {
        async fn $name(State(s): S) -> Response {
            if let Some(r) = gate(&s) {
                return r;
            }
            let $d = s.device.lock().unwrap();
            json($e)
        }
    };
}

getter!(full, |d| d.full());
getter!(state, |d| d.state.clone());
getter!(si, |d| d.si());
getter!(info, |d| d.info.clone());
getter!(effects, |d| d.effects.clone());
getter!(palettes, |d| d.palettes.clone());
getter!(cfg, |d| d.cfg());
getter!(presets, |d| d.presets_json());

async fn post_state(State(s): S, body: Bytes) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, json_body(r#"{"error":9}"#)).into_response();
    };
    let (verbose, state, si) = {
        let mut d = s.device.lock().unwrap();
        let verbose = d.apply(&v);
        (verbose, d.state.clone(), d.si().to_string())
    };
    let _ = s.ws_tx.send(si);
    if verbose { json(state) } else { json(serde_json::json!({"success": true})) }
}

/// `POST /json/cfg`: merged into the configuration, `{"success":true}`.
async fn post_cfg(State(s): S, body: Bytes) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.is_object() => {
            s.device.lock().unwrap().merge_cfg(&v);
            json(serde_json::json!({"success": true}))
        }
        _ => (StatusCode::BAD_REQUEST, json_body(r#"{"error":9}"#)).into_response(),
    }
}

/// `POST /upload` (multipart, the file in field `data`), answered in plain
/// text as the firmware does.
async fn upload(State(s): S, mut form: axum::extract::Multipart) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    let mut reply = "File Uploaded!";
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("data") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let Ok(data) = field.bytes().await else { return (StatusCode::BAD_REQUEST, "bad upload").into_response() };
        if let Err(e) = s.device.lock().unwrap().upload(&name, &data) {
            return (StatusCode::BAD_REQUEST, e).into_response();
        }
        if name.contains("cfg.json") {
            reply = "Configuration restore successful.\nRebooting...";
        }
    }
    ([("content-type", "text/plain")], reply).into_response()
}

fn json_body(s: &'static str) -> ([(&'static str, &'static str); 1], &'static str) {
    ([("content-type", "application/json")], s)
}

async fn ws(State(s): S, up: WebSocketUpgrade) -> Response {
    if let Some(r) = gate(&s) {
        return r;
    }
    // `info.ws == -1`: firmware built without WebSocket support.
    let no_ws = s.device.lock().unwrap().info["ws"].as_i64() == Some(-1);
    if no_ws {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    if s.ws_down.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "ws disabled").into_response();
    }
    s.ws_connects.fetch_add(1, Ordering::Relaxed);
    up.on_upgrade(move |sock| ws_session(s, sock))
}

async fn ws_session(s: Arc<Shared>, mut sock: WebSocket) {
    let mut rx = s.ws_tx.subscribe();
    let hello = s.device.lock().unwrap().si().to_string();
    if sock.send(Message::Text(hello)).await.is_err() {
        return;
    }
    let mut check = tokio::time::interval(std::time::Duration::from_millis(50));
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(m) => if sock.send(Message::Text(m)).await.is_err() { return },
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            },
            incoming = sock.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    if t.starts_with('p') {
                        let _ = sock.send(Message::Text("pong".into())).await;
                        continue;
                    }
                    let Ok(v) = serde_json::from_str::<Value>(&t) else {
                        let _ = sock.send(Message::Text(r#"{"error":9}"#.into())).await;
                        continue;
                    };
                    let si = {
                        let mut d = s.device.lock().unwrap();
                        d.apply(&v);
                        d.si().to_string()
                    };
                    // Every client hears about the change, the sender included.
                    let _ = s.ws_tx.send(si);
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
            _ = check.tick() => {
                if s.ws_down.load(Ordering::Relaxed) || s.offline.load(Ordering::Relaxed) {
                    let _ = sock.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}
