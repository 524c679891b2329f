//! Restore with rollback, as a sequence with one way out on failure:
//!
//! 1. without `confirmed`: verify the archive (catalog SHA-256, decryption,
//!    every hash) and return the preview (added / changed / removed);
//! 2. confirmed: journal the restore, then in one pass over the archive
//!    extract into a staging dir beside the target (hostile entries refused)
//!    while checking every chunk and hash, and the catalog SHA-256 at the
//!    end; nothing outside the staging dir is touched before that passes;
//! 3. the preview from the checked manifest; a pre-restore backup;
//! 4. (the Node-RED flows deployed now are kept for a rollback);
//! 5. carry over what the source leaves out; swap; journal "swapped";
//! 6. post-restore step (Node-RED: `POST /flows`, full deployment);
//! 7. health check (Node-RED answers with the restored flows; the source's
//!    own health command exits 0);
//! 8. on any failure in 5–7: undo the swap and redeploy the old flows.
//!
//! The journal makes a crash anywhere in 5–7 roll back at the next start.

pub mod journal;
pub mod preview;
pub mod swap;

use super::archive::extract::extract;
use super::archive::reader;
use super::archive::safety::Limits;
use super::model::{Source, SourceKind};
use super::sources::nodered;
use super::{catalog, create, keys, repo};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use chrono::Utc;
use journal::{Journal, Phase};
use preview::Preview;
use std::path::{Path, PathBuf};
use swap::Swap;

pub struct Request {
    pub id: Option<u64>,
    pub file: Option<String>,
    pub target: Option<String>,
    pub only: Option<String>,
    pub password: Option<SecretValue>,
    pub confirmed: bool,
}

pub enum Done {
    Preview(Preview),
    Restored { preview: Preview, pre_restore: Option<u64>, carried: u64 },
}

/// Which paths under a target the source covers.
/// Decides per path (relative to the target, is it a dir) whether the source covers it.
pub type Selector = Box<dyn Fn(&Path, bool) -> bool + Send + Sync>;

pub fn selector(source: Option<&Source>) -> Selector {
    let Some(s) = source else { return Box::new(|_, _| true) };
    let mut exclude = s.exclude.clone();
    if s.kind == SourceKind::Zigbee2mqtt {
        exclude.extend(["log".to_string(), "ota".to_string()]);
    }
    let node_red = s.kind == SourceKind::NodeRed;
    Box::new(move |rel: &Path, is_dir: bool| {
        let base = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if exclude.iter().any(|x| *x == base || Path::new(x) == rel) {
            return false;
        }
        !node_red || nodered::is_user_file(rel, is_dir)
    })
}

fn io(what: &str) -> impl Fn(std::io::Error) -> EngineError + '_ {
    move |e| create::io_err(what, e)
}

pub(crate) async fn restore(inner: &Inner, actor: &Actor, req: Request) -> EngineResult<Done> {
    let entry = req.id.map(|id| catalog::entry(&inner.store, id)).transpose()?;
    let source = match &entry {
        Some(e) => catalog::source(&inner.store, &e.source).ok(),
        None => None,
    };
    let (path, temp) = match (&entry, &req.file) {
        (Some(e), _) => repo::fetch(inner, actor, e).await?,
        (None, Some(f)) => (PathBuf::from(f), false),
        (None, None) => return Err(EngineError::invalid("id", "", "a backup id from backup_list, or file=PATH of an archive")),
    };
    let result = run(inner, actor, &req, entry.as_ref().map(|e| (e.id, e.sha256.clone())), source.as_ref(), &path).await;
    if temp {
        let _ = std::fs::remove_file(&path);
    }
    result
}

