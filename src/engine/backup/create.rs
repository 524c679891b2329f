//! Taking a backup: gather the source (files and live captures), write the
//! archive to `.partial/` in one streaming pass on blocking threads while a
//! verifier reads it back from the file and checks every hash, move or upload it into the repository,
//! and only then write its catalog entry and flush. A kill -9 at any point
//! before that leaves at most a `.part` file, removed at the next start.

use crate::engine::BackupEvent;
use super::archive::header::Header;
use super::archive::reader;
use super::archive::overlap::write_verified;
use super::archive::writer::Job;
use super::model::{CatalogEntry, Source};
use super::sources::{self, Item, Plan};
use super::{catalog, keys, repo};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::vault::crypto::Key;
use chrono::Utc;
use std::path::{Path, PathBuf};

pub fn io_err(what: &str, e: std::io::Error) -> EngineError {
    if e.kind() == std::io::ErrorKind::Interrupted {
        EngineError::Cancelled { what: what.to_string() }
    } else {
        EngineError::Other(format!("{what}: {e}"))
    }
}

/// Write `plan` to `path`, reading it back while it is written (see
/// `archive::overlap`). Blocking; remote files are pulled over SFTP on `rt`.
fn write_and_verify(path: &Path, header: &Header, key: Option<&Key>, plan: Plan, job: &Job, rt: &tokio::runtime::Handle) -> std::io::Result<super::archive::overlap::Written> {
    use std::os::unix::fs::OpenOptionsExt;
    // Archives hold configuration and often secrets: owner-only.
    let file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    let remote = plan.remote;
    write_verified(path, file, header, key, job, |w| {
        w.manifest.warnings = plan.warnings;
        for item in plan.items {
            match item {
                Item::File { disk, name } => w.add_file(&disk, &name)?,
                Item::Dir { disk, name } => w.add_dir(&disk, &name)?,
                Item::Symlink { disk, name } => w.add_symlink(&disk, &name)?,
                Item::Bytes { name, data } => w.add_bytes(&name, &data, 0o600)?,
                Item::RemoteFile { path, name, size, mode, mtime } => {
                    let sftp = remote.as_deref().ok_or_else(|| std::io::Error::other("a remote file without an SFTP session"))?;
                    let r = sources::remote::open_blocking(rt, sftp, &path)?;
                    w.add_reader(&name, r, size, mode, mtime)?
                }
                Item::RemoteDir { name, mode, mtime } => w.add_dir_entry(&name, mode, mtime)?,
                Item::RemoteSymlink { name, target, mtime } => w.add_link_entry(&name, Path::new(&target), mtime)?,
            }
        }
        Ok(())
    })
}

/// Back up `source` now. `reason`: manual, scheduled, pre-restore.
pub(crate) async fn create(inner: &Inner, actor: &Actor, source: &Source, password: Option<&SecretValue>, reason: &str) -> EngineResult<CatalogEntry> {
    let place = repo::resolve(inner, source.repo_name())?;
    let enc = match source.key_ref() {
        Some(k) => {
            let material = keys::material(inner, actor, &k, password, source.backup_password_secret.as_deref(), &format!("backup {}", source.name))?;
            let enc = keys::new_encryption(k)?;
            Some((keys::derive(material, enc.clone()).await?, enc))
        }
        None => None,
    };
    let plan = sources::gather(inner, actor, source).await?;
    let id = inner.store.next_counter("backup_id")?;
    let created = Utc::now();
    let header = Header {
        format: 1,
        compression: source.compression,
        encryption: enc.as_ref().map(|(_, e)| e.clone()),
        source: source.name.clone(),
        kind: source.kind.to_string(),
        created,
        homedeck: env!("CARGO_PKG_VERSION").to_string(),
    };
    let partial = repo::partial_dir(inner);
    std::fs::create_dir_all(&partial).map_err(|e| io_err(&partial.display().to_string(), e))?;
    let part: PathBuf = partial.join(format!("{id}.hdbk.part"));
    let running = inner.backup.jobs.start(inner, "backup", &source.name, plan.total.max(1));
    let job = running.job.clone();
    let key = enc.map(|(k, _)| k);
    let (p, h, rt) = (part.clone(), header.clone(), tokio::runtime::Handle::current());
    let result = tokio::task::spawn_blocking(move || write_and_verify(&p, &h, key.as_ref(), plan, &job, &rt))
        .await
        .map_err(|e| EngineError::Other(format!("backup task failed: {e}")))?;
    let written = match result {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(io_err(&format!("backup of {}", source.name), e));
        }
    };
    drop(running);
    let rel = format!("{}/{}-{id}.hdbk", source.name, created.format("%Y%m%dT%H%M%SZ"));
    if let Err(e) = repo::store(inner, actor, &place, &part, &rel, &written.sha256).await {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    let m = &written.manifest;
    let entry = CatalogEntry {
        id,
        source: source.name.clone(),
        kind: source.kind.to_string(),
        repo: source.repo_name().to_string(),
        file: rel,
        created,
        size: written.size,
        sha256: written.sha256.clone(),
        key: header.encryption.as_ref().map(|e| e.key.clone()),
        compression: source.compression,
        files: m.files().count() as u64,
        bytes: m.total_bytes(),
        verified_at: Some(Utc::now()),
        verify_error: None,
        reason: reason.to_string(),
        warnings: m.warnings.clone(),
    };
    catalog::put_entry(&inner.store, &entry)?;
    inner.store.flush()?;
    inner.emit(Event::Backup(BackupEvent::BackupFinished { entry: entry.clone() }));
    Ok(entry)
}

