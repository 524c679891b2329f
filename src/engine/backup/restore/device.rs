//! Restoring a source that lives on a device (WLED, FPP): nothing is
//! swapped on disk; the archive's `live/` captures are pushed back through
//! the device's API.
//!
//! 1. the caller has verified the archive; the preview compares each
//!    captured file with what the device serves now (added / changed; files
//!    the device has and the archive lacks are left alone, never removed);
//! 2. a pre-restore backup of the device is taken and its capture kept;
//! 3. the archive is extracted into a staging dir under `.partial/`;
//! 4. the captures are pushed (WLED: presets upload + `/json/cfg`; FPP:
//!    every config file and playlist, then a schedule reload);
//! 5. health check: the device is read again and must serve what was pushed;
//! 6. on failure in 4–5 the pre-restore capture is pushed back.
//!
//! There is no journal: a crash mid-push leaves the device half-restored,
//! and the pre-restore backup in the catalog is what to restore then.

use super::Done;
use super::preview::Preview;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::backup::archive::extract::extract;
use crate::engine::backup::archive::manifest::Manifest;
use crate::engine::backup::archive::safety::Limits;
use crate::engine::backup::archive::reader;
use crate::engine::digest::sha256_hex;
use crate::engine::backup::model::{Source, SourceKind};
use crate::engine::backup::sources::{self, Item};
use crate::engine::backup::{create, repo};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::vault::crypto::Key;
use std::collections::BTreeMap;
use std::path::Path;

/// The `live/` captures of a plan, by name (without `live/`).
fn captures(plan: sources::Plan) -> BTreeMap<String, Vec<u8>> {
    plan.items
        .into_iter()
        .filter_map(|i| match i {
            Item::Bytes { name, data } => name.strip_prefix("live/").map(|n| (n.to_string(), data)),
            _ => None,
        })
        .collect()
}

/// What the device serves now, in the form a backup would capture it.
async fn current(inner: &Inner, actor: &Actor, s: &Source) -> EngineResult<BTreeMap<String, Vec<u8>>> {
    Ok(captures(sources::gather(inner, actor, s).await?))
}

pub fn describe(s: &Source) -> String {
    let what = if s.kind == SourceKind::Fpp { "FPP host" } else { "WLED device" };
    format!("{what} {}", s.device.as_deref().unwrap_or("?"))
}

/// Compare the archive's captures with the device now.
pub fn compare(manifest: &Manifest, now: &BTreeMap<String, Vec<u8>>) -> Preview {
    let mut p = Preview::default();
    for e in manifest.files() {
        let Some(name) = e.path.strip_prefix("live/") else { continue };
        p.live.push(name.to_string());
        match now.get(name) {
            None => p.added.push(name.to_string()),
            Some(d) if sha256_hex(d) == e.sha256 => p.unchanged += 1,
            Some(_) => p.changed.push(name.to_string()),
        }
    }
    p.added.sort();
    p.changed.sort();
    p.live.sort();
    p.warnings = manifest.warnings.clone();
    p
}

async fn push(inner: &Inner, s: &Source, files: &BTreeMap<String, Vec<u8>>) -> EngineResult<()> {
    let device = s.device.as_deref().ok_or_else(|| EngineError::invalid("device", "", "the device this source backs up"))?;
    match s.kind {
        SourceKind::Wled => {
            let get = |n: &str| files.get(n).ok_or_else(|| EngineError::invalid("backup", n, "an archive holding live/presets.json and live/cfg.json"));
            crate::engine::lights::backup_io::import_wled(inner, device, get("presets.json")?, get("cfg.json")?).await
        }
        SourceKind::Fpp => {
            let list: Vec<(String, Vec<u8>)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            crate::engine::lights::backup_io::import_fpp(inner, device, &list).await
        }
        _ => Err(EngineError::Other(format!("{} is not a device source", s.name))),
    }
}

/// `have` holds everything in `want`: objects may have more keys (a newer
/// firmware adds settings, FPP adds computed playlist info), all else is equal.
fn holds(have: &serde_json::Value, want: &serde_json::Value) -> bool {
    match (have, want) {
        (serde_json::Value::Object(h), serde_json::Value::Object(w)) => w.iter().all(|(k, v)| h.get(k).is_some_and(|hv| holds(hv, v))),
        _ => have == want,
    }
}

/// The device serves what was pushed (JSON compared as values: devices
/// reorder keys, reformat, and add keys of their own).
fn check(now: &BTreeMap<String, Vec<u8>>, pushed: &BTreeMap<String, Vec<u8>>) -> EngineResult<()> {
    for (name, data) in pushed {
        let same = match (now.get(name), serde_json::from_slice::<serde_json::Value>(data)) {
            (None, _) => false,
            (Some(n), Ok(want)) => serde_json::from_slice::<serde_json::Value>(n).map(|v| holds(&v, &want)).unwrap_or(false),
            (Some(n), Err(_)) => n == data,
        };
        if !same {
            return Err(EngineError::Other(format!("health check: the device does not serve the restored {name}")));
        }
    }
    Ok(())
}

/// Steps 1–6 for a device source; `verified` is the archive's manifest.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    inner: &Inner,
    actor: &Actor,
    s: &Source,
    backup: Option<u64>,
    path: &Path,
    key: Option<Key>,
    manifest: &Manifest,
    password: Option<&SecretValue>,
    confirmed: bool,
) -> EngineResult<Done> {
    let now = current(inner, actor, s).await?;
    let mut preview = compare(manifest, &now);
    preview.backup = backup;
    preview.source = s.name.clone();
    preview.target = describe(s);
    if !confirmed {
        return Ok(Done::Preview(preview));
    }
    let pre = create::create(inner, actor, s, password, "pre-restore").await?.id;
    let rid = inner.store.next_counter("restore_id")?;
    let staging = repo::partial_dir(inner).join(format!("device-restore-{rid}"));
    std::fs::create_dir_all(&staging).map_err(|e| create::io_err("staging dir", e))?;
    let running = inner.backup.jobs.start(inner, "restore", &s.name, 1);
    let (p, st, job) = (path.to_path_buf(), staging.clone(), running.job.clone());
    let extracted = tokio::task::spawn_blocking(move || {
        let opened = reader::open(&p, key.as_ref())?;
        extract(opened, &st, &Limits::default(), None, &job, None)
    })
    .await
    .map_err(|e| EngineError::Other(format!("restore task failed: {e}")));
    let files: EngineResult<BTreeMap<String, Vec<u8>>> = match extracted {
        Ok(Ok(x)) => x
            .manifest
            .files()
            .filter_map(|e| e.path.strip_prefix("live/").map(|n| (n.to_string(), staging.join(&e.path))))
            .map(|(n, disk)| std::fs::read(&disk).map(|d| (n, d)).map_err(|e| create::io_err(&disk.display().to_string(), e)))
            .collect(),
        Ok(Err(e)) => Err(create::io_err("restore", e)),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&staging);
    let files = files?;
    let outcome = async {
        push(inner, s, &files).await?;
        check(&current(inner, actor, s).await?, &files)
    }
    .await;
    drop(running);
    if let Err(e) = outcome {
        let back = push(inner, s, &now).await;
        return Err(match back {
            Ok(()) => EngineError::Other(format!("restore failed ({e}); the device was given back its previous configuration")),
            Err(b) => EngineError::Other(format!("restore failed ({e}) and pushing the previous configuration back failed too ({b}); restore pre-restore backup #{pre}")),
        });
    }
    Ok(Done::Restored { preview, pre_restore: Some(pre), carried: 0, restarted: None })
}