async fn run(inner: &Inner, actor: &Actor, req: &Request, entry: Option<(u64, String)>, source: Option<&Source>, path: &Path) -> EngineResult<Done> {
    let header = reader::read_header(path).map_err(io("archive"))?;
    let key = match &header.encryption {
        Some(enc) => {
            let material = keys::material(inner, actor, &enc.key, req.password.as_ref(), &format!("restore {}", header.source))?;
            Some(keys::derive(material, enc.clone()).await?)
        }
        None => None,
    };
    let target = match (req.target.clone(), source.and_then(|s| s.path.clone())) {
        (Some(t), _) | (None, Some(t)) => PathBuf::from(t),
        (None, None) => return Err(EngineError::invalid("target", "", "the directory to restore into (the source has none)")),
    };
    let only = req.only.clone().filter(|o| !o.trim().is_empty());
    if let Some(o) = &only {
        super::archive::safety::entry_path(o.as_bytes()).map_err(|r| EngineError::invalid("only", o, &format!("a relative file path ({})", r.reason)))?;
    }
    let running = inner.backup.jobs.start(inner, "restore", &header.source, 1);
    let select = selector(source);
    let described = |manifest: &super::archive::Manifest| {
        let mut preview = preview::compute(manifest, &target, only.as_deref(), &*select);
        preview.backup = entry.as_ref().map(|e| e.0);
        preview.source = header.source.clone();
        preview.target = target.display().to_string();
        preview
    };
    if !req.confirmed {
        // 1–2. Verify everything, then say what would change.
        let job = running.job.clone();
        let (p, k, sha) = (path.to_path_buf(), key.clone(), entry.as_ref().map(|e| e.1.clone()));
        let verified = tokio::task::spawn_blocking(move || reader::verify(&p, k.as_ref(), sha.as_deref(), &job))
            .await
            .map_err(|e| EngineError::Other(format!("verify task failed: {e}")))?
            .map_err(io("archive"))?;
        return Ok(Done::Preview(described(&verified.manifest)));
    }
    // Confirmed: one pass over the archive. 1+4. Extract into a staging dir
    // beside the target, which checks every chunk, entry hash, the manifest
    // and (below) the file's SHA-256 against the catalog; the target is not
    // touched until all of that holds. The journal comes first so a crash
    // while staging is cleaned up at the next start.
    let rid = inner.store.next_counter("restore_id")?;
    let sw = Swap::new(&target, rid, only.clone().map(PathBuf::from)).map_err(io("restore"))?;
    let mut j = Journal { rid, source: header.source.clone(), backup: entry.as_ref().map(|e| e.0), pre_restore: None, swap: sw.clone(), phase: Phase::Staging, started: Utc::now() };
    journal::put(inner, &j)?;
    let outcome = async {
        std::fs::create_dir_all(&sw.staging).map_err(io("staging dir"))?;
        let (p, k, st, o, job) = (path.to_path_buf(), key.clone(), sw.staging.clone(), only.clone(), running.job.clone());
        let extracted = tokio::task::spawn_blocking(move || {
            let opened = reader::open(&p, k.as_ref())?;
            extract(opened, &st, &Limits::default(), o.as_deref(), &job)
        })
        .await
        .map_err(|e| EngineError::Other(format!("restore task failed: {e}")))?
        .map_err(io("archive"))?;
        if let Some((_, want)) = &entry
            && *want != extracted.sha256
        {
            return Err(EngineError::Other(format!(
                "archive: the archive's SHA-256 is {}, the catalog recorded {want}: the file changed",
                extracted.sha256
            )));
        }
        // 2. What changes, from the manifest just checked (the target is untouched so far).
        let preview = described(&extracted.manifest);
        // 3. Pre-restore backup, live state kept for rollback.
        let pre = match source {
            Some(s) if sw.had_target || s.url.is_some() => Some(create::create(inner, actor, s, req.password.as_ref(), "pre-restore").await?.id),
            _ => None,
        };
        j.pre_restore = pre;
        journal::put(inner, &j)?;
        let api = match source.and_then(|s| s.url.as_ref().map(|u| (s, u))) {
            Some((s, url)) if s.kind == SourceKind::NodeRed => Some(nodered::Api::connect(inner, actor, s, url).await?),
            _ => None,
        };
        let old_flows = match &api {
            Some(a) => Some(a.get_flows().await?),
            None => None,
        };
        // 5. Carry over, swap.
        let carried = if only.is_none() && sw.had_target { swap::carry_over(&target, &sw.staged_files(), &*select).map_err(io("carrying over"))? } else { 0 };
        j.phase = Phase::Swapped;
        journal::put(inner, &j)?;
        sw.apply().map_err(io("swap"))?;
        // 6–7. Post-restore and health; undo on failure.
        let post = post_restore(inner, &sw, api.as_ref(), source, only.is_none()).await;
        if let Err(e) = post {
            let undo = sw.undo();
            if let (Some(a), Some(f)) = (&api, &old_flows) {
                let _ = a.deploy(f).await;
            }
            return Err(match undo {
                Ok(()) => EngineError::Other(format!("restore failed ({e}); rolled back to the previous content")),
                Err(u) => EngineError::Other(format!("restore failed ({e}) and the rollback failed too ({u}); the previous content is in {}", sw.old.display())),
            });
        }
        Ok((pre, carried, preview))
    }
    .await;
    sw.cleanup();
    journal::remove(inner, rid)?;
    let (pre_restore, carried, preview) = outcome?;
    Ok(Done::Restored { preview, pre_restore, carried })
}

async fn post_restore(inner: &Inner, sw: &Swap, api: Option<&nodered::Api>, source: Option<&Source>, full: bool) -> EngineResult<()> {
    let _ = inner;
    if let Some(api) = api {
        let live = sw.staging.join("live/flows.json");
        let flows = match std::fs::read(&live) {
            Ok(f) => f,
            Err(_) if full => std::fs::read(sw.target.join("flows.json")).map_err(io("flows.json"))?,
            Err(_) => Vec::new(),
        };
        if !flows.is_empty() {
            api.deploy(&flows).await?;
            let now = api.get_flows().await?;
            if ids(&now) != ids(&flows) {
                return Err(EngineError::Other("health check: Node-RED does not report the restored flows after the deployment".into()));
            }
        }
    }
    if let Some(cmd) = source.and_then(|s| s.health.as_deref()) {
        let out = tokio::time::timeout(
            std::time::Duration::from_secs(120),
            tokio::process::Command::new("sh").arg("-c").arg(cmd).current_dir(&sw.target).kill_on_drop(true).output(),
        )
        .await
        .map_err(|_| EngineError::Other(format!("health check `{cmd}` did not finish within 120 s")))?
        .map_err(|e| EngineError::Other(format!("health check `{cmd}` could not start: {e}")))?;
        if !out.status.success() {
            return Err(EngineError::Other(format!(
                "health check `{cmd}` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
    }
    Ok(())
}

/// The node ids of a flows array, sorted (Node-RED may reorder keys).
fn ids(flows: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(flows).unwrap_or_default();
    let mut ids: Vec<String> = v.as_array().into_iter().flatten().filter_map(|n| n.get("id").and_then(|i| i.as_str()).map(str::to_string)).collect();
    ids.sort();
    ids
}