/// Remove `.part` files a crash left behind. Returns how many.
pub(crate) fn clean_partials(inner: &Inner) -> usize {
    let Ok(rd) = std::fs::read_dir(repo::partial_dir(inner)) else { return 0 };
    // Files are half-written archives; directories are staging dirs of
    // device restores.
    rd.filter_map(Result::ok).filter(|e| std::fs::remove_file(e.path()).or_else(|_| std::fs::remove_dir_all(e.path())).is_ok()).count()
}

/// Re-read an archive and check every hash and the catalog's SHA-256.
pub(crate) async fn verify(inner: &Inner, actor: &Actor, id: u64, password: Option<&SecretValue>) -> EngineResult<CatalogEntry> {
    let mut entry = catalog::entry(&inner.store, id)?;
    let (path, temp) = repo::fetch(inner, actor, &entry).await?;
    let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let result = async {
        let key = match (&entry.key, reader::read_header(&path).map_err(|e| io_err("archive", e))?.encryption) {
            (Some(k), Some(enc)) => {
                // The source's password secret, while the source exists.
                let secret = catalog::source(&inner.store, &entry.source).ok().and_then(|s| s.backup_password_secret);
                let material = keys::material(inner, actor, k, password, secret.as_deref(), &format!("verify backup #{id}"))?;
                Some(keys::derive(material, enc).await?)
            }
            _ => None,
        };
        let running = inner.backup.jobs.start(inner, "verify", &entry.source, entry.bytes.max(1));
        let job = running.job.clone();
        let flag = running.job.cancel.clone();
        let (p, sha) = (path.clone(), entry.sha256.clone());
        let r = tokio::task::spawn_blocking(move || reader::verify(&p, key.as_ref(), Some(&sha), &job))
            .await
            .map_err(|e| EngineError::Other(format!("verify task failed: {e}")))?;
        cancelled.store(flag.load(std::sync::atomic::Ordering::SeqCst), std::sync::atomic::Ordering::SeqCst);
        r.map(|_| ()).map_err(|e| io_err(&format!("backup #{id}"), e))
    }
    .await;
    if temp {
        let _ = std::fs::remove_file(&path);
    }
    // A missing password or a locked vault is not a verdict on the archive.
    if let Err(EngineError::Invalid { .. } | EngineError::VaultLocked) = &result {
        return result.map(|_| entry);
    }
    // Nor is a cancel: the catalog keeps the last real verdict.
    if result.is_err() && cancelled.load(std::sync::atomic::Ordering::SeqCst) {
        return result.map(|_| entry);
    }
    entry.verified_at = Some(Utc::now());
    entry.verify_error = result.as_ref().err().map(|e| e.to_string());
    catalog::put_entry(&inner.store, &entry)?;
    inner.store.flush()?;
    result.map(|_| entry)
}
