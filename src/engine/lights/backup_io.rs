//! What the backups domain asks of the lights domain: a WLED device's
//! presets.json and cfg pushed back, and a Falcon Player host's config
//! files and playlists read and pushed back. Every call goes through the
//! one lights HTTP client (timeouts, body cap, errors naming the device).
//!
//! WLED takes presets.json as a file upload (`POST /upload`, multipart,
//! field `data`, file name `/presets.json`, as its own settings page sends
//! it) and the configuration as JSON (`POST /json/cfg`). FPP lists its
//! config files with `GET /api/configfile`, serves and overwrites each with
//! `GET/POST /api/configfile/{path}` (raw body), and its playlists with
//! `GET /api/playlists` and `GET/POST /api/playlist/{name}`.

use super::fpp::client as fpp;
use super::http::base_url;
use super::inventory::Inventory;
use super::wled::client as wled;
use crate::engine::Inner;
use crate::engine::error::{EngineError, EngineResult};
use serde_json::Value;

/// Archive names under `live/` for FPP: `fpp/config/…` and `fpp/playlists/NAME.json`.
pub const FPP_CONFIG: &str = "fpp/config/";
pub const FPP_PLAYLISTS: &str = "fpp/playlists/";

/// How deep FPP's config directory is walked (it has `backups/` and a few
/// plugin directories; nothing deeper is configuration).
const MAX_DEPTH: usize = 3;

fn json(bytes: &[u8], what: &str) -> EngineResult<Value> {
    serde_json::from_slice(bytes).map_err(|e| EngineError::invalid(what, String::from_utf8_lossy(&bytes[..bytes.len().min(60)]), &format!("JSON ({e})")))
}

/// A path a device named: relative, no `..`, no empty parts.
fn safe_rel(what: &str, p: &str) -> EngineResult<()> {
    let ok = !p.is_empty() && !p.starts_with('/') && p.split('/').all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\'));
    if ok { Ok(()) } else { Err(EngineError::invalid(what, p, "a relative path without '..'")) }
}

