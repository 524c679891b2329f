//! Calls to one FPP host. FPP answers most control calls with
//! `{"Status":"OK","Message":""}`; anything else is reported as FPP said it.

use super::model::FppStatus;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::lights::http::{Http, base_url};
use crate::engine::lights::inventory::FppHost;
use crate::engine::lights::views::FppSystem;
use crate::engine::lights::wled::model::parse;
use serde_json::{Value, json};

pub(crate) fn label(h: &FppHost) -> String {
    format!("FPP {} ({})", h.name, h.address)
}

/// `base` + path segments, each percent-encoded (playlist names have spaces).
pub(crate) fn url(h: &FppHost, segments: &[&str]) -> EngineResult<String> {
    let mut u = reqwest::Url::parse(&base_url(&h.address)?)
        .map_err(|e| EngineError::invalid("address", h.address.clone(), &format!("a host name or IP ({e})")))?;
    u.path_segments_mut()
        .map_err(|_| EngineError::invalid("address", h.address.clone(), "a host name or IP"))?
        .extend(segments);
    Ok(u.to_string())
}

pub(crate) async fn get_json(http: &Http, h: &FppHost, segments: &[&str]) -> EngineResult<Value> {
    let bytes = http.get(&label(h), &url(h, segments)?).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        EngineError::invalid(
            &format!("fpp /{}", segments.join("/")),
            String::from_utf8_lossy(&bytes[..bytes.len().min(60)]),
            &format!("JSON ({e})"),
        )
    })
}

/// Control calls: OK unless FPP says otherwise.
fn check(h: &FppHost, what: &str, v: &Value) -> EngineResult<()> {
    match v.get("Status").and_then(Value::as_str) {
        None | Some("OK") => Ok(()),
        Some(s) => Err(EngineError::Other(format!(
            "{} refused {what}: {s} {}",
            label(h),
            v.get("Message").and_then(Value::as_str).unwrap_or("")
        ))),
    }
}

pub async fn status(http: &Http, h: &FppHost) -> EngineResult<FppStatus> {
    let bytes = http.get(&label(h), &url(h, &["api", "fppd", "status"])?).await?;
    parse("fpp status", &bytes)
}

pub async fn playlists(http: &Http, h: &FppHost) -> EngineResult<Vec<String>> {
    let v = get_json(http, h, &["api", "playlists"]).await?;
    serde_json::from_value(v.clone())
        .map_err(|_| EngineError::invalid("fpp playlists", v.to_string(), "a JSON array of playlist names"))
}

pub async fn start(http: &Http, h: &FppHost, playlist: &str, repeat: bool) -> EngineResult<()> {
    let segs: Vec<&str> = if repeat {
        vec!["api", "playlist", playlist, "start", "true"]
    } else {
        vec!["api", "playlist", playlist, "start"]
    };
    check(h, "start", &get_json(http, h, &segs).await?)
}

/// `stop`, `stopgracefully`, `stopgracefullyafterloop`, `pause`, `resume`.
pub async fn playlists_action(http: &Http, h: &FppHost, action: &str) -> EngineResult<()> {
    check(h, action, &get_json(http, h, &["api", "playlists", action]).await?)
}

/// A named FPP command, e.g. "Next Playlist Item".
pub async fn command(http: &Http, h: &FppHost, name: &str) -> EngineResult<()> {
    let bytes = http.post_json(&label(h), &url(h, &["api", "command"])?, &json!({"command": name, "args": []})).await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => check(h, name, &v),
        // Some commands answer with plain text.
        Err(_) => Ok(()),
    }
}

pub async fn schedule(http: &Http, h: &FppHost) -> EngineResult<Value> {
    get_json(http, h, &["api", "schedule"]).await
}

/// Replace the whole schedule, then ask fppd to reload it.
pub async fn save_schedule(http: &Http, h: &FppHost, entries: &Value) -> EngineResult<()> {
    http.post_json(&label(h), &url(h, &["api", "schedule"])?, entries).await?;
    let bytes = http.post_json(&label(h), &url(h, &["api", "schedule", "reload"])?, &json!({})).await?;
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        check(h, "schedule reload", &v)?;
    }
    Ok(())
}

pub async fn multisync(http: &Http, h: &FppHost) -> EngineResult<Vec<FppSystem>> {
    let v = get_json(http, h, &["api", "fppd", "multiSyncSystems"]).await?;
    let list = match &v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => match o.get("systems") {
            Some(Value::Array(a)) => a.clone(),
            _ => return Err(EngineError::invalid("fpp multiSyncSystems", short(&v), "an object with a systems array")),
        },
        _ => return Err(EngineError::invalid("fpp multiSyncSystems", short(&v), "a JSON array or object")),
    };
    let s = |o: &Value, keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| o.get(*k).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .unwrap_or_default()
    };
    Ok(list
        .iter()
        .filter(|o| o.is_object())
        .map(|o| FppSystem {
            hostname: s(o, &["hostname"]),
            address: s(o, &["address", "ip"]),
            mode: s(o, &["fppModeString", "fppMode", "mode"]),
            version: s(o, &["version"]),
            model: s(o, &["model", "typeStr", "type"]),
        })
        .collect())
}

fn short(v: &Value) -> String {
    v.to_string().chars().take(60).collect()
}
