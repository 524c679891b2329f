//! An FPP peer: `/api/fppd/status` from a real status dump, the playlist
//! and schedule endpoints with the example bodies of FPP's OpenAPI file, and
//! playback controls that move the status the way fppd reports them
//! (status 0 idle, 1 playing, 2 stopping gracefully, 3 after loop, 5 paused).

use super::{fixtures, load};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub struct Fpp {
    pub status: Value,
    pub playlists: Vec<String>,
    pub schedule: Value,
    pub commands: Vec<String>,
    /// Files under `/home/fpp/media/config`, by relative path.
    pub config: std::collections::BTreeMap<String, Vec<u8>>,
    /// Playlist bodies (FPP JSON format), by name.
    pub playlist_bodies: std::collections::BTreeMap<String, Value>,
}

/// The example body of `METHOD path` (status 200) in openapi.json.
pub fn example(openapi: &Value, path: &str, method: &str) -> Value {
    openapi["paths"][path][method]["responses"]["200"]["content"]["application/json"]["example"].clone()
}

pub struct FppPeer {
    pub addr: SocketAddr,
    pub shared: Arc<Mutex<Fpp>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FppPeer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

type S = State<Arc<Mutex<Fpp>>>;

fn ok() -> Response {
    axum::Json(json!({"Status": "OK", "Message": ""})).into_response()
}

fn set_status(f: &mut Fpp, code: u64, name: &str) {
    f.status["status"] = json!(code);
    f.status["status_name"] = json!(name);
}

async fn start(State(s): S, Path(params): Path<Vec<(String, String)>>) -> Response {
    let name = params.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
    let repeat = params.iter().any(|(k, v)| k == "repeat" && (v == "true" || v == "1"));
    let mut f = s.lock().unwrap();
    if !f.playlists.contains(&name) {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"Status": "Error", "Message": format!("Playlist {name} not found")})))
            .into_response();
    }
    set_status(&mut f, 1, "playing");
    f.status["current_playlist"] = json!({"count": "3", "description": "", "index": "1", "playlist": name, "type": "sequence"});
    f.status["repeat_mode"] = json!(u8::from(repeat));
    f.status["seconds_elapsed"] = json!("0");
    f.status["seconds_remaining"] = json!("30");
    ok()
}

async fn action(State(s): S, Path(what): Path<String>) -> Response {
    let mut f = s.lock().unwrap();
    match what.as_str() {
        "stop" => set_status(&mut f, 0, "idle"),
        "stopgracefully" => set_status(&mut f, 2, "stopping gracefully"),
        "stopgracefullyafterloop" => set_status(&mut f, 3, "stopping gracefully after loop"),
        "pause" => set_status(&mut f, 5, "paused"),
        "resume" => set_status(&mut f, 1, "playing"),
        "playable" => return axum::Json(json!(f.playlists)).into_response(),
        // One report per playlist, shaped like FPP's (its OpenAPI example;
        // tests/fpp_peer_upstream.rs found the peer answering names only).
        "validate" => {
            let reports: Vec<Value> = f
                .playlists
                .iter()
                .map(|name| {
                    let items = f.playlist_bodies.get(name).and_then(|b| b["mainPlaylist"].as_array()).map_or(0, Vec::len);
                    json!({"name": name, "description": "", "valid": true, "messages": [], "total_duration": 0,
                           "total_items": items, "version": 4, "leadIn_items": 0, "mainPlaylist_items": items, "leadOut_items": 0})
                })
                .collect();
            return axum::Json(json!(reports)).into_response();
        }
        _ => return (StatusCode::NOT_FOUND, "no such endpoint").into_response(),
    }
    ok()
}

async fn command(State(s): S, axum::Json(body): axum::Json<Value>) -> Response {
    let mut f = s.lock().unwrap();
    let name = body["command"].as_str().unwrap_or("").to_string();
    let num = |v: &Value| v.as_str().and_then(|x| x.parse::<i64>().ok()).or_else(|| v.as_i64()).unwrap_or(0);
    let count = num(&f.status["current_playlist"]["count"]).max(1);
    let index = num(&f.status["current_playlist"]["index"]);
    let next = match name.as_str() {
        "Next Playlist Item" => index % count + 1,
        "Prev Playlist Item" => (index + count - 2).rem_euclid(count) + 1,
        _ => return (StatusCode::NOT_FOUND, format!("No command {name}")).into_response(),
    };
    f.status["current_playlist"]["index"] = json!(next.to_string());
    f.commands.push(name);
    ok()
}

/// `GET /api/configfile[/dir]`: a directory listing as FPP answers it.
fn listing(f: &Fpp, dir: &str) -> Option<Value> {
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let mut names: Vec<String> = f
        .config
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
        .collect();
    names.sort();
    names.dedup();
    (!names.is_empty() || dir.is_empty()).then(|| json!({"Path": dir, "ConfigFiles": names}))
}

