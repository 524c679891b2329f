//! Restore with rollback, as a sequence with one way out on failure:
//!
//! 1. verify the archive (catalog SHA-256, decryption, every hash);
//! 2. without `confirmed`: return the preview (added / changed / removed);
//! 3. journal the restore; take a pre-restore backup of the current state;
//! 4. extract into a staging dir beside the target (hostile entries refused);
//! 5. carry over what the source leaves out; swap; journal "swapped";
//! 6. post-restore step (Node-RED: `POST /flows`, full deployment);
//! 7. health check (Node-RED answers with the restored flows; the source's
//!    own health command exits 0);
//! 8. on any failure in 5–7: undo the swap and redeploy the old flows.
//!
//! The journal makes a crash anywhere in 5–7 roll back at the next start.
//! Sources on a device (WLED, FPP) take the `device` path instead: their
//! captures are pushed back through the device's API.

pub mod device;
pub mod journal;
mod post;
pub mod preview;
pub mod remote;
pub mod remote_swap;
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
use crate::engine::servers::model::Server;
use russh_sftp::client::SftpSession;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use swap::Swap;
use super::archive::FILES_PREFIX;

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
    /// `restarted`: the homedeck deployment restarted after the restore.
    Restored { preview: Preview, pre_restore: Option<u64>, carried: u64, restarted: Option<String> },
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
    // Boxed: the sequence is a large future, kept off the caller's stack.
    let result = Box::pin(run(inner, actor, &req, entry.as_ref().map(|e| (e.id, e.sha256.clone())), source.as_ref(), &path)).await;
    if temp {
        let _ = std::fs::remove_file(&path);
    }
    result
}

/// Where the target is: this machine, or a server (with an SFTP session).
enum At {
    Local,
    Remote { server: Box<Server>, sftp: Arc<SftpSession> },
}

