//! Calls to one WLED device's HTTP JSON API.

use super::model::{self, FullJson, StateInfo, WledState};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::lights::http::{Http, base_url};
use crate::engine::lights::inventory::WledDevice;
use crate::engine::lights::views::WledExport;
use serde_json::Value;

pub(crate) fn label(d: &WledDevice) -> String {
    format!("WLED {} ({})", d.name, d.address)
}

/// `GET /json`: state, info and the effect and palette lists.
pub async fn full(http: &Http, d: &WledDevice) -> EngineResult<FullJson> {
    full_at(http, &label(d), &d.address).await
}

pub async fn full_at(http: &Http, who: &str, address: &str) -> EngineResult<FullJson> {
    let url = format!("{}/json", base_url(address)?);
    model::parse("wled", &http.get(who, &url).await?)
}

/// `GET /json/info`: the device's own facts alone — the cheapest "are you
/// there?" (the presence poller asks it every minute).
pub async fn info(http: &Http, d: &WledDevice) -> EngineResult<model::WledInfo> {
    let url = format!("{}/json/info", base_url(&d.address)?);
    model::parse("wled.info", &http.get(&label(d), &url).await?)
}

/// `GET /json/si`: state and info, the cheap poll.
pub async fn state_info(http: &Http, d: &WledDevice) -> EngineResult<StateInfo> {
    let url = format!("{}/json/si", base_url(&d.address)?);
    model::parse("wled", &http.get(&label(d), &url).await?)
}

/// `POST /json/state` with `v: true`: the device answers with its whole
/// new state, so the caller sees what the firmware actually did.
pub async fn post_state(http: &Http, d: &WledDevice, patch: &Value) -> EngineResult<WledState> {
    let mut body = patch.clone();
    if let Value::Object(m) = &mut body {
        m.insert("v".into(), Value::Bool(true));
    }
    let url = format!("{}/json/state", base_url(&d.address)?);
    let bytes = http.post_json(&label(d), &url, &body).await?;
    // Firmware answers `{"success":true}` to some requests despite `v`;
    // then read the state back.
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| EngineError::invalid("wled", String::from_utf8_lossy(&bytes[..bytes.len().min(60)]), &format!("JSON ({e})")))?;
    if v.get("seg").is_some() || v.get("on").is_some() {
        model::parse("wled.state", &bytes)
    } else if v.get("state").is_some() {
        Ok(model::parse::<StateInfo>("wled", &bytes)?.state)
    } else if v.get("success") == Some(&Value::Bool(true)) {
        Ok(state_info(http, d).await?.state)
    } else {
        Err(EngineError::Other(format!("{} refused the change: {}", label(d), truncate(&v.to_string()))))
    }
}

/// `GET /presets.json`.
pub async fn presets(http: &Http, d: &WledDevice) -> EngineResult<Value> {
    let url = format!("{}/presets.json", base_url(&d.address)?);
    json(&http.get(&label(d), &url).await?, "wled presets.json")
}

/// `GET /json/cfg`.
pub async fn cfg(http: &Http, d: &WledDevice) -> EngineResult<Value> {
    let url = format!("{}/json/cfg", base_url(&d.address)?);
    json(&http.get(&label(d), &url).await?, "wled cfg.json")
}

pub async fn export(http: &Http, d: &WledDevice) -> EngineResult<WledExport> {
    let presets = presets(http, d).await?;
    let cfg = cfg(http, d).await?;
    if !cfg.is_object() {
        return Err(EngineError::invalid("wled cfg.json", truncate(&cfg.to_string()), "a JSON object"));
    }
    Ok(WledExport { device: d.name.clone(), fetched: chrono::Utc::now(), presets, cfg })
}

fn json(bytes: &[u8], what: &str) -> EngineResult<Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        EngineError::invalid(what, String::from_utf8_lossy(&bytes[..bytes.len().min(60)]), &format!("JSON ({e})"))
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(120).collect()
}