/// A directory listing of `/api/configfile[/dir]`: `{"Path": …, "ConfigFiles": […]}`.
fn listing(v: &Value) -> Option<Vec<String>> {
    let o = v.as_object()?;
    if o.len() != 2 || !o.contains_key("Path") {
        return None;
    }
    o.get("ConfigFiles")?.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

/// Every config file and playlist of FPP host `host`, named for the archive
/// (relative to `live/`), plus warnings for what was left out.
pub(crate) async fn export_fpp(inner: &Inner, host: &str) -> EngineResult<(Vec<(String, Vec<u8>)>, Vec<String>)> {
    let h = Inventory::open(&inner.store)?.need_host(host)?;
    let http = &inner.lights.http;
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    let mut dirs = vec![(String::new(), 0usize)];
    while let Some((dir, depth)) = dirs.pop() {
        let mut segs = vec!["api", "configfile"];
        segs.extend(dir.split('/').filter(|s| !s.is_empty()));
        let v = fpp::get_json(http, &h, &segs).await?;
        let names = listing(&v).ok_or_else(|| EngineError::invalid("fpp /api/configfile", v.to_string().chars().take(60).collect::<String>(), "a listing with Path and ConfigFiles"))?;
        for name in names {
            let rel = if dir.is_empty() { name.clone() } else { format!("{dir}/{name}") };
            if safe_rel("fpp config file", &rel).is_err() {
                warnings.push(format!("FPP {host}: config file name {rel:?} skipped (not a plain relative path)"));
                continue;
            }
            let mut segs = vec!["api", "configfile"];
            segs.extend(rel.split('/'));
            let body = http.get(&fpp::label(&h), &fpp::url(&h, &segs)?).await?;
            match serde_json::from_slice::<Value>(&body).ok().as_ref().and_then(listing) {
                Some(_) if depth + 1 < MAX_DEPTH => dirs.push((rel, depth + 1)),
                Some(_) => warnings.push(format!("FPP {host}: config directory {rel} is deeper than {MAX_DEPTH} levels; left out")),
                None => out.push((format!("{FPP_CONFIG}{rel}"), body)),
            }
        }
    }
    let names: Vec<String> = serde_json::from_value(fpp::get_json(http, &h, &["api", "playlists"]).await?)
        .map_err(|e| EngineError::invalid("fpp playlists", e.to_string(), "a JSON array of playlist names"))?;
    for name in names {
        if name.contains('/') || name.starts_with('.') || name.is_empty() {
            warnings.push(format!("FPP {host}: playlist {name:?} skipped (its name is not a file name)"));
            continue;
        }
        let body = http.get(&fpp::label(&h), &fpp::url(&h, &["api", "playlist", &name])?).await?;
        json(&body, "fpp playlist")?;
        out.push((format!("{FPP_PLAYLISTS}{name}.json"), body));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((out, warnings))
}

/// Write config files and playlists (as [`export_fpp`] named them) back to
/// FPP host `host`; then have fppd reload its schedule.
pub(crate) async fn import_fpp(inner: &Inner, host: &str, files: &[(String, Vec<u8>)]) -> EngineResult<()> {
    let h = Inventory::open(&inner.store)?.need_host(host)?;
    let http = &inner.lights.http;
    for (name, body) in files {
        if let Some(rel) = name.strip_prefix(FPP_CONFIG) {
            safe_rel("fpp config file", rel)?;
            let mut segs = vec!["api", "configfile"];
            segs.extend(rel.split('/'));
            let answer = http.post_bytes(&fpp::label(&h), &fpp::url(&h, &segs)?, "text/plain", body.clone()).await?;
            refused(&h.name, rel, &answer)?;
        } else if let Some(file) = name.strip_prefix(FPP_PLAYLISTS) {
            let pl = file.strip_suffix(".json").unwrap_or(file);
            safe_rel("fpp playlist", pl)?;
            let v = json(body, "fpp playlist")?;
            http.post_json(&fpp::label(&h), &fpp::url(&h, &["api", "playlist", pl])?, &v).await?;
        }
    }
    http.post_json(&fpp::label(&h), &fpp::url(&h, &["api", "schedule", "reload"])?, &serde_json::json!({})).await?;
    Ok(())
}

/// FPP answers `{"Status":"OK"}`; anything else names what it refused.
fn refused(host: &str, what: &str, answer: &[u8]) -> EngineResult<()> {
    match serde_json::from_slice::<Value>(answer).ok().and_then(|v| v.get("Status").and_then(Value::as_str).map(str::to_string)) {
        Some(s) if s != "OK" => Err(EngineError::Other(format!("FPP {host} refused {what}: {s}"))),
        _ => Ok(()),
    }
}

/// A multipart/form-data body with one file in field `data`.
fn multipart(boundary: &str, filename: &str, data: &[u8]) -> Vec<u8> {
    let mut b = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{filename}\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

/// Push a backed-up presets.json and cfg back to WLED device `device`.
pub(crate) async fn import_wled(inner: &Inner, device: &str, presets: &[u8], cfg: &[u8]) -> EngineResult<()> {
    let d = Inventory::open(&inner.store)?.need_device(device)?;
    let http = &inner.lights.http;
    let base = base_url(&d.address)?;
    let presets_v = json(presets, "presets.json in the backup")?;
    let cfg_v = json(cfg, "cfg.json in the backup")?;
    if !presets_v.is_object() || !cfg_v.is_object() {
        return Err(EngineError::invalid("backup", "presets.json/cfg.json", "JSON objects as WLED serves them"));
    }
    // The boundary must not occur in the body; a hash of it never does.
    let boundary = format!("homedeck-{}", &crate::engine::digest::sha256_hex(presets)[..32]);
    let body = multipart(&boundary, "/presets.json", presets);
    http.post_bytes(&wled::label(&d), &format!("{base}/upload"), &format!("multipart/form-data; boundary={boundary}"), body).await?;
    let answer = http.post_json(&wled::label(&d), &format!("{base}/json/cfg"), &cfg_v).await?;
    if let Ok(v) = serde_json::from_slice::<Value>(&answer)
        && v.get("success").and_then(Value::as_bool) == Some(false)
    {
        return Err(EngineError::Other(format!("WLED {device} did not accept the configuration")));
    }
    Ok(())
}