async fn run(inner: &Inner, actor: &Actor, req: &Request, entry: Option<(u64, String)>, source: Option<&Source>, path: &Path) -> EngineResult<Done> {
    let header = reader::read_header(path).map_err(io("archive"))?;
    let key = match &header.encryption {
        Some(enc) => {
            let material = keys::material(inner, actor, &enc.key, req.password.as_ref(), source.and_then(|s| s.backup_password_secret.as_deref()), &format!("restore {}", header.source))?;
            Some(keys::derive(material, enc.clone()).await?)
        }
        None => None,
    };
    if let Some(s) = source.filter(|s| s.kind.on_device()) {
        if req.only.is_some() || req.target.is_some() {
            return Err(EngineError::invalid("target/only", "", "nothing for a device source (its whole capture is pushed back to the device)"));
        }
        let running = inner.backup.jobs.start(inner, "restore", &header.source, 1);
        let (p, k, sha, job) = (path.to_path_buf(), key.clone(), entry.as_ref().map(|e| e.1.clone()), running.job.clone());
        let verified = tokio::task::spawn_blocking(move || reader::verify(&p, k.as_ref(), sha.as_deref(), &job))
            .await
            .map_err(|e| EngineError::Other(format!("verify task failed: {e}")))?
            .map_err(io("archive"))?;
        drop(running);
        return device::run(inner, actor, s, entry.map(|e| e.0), path, key, &verified.manifest, req.password.as_ref(), req.confirmed).await;
    }
    let target = match (req.target.clone(), source.and_then(|s| s.path.clone())) {
        (Some(t), _) | (None, Some(t)) => PathBuf::from(t),
        (None, None) => return Err(EngineError::invalid("target", "", "the directory to restore into (the source has none)")),
    };
    let only = req.only.clone().filter(|o| !o.trim().is_empty());
    if let Some(o) = &only {
        super::archive::safety::entry_path(o.as_bytes()).map_err(|r| EngineError::invalid("only", o, &format!("a relative file path ({})", r.reason)))?;
    }
    let at = match source.and_then(|s| s.remote_server()) {
        Some(name) => {
            let server = crate::engine::servers::store::get(&inner.store, name)?;
            if !target.is_absolute() {
                return Err(EngineError::invalid("target", target.display().to_string(), &format!("an absolute directory path on {name}")));
            }
            let sftp = super::sources::remote::connect(inner, actor, &server).await?;
            At::Remote { server: Box::new(server), sftp }
        }
        None => At::Local,
    };
    // 1. Verify before anything else.
    let running = inner.backup.jobs.start(inner, "restore", &header.source, 1);
    let job = running.job.clone();
    let (p, k, sha) = (path.to_path_buf(), key.clone(), entry.as_ref().map(|e| e.1.clone()));
    let verified = tokio::task::spawn_blocking(move || reader::verify(&p, k.as_ref(), sha.as_deref(), &job))
        .await
        .map_err(|e| EngineError::Other(format!("verify task failed: {e}")))?
        .map_err(io("archive"))?;
    // The extraction below reads the archive again; it must read the same stream.
    let verified_stream = verified.tar_digest;
    let select = selector(source);
    let tstr = target.to_string_lossy().into_owned();
    let (mut preview, scan) = match &at {
        At::Local => (preview::compute(&verified.manifest, &target, only.as_deref(), &*select), None),
        At::Remote { server, sftp } => {
            let files: BTreeSet<String> = verified.manifest.files().filter_map(|e| e.path.strip_prefix(FILES_PREFIX).map(str::to_string)).collect();
            let scan = remote::scan(inner, actor, server, sftp, &tstr, &*select, &files).await?;
            (preview::compare(&verified.manifest, only.as_deref(), &scan.now), Some(scan))
        }
    };
    preview.backup = entry.as_ref().map(|e| e.0);
    preview.source = header.source.clone();
    preview.target = match &at {
        At::Local => tstr.clone(),
        At::Remote { server, .. } => format!("{}:{tstr}", server.name),
    };
    if !req.confirmed {
        return Ok(Done::Preview(preview));
    }
    // 3. Journal, pre-restore backup, live state kept for rollback.
    let rid = inner.store.next_counter("restore_id")?;
    if let Ok(mut a) = inner.backup.active_restores.lock() {
        a.insert(rid);
    }
    let sw = match (&at, &scan) {
        (At::Remote { server, .. }, Some(scan)) => {
            let had = match &only {
                Some(o) => scan.now.contains_key(o.as_str()),
                None => scan.exists,
            };
            Swap::remote(&tstr, rid, only.clone().map(PathBuf::from), &server.name, had)
        }
        _ => Swap::new(&target, rid, only.clone().map(PathBuf::from)).map_err(io("restore"))?,
    };
    // Where the archive is extracted: beside a local target; for a remote
    // one, here first, then uploaded to the staging dir beside it.
    let local_staging = match &at {
        At::Local => sw.staging.clone(),
        At::Remote { .. } => repo::partial_dir(inner).join(format!("restore-{rid}")),
    };
    let mut j = Journal { rid, source: header.source.clone(), backup: entry.as_ref().map(|e| e.0), pre_restore: None, swap: sw.clone(), phase: Phase::Staging, started: Utc::now() };
    journal::put(inner, &j)?;
    let mut restarted = None;
    let outcome = async {
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
        // 4. Extract into staging (hostile entries are refused here).
        std::fs::create_dir_all(&local_staging).map_err(io("staging dir"))?;
        let (p, k, st, o, job) = (path.to_path_buf(), key.clone(), local_staging.clone(), only.clone(), running.job.clone());
        tokio::task::spawn_blocking(move || {
            let opened = reader::open(&p, k.as_ref())?;
            extract(opened, &st, &Limits::default(), o.as_deref(), &job, Some(verified_stream))
        })
        .await
        .map_err(|e| EngineError::Other(format!("restore task failed: {e}")))?
        .map_err(io("restore"))?;
        // 5. Carry over, swap.
        let carried = match (&at, &scan) {
            (At::Local, _) if only.is_none() && sw.had_target => swap::carry_over(&target, &sw.staged_files(), &*select).map_err(io("carrying over"))?,
            (At::Remote { server, sftp }, Some(scan)) => {
                let staged_local = local_staging.join("files");
                if !staged_local.exists() {
                    std::fs::create_dir_all(&staged_local).map_err(io("staging dir"))?;
                }
                let staging = sw.staging.to_string_lossy().into_owned();
                sftp.create_dir(staging.clone()).await.map_err(|e| EngineError::Remote { server: server.name.clone(), detail: format!("cannot create {staging}: {e}") })?;
                remote::upload(inner, actor, server, sftp, &staged_local, &sw.staged_files().to_string_lossy()).await?;
                let left: Vec<String> = scan.unselected.iter().filter(|r| !staged_local.join(r).exists()).cloned().collect();
                if only.is_none() && sw.had_target { remote::carry_over(inner, actor, server, &tstr, &sw.staged_files().to_string_lossy(), &left).await? } else { 0 }
            }
            _ => 0,
        };
        j.phase = Phase::Swapped;
        journal::put(inner, &j)?;
        remote_swap::apply_any(inner, actor, &sw).await?;
        // 6–7. Post-restore and health; undo on failure.
        j.phase = Phase::PostRestore;
        journal::put(inner, &j)?;
        let server_name = match &at {
            At::Local => "local".to_string(),
            At::Remote { server, .. } => server.name.clone(),
        };
        let cancel = running.job.cancel.clone();
        let checked = async {
            if source.is_some_and(|s| s.kind == SourceKind::HaConfig) {
                restarted = post::deployment_at(inner, &server_name, &tstr)?;
                if let Some(d) = &restarted {
                    post::restart(inner, actor, d).await?;
                }
            }
            let here = match &at {
                At::Local => None,
                At::Remote { server, .. } => Some(&**server),
            };
            post::post_restore(inner, actor, &local_staging, &target, here, api.as_ref(), source, only.is_none()).await
        };
        // A cancel (`backup cancel`, a daemon stopping) during the checks
        // ends them (a health command is killed) and undoes the swap.
        let checked = tokio::select! {
            r = checked => r,
            () = cancelled(&cancel) => Err(EngineError::Cancelled { what: "restore".into() }),
        };
        if let Err(e) = checked {
            let undo = remote_swap::undo_any(inner, actor, &sw).await;
            if let (Some(a), Some(f)) = (&api, &old_flows) {
                let _ = a.deploy(f).await;
            }
            let again = match &restarted {
                Some(d) => match post::restart(inner, actor, d).await {
                    Ok(()) => format!("; {d} restarted on the previous files and is healthy"),
                    Err(r) => format!("; restarting {d} on the previous files failed too: {r}"),
                },
                None => String::new(),
            };
            return Err(match undo {
                // A cancel that rolled back cleanly is audited `cancelled`, not as a failure.
                Ok(()) if matches!(e, EngineError::Cancelled { .. }) => {
                    EngineError::Cancelled { what: format!("the restore (rolled back to the previous content{again})") }
                }
                Ok(()) => EngineError::Other(format!("restore failed ({e}); rolled back to the previous content{again}")),
                Err(u) => EngineError::Other(format!("restore failed ({e}) and the rollback failed too ({u}); the previous content is in {}{again}", sw.old.display())),
            });
        }
        Ok((pre, carried))
    }
    .await;
    // Done or undone: from here a crash must only finish the cleanup (the
    // old dir is about to be deleted, so undoing with it would mix trees).
    j.phase = Phase::CleaningUp;
    journal::put(inner, &j)?;
    remote_swap::cleanup_any(inner, actor, &sw).await;
    if local_staging != sw.staging {
        let _ = std::fs::remove_dir_all(&local_staging);
    }
    // Whether it went through or was undone, the target is a new inode now.
    super::rearm_watches(inner);
    let removed = journal::remove(inner, rid);
    if let Ok(mut a) = inner.backup.active_restores.lock() {
        a.remove(&rid);
    }
    removed?;
    let (pre_restore, carried) = outcome?;
    Ok(Done::Restored { preview, pre_restore, carried, restarted })
}

/// Resolves once `flag` (a job's cancel flag) is set.
async fn cancelled(flag: &std::sync::atomic::AtomicBool) {
    while !flag.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
