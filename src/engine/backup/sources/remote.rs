//! Sources on a server: the directory is walked over SFTP (one session on
//! the servers domain's shared connection), with the same rules as a local
//! walk — sorted, excluded names skipped at any depth, links recorded and
//! never followed, the kind's own selection (Node-RED user files) — and each
//! file is streamed into the archive through `BlockingRead`, a buffer at a
//! time, never whole in memory.

use super::{Item, Plan};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::model::Server;
use crate::engine::servers::transfer;
use russh_sftp::client::SftpSession;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// An SFTP session to `server` (shared by the walk and the archive writer).
pub(crate) async fn connect(inner: &Inner, actor: &Actor, server: &Server) -> EngineResult<Arc<SftpSession>> {
    transfer::session(inner, server, actor).await.map(Arc::new)
}

fn remote_err(server: &str, what: String) -> EngineError {
    EngineError::Remote { server: server.into(), detail: what }
}

/// Check that `path` is a directory on the server (at `source add`).
pub(crate) async fn check_dir(sftp: &SftpSession, server: &str, path: &str) -> EngineResult<()> {
    match sftp.metadata(path).await {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(EngineError::invalid("path", path, &format!("a directory on {server} (it is not a directory)"))),
        Err(e) => Err(EngineError::invalid("path", path, &format!("an existing directory on {server} ({e})"))),
    }
}

/// One remote entry as seen by `lstat` (links are not followed).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Relative to the walked root, `/`-separated.
    pub rel: String,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub mtime: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink(String),
    Other,
}

/// Walk `root` on the server, sorted, depth first. `select(rel, is_dir)`
/// decides per entry; unselected directories are not entered.
pub(crate) async fn list(sftp: &SftpSession, server: &str, root: &str, select: &(dyn Fn(&Path, bool) -> bool + Send + Sync)) -> EngineResult<Vec<Entry>> {
    let root = root.trim_end_matches('/');
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel_dir) = stack.pop() {
        let dir = if rel_dir.is_empty() { root.to_string() } else { format!("{root}/{rel_dir}") };
        let rd = sftp.read_dir(dir.clone()).await.map_err(|e| remote_err(server, format!("cannot list {dir}: {e}")))?;
        let mut entries: Vec<_> = rd.map(|e| (e.file_name(), e.metadata())).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (name, meta) in entries {
            let rel = if rel_dir.is_empty() { name.clone() } else { format!("{rel_dir}/{name}") };
            let ft = meta.file_type();
            if !select(Path::new(&rel), ft.is_dir()) {
                continue;
            }
            let kind = if ft.is_dir() {
                subdirs.push(rel.clone());
                EntryKind::Dir
            } else if ft.is_file() {
                EntryKind::File
            } else if ft.is_symlink() {
                let path = format!("{root}/{rel}");
                EntryKind::Symlink(sftp.read_link(path.clone()).await.map_err(|e| remote_err(server, format!("cannot read link {path}: {e}")))?)
            } else {
                EntryKind::Other
            };
            out.push(Entry { rel, kind, size: meta.size.unwrap_or(0), mode: meta.permissions.unwrap_or(0o644) & 0o7777, mtime: u64::from(meta.mtime.unwrap_or(0)) });
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(out)
}

/// Add the tree under `root` on the server to `plan` as `files/…`.
pub(crate) async fn walk(
    sftp: Arc<SftpSession>,
    server: &str,
    root: &str,
    exclude: &[String],
    keep: fn(&Path, bool) -> bool,
    plan: &mut Plan,
) -> EngineResult<()> {
    let exclude = exclude.to_vec();
    let select = move |rel: &Path, is_dir: bool| {
        let base = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        !exclude.iter().any(|x| *x == base || Path::new(x) == rel) && keep(rel, is_dir)
    };
    let root = root.trim_end_matches('/');
    for e in list(&sftp, server, root, &select).await? {
        let name = format!("files/{}", e.rel);
        match e.kind {
            EntryKind::Dir => plan.items.push(Item::RemoteDir { name, mode: e.mode, mtime: e.mtime }),
            EntryKind::File => {
                plan.total += e.size;
                plan.items.push(Item::RemoteFile { path: format!("{root}/{}", e.rel), name, size: e.size, mode: e.mode, mtime: e.mtime });
            }
            EntryKind::Symlink(target) => plan.items.push(Item::RemoteSymlink { name, target, mtime: e.mtime }),
            EntryKind::Other => plan.warnings.push(format!("skipped {server}:{root}/{} (not a file, directory or link)", e.rel)),
        }
    }
    plan.remote = Some(sftp);
    Ok(())
}

/// A remote file read from a blocking thread: each `read` waits for one
/// SFTP read on the engine's runtime.
pub struct BlockingRead {
    pub handle: tokio::runtime::Handle,
    pub file: russh_sftp::client::fs::File,
}

impl Read for BlockingRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let file = &mut self.file;
        self.handle.block_on(file.read(buf))
    }
}

/// Open `path` for streaming from the blocking archive writer.
pub fn open_blocking(handle: &tokio::runtime::Handle, sftp: &SftpSession, path: &str) -> std::io::Result<std::io::BufReader<BlockingRead>> {
    let file = handle.block_on(sftp.open(path.to_string())).map_err(|e| std::io::Error::other(format!("cannot read {path}: {e}")))?;
    Ok(std::io::BufReader::with_capacity(256 * 1024, BlockingRead { handle: handle.clone(), file }))
}
