//! Repositories: a local directory (default `<data dir>/backups`) or a
//! directory on a server reached over SFTP (the servers domain's
//! connection, host-key pinning and vault logins). Archives are written
//! locally first, verified, then moved or uploaded; an upload is checked by
//! the server's own `sha256sum` before the catalog hears of it.

use crate::engine::ServersEvent;
use super::catalog;
use super::model::CatalogEntry;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::model::Server;
use crate::engine::servers::runner::{self, Program};
use crate::engine::servers::{store as servers, transfer};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub enum Place {
    Local(PathBuf),
    Remote { server: Box<Server>, root: String },
}

/// The default local repository.
pub(crate) fn local_root(inner: &Inner) -> PathBuf {
    inner.opts.data_dir.join("backups")
}

/// Where archives are written before they are moved or uploaded.
pub(crate) fn partial_dir(inner: &Inner) -> PathBuf {
    local_root(inner).join(".partial")
}

pub(crate) fn resolve(inner: &Inner, name: &str) -> EngineResult<Place> {
    if name == "local" {
        return Ok(Place::Local(local_root(inner)));
    }
    let r = catalog::repo(&inner.store, name)?.ok_or_else(|| EngineError::not_found("backup repository", name))?;
    Ok(Place::Remote { server: Box::new(servers::get(&inner.store, &r.server)?), root: r.path })
}

fn io(p: &Path, e: std::io::Error) -> EngineError {
    EngineError::Other(format!("{}: {e}", p.display()))
}

/// Move a verified archive from `tmp` to `rel` in the repository.
pub(crate) async fn store(inner: &Inner, actor: &Actor, place: &Place, tmp: &Path, rel: &str, sha256: &str) -> EngineResult<()> {
    match place {
        Place::Local(root) => {
            let dest = root.join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::rename(tmp, &dest).map_err(|e| io(&dest, e))?;
            if let Some(parent) = dest.parent()
                && let Ok(d) = std::fs::File::open(parent)
            {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Place::Remote { server, root } => {
            let dest = format!("{}/{rel}", root.trim_end_matches('/'));
            let part = format!("{dest}.part");
            let dir = dest.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_else(|| ".".into());
            remote_ok(inner, actor, server, vec!["mkdir".into(), "-p".into(), dir]).await?;
            let server_name = server.name.clone();
            transfer::put_file(inner, server, actor, tmp, &part, |done, total| {
                inner.emit(crate::engine::event::Event::Servers(ServersEvent::TransferProgress { server: server_name.clone(), path: part.clone(), done, total }));
            })
            .await?;
            let got = remote_sha256(inner, actor, server, &part).await?;
            if got != sha256 {
                return Err(EngineError::Remote { server: server.name.clone(), detail: format!("uploaded {part} has SHA-256 {got}, expected {sha256}") });
            }
            remote_ok(inner, actor, server, vec!["mv".into(), "-f".into(), part, dest]).await?;
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
    }
}

async fn remote_ok(inner: &Inner, actor: &Actor, server: &Server, argv: Vec<String>) -> EngineResult<String> {
    let shown = argv.join(" ");
    let (status, out, err) = runner::capture(inner, server, actor, &Program::Argv(argv), false, Duration::from_secs(60)).await?;
    if status.exit_code != Some(0) {
        return Err(EngineError::Remote { server: server.name.clone(), detail: format!("`{shown}` failed: {}", err.trim()) });
    }
    Ok(out)
}

async fn remote_sha256(inner: &Inner, actor: &Actor, server: &Server, path: &str) -> EngineResult<String> {
    let out = remote_ok(inner, actor, server, vec!["sha256sum".into(), path.into()]).await?;
    out.split_whitespace().next().map(str::to_string).ok_or_else(|| EngineError::Remote { server: server.name.clone(), detail: format!("sha256sum printed {out:?}") })
}

/// A local path to read the archive from; remote archives are downloaded
/// into the partial dir (the flag says to delete it afterwards).
pub(crate) async fn fetch(inner: &Inner, actor: &Actor, e: &CatalogEntry) -> EngineResult<(PathBuf, bool)> {
    match resolve(inner, &e.repo)? {
        Place::Local(root) => {
            let p = root.join(&e.file);
            if !p.is_file() {
                return Err(EngineError::Other(format!("backup #{} is missing from the repository: {} does not exist", e.id, p.display())));
            }
            Ok((p, false))
        }
        Place::Remote { server, root } => {
            let dir = partial_dir(inner);
            std::fs::create_dir_all(&dir).map_err(|er| io(&dir, er))?;
            let local = dir.join(format!("fetch-{}.hdbk", e.id));
            let remote = format!("{}/{}", root.trim_end_matches('/'), e.file);
            transfer::get_file(inner, &server, actor, &remote, &local, |_, _| {}).await?;
            Ok((local, true))
        }
    }
}

/// Delete an archive from its repository.
pub(crate) async fn delete(inner: &Inner, actor: &Actor, e: &CatalogEntry) -> EngineResult<()> {
    match resolve(inner, &e.repo)? {
        Place::Local(root) => {
            let p = root.join(&e.file);
            match std::fs::remove_file(&p) {
                Ok(()) => Ok(()),
                Err(er) if er.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(er) => Err(io(&p, er)),
            }
        }
        Place::Remote { server, root } => {
            let remote = format!("{}/{}", root.trim_end_matches('/'), e.file);
            remote_ok(inner, actor, &server, vec!["rm".into(), "-f".into(), remote]).await.map(|_| ())
        }
    }
}