async fn config_get(State(s): S, Path(path): Path<String>) -> Response {
    let f = s.lock().unwrap();
    let path = path.trim_matches('/').to_string();
    match f.config.get(&path) {
        Some(body) => ([("content-type", "text/plain")], body.clone()).into_response(),
        None => match listing(&f, &path) {
            Some(l) => axum::Json(l).into_response(),
            None => (StatusCode::NOT_FOUND, axum::Json(json!({"Status": "Error", "Message": format!("{path} not found")}))).into_response(),
        },
    }
}

/// `POST /api/configfile/{path}`: the raw body overwrites the file.
async fn config_post(State(s): S, Path(path): Path<String>, body: axum::body::Bytes) -> Response {
    let path = path.trim_matches('/').to_string();
    if path.is_empty() || path.split('/').any(|c| c.is_empty() || c == "..") {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"Status": "Error", "Message": "bad file name"}))).into_response();
    }
    s.lock().unwrap().config.insert(path, body.to_vec());
    ok()
}

async fn playlist_get(State(s): S, Path(name): Path<String>) -> Response {
    match s.lock().unwrap().playlist_bodies.get(&name) {
        Some(p) => axum::Json(p.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, axum::Json(json!({"Status": "Error", "Message": format!("Playlist {name} not found")}))).into_response(),
    }
}

/// `POST /api/playlist/{name}`: upsert; FPP answers with the playlist.
async fn playlist_post(State(s): S, Path(name): Path<String>, axum::Json(mut body): axum::Json<Value>) -> Response {
    body["name"] = json!(name);
    let mut f = s.lock().unwrap();
    if !f.playlists.contains(&name) {
        f.playlists.push(name.clone());
    }
    f.playlist_bodies.insert(name, body.clone());
    axum::Json(body).into_response()
}

impl FppPeer {
    pub async fn start() -> FppPeer {
        FppPeer::start_on("127.0.0.1:0").await
    }

    /// Served on `bind` (an address a stopped peer had: the same host back).
    pub async fn start_on(bind: &str) -> FppPeer {
        let openapi = load(&fixtures().join("fpp/openapi.json"));
        let status = load(&fixtures().join("fpp/fppd_status.json"));
        let mut playlists: Vec<String> =
            serde_json::from_value(example(&openapi, "/api/playlists", "get")).unwrap();
        // The playlist the status dump is playing exists on that host too.
        if let Some(p) = status["current_playlist"]["playlist"].as_str() {
            playlists.push(p.to_string());
        }
        let schedule = example(&openapi, "/api/schedule", "get");
        // Each playlist is the example body of `GET /api/playlist/{name}`
        // under its own name; the config dir holds the schedule as FPP
        // keeps it (config/schedule.json).
        let body = example(&openapi, "/api/playlist/{PlaylistName}", "get");
        let playlist_bodies = playlists
            .iter()
            .map(|n| {
                let mut b = body.clone();
                b["name"] = json!(n);
                (n.clone(), b)
            })
            .collect();
        let mut config = std::collections::BTreeMap::new();
        config.insert("schedule.json".to_string(), serde_json::to_vec_pretty(&schedule).unwrap());
        let shared = Arc::new(Mutex::new(Fpp { status, playlists, schedule, commands: Vec::new(), config, playlist_bodies }));
        let app = Router::new()
            .route("/api/fppd/status", get(|State(s): S| async move { axum::Json(s.lock().unwrap().status.clone()) }))
            .route("/api/playlists", get(|State(s): S| async move { axum::Json(json!(s.lock().unwrap().playlists)) }))
            .route("/api/playlists/:what", get(action))
            .route("/api/configfile", get(|State(s): S| async move { axum::Json(listing(&s.lock().unwrap(), "")) }))
            .route("/api/configfile/*path", get(config_get).post(config_post))
            .route("/api/playlist/:name", get(playlist_get).post(playlist_post))
            .route("/api/playlist/:name/start", get(start))
            .route("/api/playlist/:name/start/:repeat", get(start))
            .route("/api/command", post(command))
            .route(
                "/api/schedule",
                get(|State(s): S| async move { axum::Json(s.lock().unwrap().schedule.clone()) }).post(
                    |State(s): S, axum::Json(body): axum::Json<Value>| async move {
                        if !body.is_array() {
                            return (StatusCode::INTERNAL_SERVER_ERROR, "Unable to parse schedule").into_response();
                        }
                        s.lock().unwrap().schedule = body.clone();
                        axum::Json(body).into_response()
                    },
                ),
            )
            .route("/api/schedule/reload", post(|| async { ok() }))
            .route(
                "/api/fppd/multiSyncSystems",
                get(|State(s): S| async move {
                    let f = s.lock().unwrap();
                    axum::Json(json!({"systems": [
                        {"hostname": "fpp-local", "address": "127.0.0.1", "fppModeString": f.status["mode_name"],
                         "version": f.status["version"], "model": "Raspberry Pi 4", "uuid": f.status["uuid"]},
                        {"hostname": "fpp-remote", "address": "127.0.0.2", "fppModeString": "remote",
                         "version": f.status["version"], "model": "BeagleBone Black"}
                    ]}))
                }),
            )
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
        FppPeer { addr, shared, stop: Some(stop) }
    }
}
