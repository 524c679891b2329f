//! What goes into an archive for each kind of source: files walked from a
//! directory (`walk`), plus live captures over the network — Node-RED's
//! flows from its admin API (`nodered`), Zigbee2MQTT's own backup over MQTT
//! (`zigbee2mqtt`), a WLED device's presets and cfg and an FPP host's config
//! files and playlists (the lights domain).

pub mod nodered;
pub mod remote;
pub mod walk;
pub mod zigbee2mqtt;

use super::model::{Source, SourceKind};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use std::path::{Path, PathBuf};

/// One thing to put in the archive.
#[derive(Debug)]
pub enum Item {
    File { disk: PathBuf, name: String },
    Dir { disk: PathBuf, name: String },
    Symlink { disk: PathBuf, name: String },
    Bytes { name: String, data: Vec<u8> },
    /// A file on the source's server, streamed over `Plan::remote`.
    RemoteFile { path: String, name: String, size: u64, mode: u32, mtime: u64 },
    RemoteDir { name: String, mode: u32, mtime: u64 },
    RemoteSymlink { name: String, target: String, mtime: u64 },
}

#[derive(Default)]
pub struct Plan {
    pub items: Vec<Item>,
    /// The SFTP session remote items are read through.
    pub remote: Option<std::sync::Arc<russh_sftp::client::SftpSession>>,
    pub warnings: Vec<String>,
    /// Bytes expected (for progress).
    pub total: u64,
}

impl Plan {
    pub fn bytes(&mut self, name: &str, data: Vec<u8>) {
        self.total += data.len() as u64;
        self.items.push(Item::Bytes { name: name.into(), data });
    }
}

/// The files a Home Assistant recorder keeps (left out with exclude_db).
pub const HA_RECORDER: [&str; 3] = ["home-assistant_v2.db", "home-assistant_v2.db-shm", "home-assistant_v2.db-wal"];

pub fn source_dir(s: &Source) -> EngineResult<PathBuf> {
    let p = s.path.as_deref().ok_or_else(|| EngineError::invalid("path", "", "the directory this source backs up"))?;
    let path = PathBuf::from(p);
    if !path.is_dir() {
        return Err(EngineError::invalid("path", p, "an existing directory"));
    }
    Ok(path)
}

/// Walk the source's directory, here or on its server.
async fn walk_source(inner: &Inner, actor: &Actor, s: &Source, exclude: &[String], keep: fn(&Path, bool) -> bool, plan: &mut Plan) -> EngineResult<()> {
    match s.remote_server() {
        None => walk::walk(&source_dir(s)?, exclude, keep, plan),
        Some(name) => {
            let server = crate::engine::servers::store::get(&inner.store, name)?;
            let path = s.path.as_deref().ok_or_else(|| EngineError::invalid("path", "", "the directory this source backs up"))?;
            let sftp = remote::connect(inner, actor, &server).await?;
            remote::check_dir(&sftp, name, path).await?;
            remote::walk(sftp, name, path, exclude, keep, plan).await
        }
    }
}

/// Everything a backup of `s` holds, live captures included.
pub(crate) async fn gather(inner: &Inner, actor: &Actor, s: &Source) -> EngineResult<Plan> {
    let mut plan = Plan::default();
    match s.kind {
        SourceKind::Dir | SourceKind::HaConfig => walk_source(inner, actor, s, &s.exclude, walk::all_files, &mut plan).await?,
        SourceKind::Zigbee2mqtt => {
            let mut ex = s.exclude.clone();
            ex.extend(["log".to_string(), "ota".to_string()]);
            walk_source(inner, actor, s, &ex, walk::all_files, &mut plan).await?;
            if let Some(broker) = &s.mqtt {
                let topic = s.topic.as_deref().unwrap_or("zigbee2mqtt");
                let zip = zigbee2mqtt::request_backup(broker, topic, std::time::Duration::from_secs(30)).await?;
                plan.bytes("live/zigbee2mqtt-backup.zip", zip);
            }
        }
        SourceKind::NodeRed => {
            walk_source(inner, actor, s, &s.exclude, nodered::is_user_file, &mut plan).await?;
            let has_key = plan.items.iter().any(|i| matches!(i, Item::File { name, .. } | Item::RemoteFile { name, .. } if name == "files/.config.runtime.json"));
            if !has_key {
                plan.warnings.push(format!(
                    "{}{}/.config.runtime.json is missing: it holds the key of flows_cred.json, without it the restored credentials cannot be decrypted",
                    s.remote_server().map(|n| format!("{n}:")).unwrap_or_default(),
                    s.path.as_deref().unwrap_or_default()
                ));
            }
            if let Some(url) = &s.url {
                let api = nodered::Api::connect(inner, actor, s, url).await?;
                let flows = api.get_flows().await?;
                plan.bytes("live/flows.json", flows);
            }
        }
        SourceKind::Wled => {
            let device = s.device.as_deref().ok_or_else(|| EngineError::invalid("device", "", "the WLED device to back up"))?;
            let export = crate::engine::lights::export_wled(inner, device).await?;
            let presets = serde_json::to_vec_pretty(&export.presets).map_err(|e| EngineError::Other(e.to_string()))?;
            let cfg = serde_json::to_vec_pretty(&export.cfg).map_err(|e| EngineError::Other(e.to_string()))?;
            plan.bytes("live/presets.json", presets);
            plan.bytes("live/cfg.json", cfg);
        }
        SourceKind::Fpp => {
            let host = s.device.as_deref().ok_or_else(|| EngineError::invalid("device", "", "the FPP host to back up"))?;
            let (files, warnings) = crate::engine::lights::backup_io::export_fpp(inner, host).await?;
            for (name, data) in files {
                plan.bytes(&format!("live/{name}"), data);
            }
            plan.warnings.extend(warnings);
        }
    }
    Ok(plan)
}
