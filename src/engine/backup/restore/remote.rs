//! The server half of a restore into a remote source: what is there now
//! (an SFTP walk, and the server's own `sha256sum` of the files the archive
//! also holds), uploading the locally extracted staging tree to a staging
//! dir beside the target, carrying over what the source leaves out (hard
//! links made by `cp -al` on the server), the source's health command run
//! on the server, and the swap as `mv` over SSH (`remote_swap`).

use super::preview::Now;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::backup::sources::remote::{self, EntryKind};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::model::Server;
use crate::engine::servers::quote::quote;
use crate::engine::servers::runner::{self, Program};
use russh_sftp::client::SftpSession;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// The target on the server as the restore sees it.
pub struct Scan {
    pub exists: bool,
    /// Entries the source covers, by relative path.
    pub now: BTreeMap<String, Now>,
    /// Top-most entries the source leaves out (carried over by the swap).
    pub unselected: Vec<String>,
}

fn rerr(server: &Server, detail: String) -> EngineError {
    EngineError::Remote { server: server.name.clone(), detail }
}

/// Run `argv` on the server; a non-zero exit is an error with its stderr.
pub(crate) async fn run_ok(inner: &Inner, actor: &Actor, server: &Server, argv: Vec<String>, timeout: Duration) -> EngineResult<String> {
    let shown: String = argv.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
    let (status, out, err) = runner::capture(inner, server, actor, &Program::Argv(argv), true, timeout).await?;
    if status.exit_code != Some(0) {
        return Err(rerr(server, format!("`{shown}` failed ({}): {}", status.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "no exit code".into()), err.trim())));
    }
    Ok(out)
}

/// Look at `target` on the server. `hash` lists the relative paths whose
/// SHA-256 the preview needs (files also in the archive).
pub(crate) async fn scan(
    inner: &Inner,
    actor: &Actor,
    server: &Server,
    sftp: &SftpSession,
    target: &str,
    select: &(dyn Fn(&Path, bool) -> bool + Send + Sync),
    hash: &BTreeSet<String>,
) -> EngineResult<Scan> {
    let exists = sftp.symlink_metadata(target.to_string()).await.is_ok();
    let mut scan = Scan { exists, now: BTreeMap::new(), unselected: Vec::new() };
    if !exists {
        return Ok(scan);
    }
    let left_out = Mutex::new(Vec::new());
    let record = |rel: &Path, is_dir: bool| {
        let keep = select(rel, is_dir);
        if !keep && let Ok(mut l) = left_out.lock() {
            l.push(rel.to_string_lossy().into_owned());
        }
        keep
    };
    for e in remote::list(sftp, &server.name, target, &record).await? {
        let node = match e.kind {
            EntryKind::File => Now::File(None),
            EntryKind::Dir => Now::Dir,
            EntryKind::Symlink(t) => Now::Link(t),
            EntryKind::Other => Now::Other,
        };
        scan.now.insert(e.rel, node);
    }
    scan.unselected = left_out.into_inner().unwrap_or_default();
    let wanted: Vec<String> = hash.iter().filter(|r| matches!(scan.now.get(*r), Some(Now::File(_)))).cloned().collect();
    for batch in wanted.chunks(400) {
        let mut argv = vec!["sh".into(), "-c".into(), "cd -- \"$1\" && shift && exec sha256sum -- \"$@\"".into(), "sh".into(), target.to_string()];
        argv.extend(batch.iter().cloned());
        let out = run_ok(inner, actor, server, argv, Duration::from_secs(600)).await?;
        // sha256sum answers one line per argument, in order (it exits
        // non-zero, failing `run_ok`, if any file could not be read). A name
        // it had to escape starts its line with `\`; the sum follows it, so
        // matching by position needs no unescaping.
        for (line, name) in out.lines().zip(batch) {
            let sum = line.strip_prefix('\\').unwrap_or(line).get(..64).filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()));
            if let (Some(sum), Some(Now::File(h))) = (sum, scan.now.get_mut(name)) {
                *h = Some(sum.to_string());
            }
        }
    }
    Ok(scan)
}

/// Upload the extracted tree `local` to `dest` (created) on the server:
/// files streamed, modes kept, links made with `ln -s`, directory modes set
/// last so a read-only directory does not block its own files.
pub(crate) async fn upload(inner: &Inner, actor: &Actor, server: &Server, sftp: &SftpSession, local: &Path, dest: &str) -> EngineResult<u64> {
    use std::os::unix::fs::PermissionsExt;
    let lerr = |p: &Path, e: std::io::Error| EngineError::Other(format!("{}: {e}", p.display()));
    let mkdir = |p: String| async move { sftp.create_dir(p.clone()).await.map_err(|e| rerr(server, format!("cannot create {p}: {e}"))) };
    mkdir(dest.to_string()).await?;
    let (mut dirs, mut links, mut files) = (Vec::new(), Vec::new(), 0u64);
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let here = local.join(&rel);
        let rd = std::fs::read_dir(&here).map_err(|e| lerr(&here, e))?;
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let (path, remote_path) = (e.path(), format!("{dest}/{r}"));
            let meta = std::fs::symlink_metadata(&path).map_err(|er| lerr(&path, er))?;
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                mkdir(remote_path.clone()).await?;
                dirs.push((remote_path, mode));
                stack.push(r);
            } else if meta.file_type().is_symlink() {
                let t = std::fs::read_link(&path).map_err(|er| lerr(&path, er))?;
                links.push(t.to_string_lossy().into_owned());
                links.push(remote_path);
            } else {
                let mut src = tokio::fs::File::open(&path).await.map_err(|er| lerr(&path, er))?;
                let wr = |er: std::io::Error| rerr(server, format!("writing {remote_path}: {er}"));
                let mut out = sftp.create(remote_path.clone()).await.map_err(|er| rerr(server, format!("cannot create {remote_path}: {er}")))?;
                tokio::io::copy(&mut src, &mut out).await.map_err(wr)?;
                tokio::io::AsyncWriteExt::shutdown(&mut out).await.map_err(wr)?;
                set_mode(sftp, server, &remote_path, mode).await?;
                files += 1;
            }
        }
    }
    for chunk in links.chunks(400) {
        let mut argv = vec!["sh".into(), "-c".into(), "while [ $# -gt 1 ]; do ln -s -- \"$1\" \"$2\" || exit 1; shift 2; done".into(), "sh".into()];
        argv.extend(chunk.iter().cloned());
        run_ok(inner, actor, server, argv, Duration::from_secs(120)).await?;
    }
    for (d, mode) in dirs.into_iter().rev() {
        set_mode(sftp, server, &d, mode).await?;
    }
    Ok(files)
}

async fn set_mode(sftp: &SftpSession, server: &Server, path: &str, mode: u32) -> EngineResult<()> {
    let attrs = russh_sftp::client::fs::Metadata { permissions: Some(mode), ..Default::default() };
    sftp.set_metadata(path.to_string(), attrs).await.map_err(|e| rerr(server, format!("cannot set the mode of {path}: {e}")))
}

/// Hard-link (or copy) into `staged` on the server what the source left
/// out of `target`, so the swap keeps it. Returns how many top entries.
pub(crate) async fn carry_over(inner: &Inner, actor: &Actor, server: &Server, target: &str, staged: &str, left_out: &[String]) -> EngineResult<u64> {
    let script = "set -e; t=$1; s=$2; shift 2; for p in \"$@\"; do mkdir -p -- \"$(dirname -- \"$s/$p\")\"; \
                  cp -al -- \"$t/$p\" \"$s/$p\" 2>/dev/null || cp -a -- \"$t/$p\" \"$s/$p\"; done";
    for chunk in left_out.chunks(200) {
        let mut argv = vec!["sh".into(), "-c".into(), script.into(), "sh".into(), target.to_string(), staged.to_string()];
        argv.extend(chunk.iter().cloned());
        run_ok(inner, actor, server, argv, Duration::from_secs(600)).await?;
    }
    Ok(left_out.len() as u64)
}

/// The source's health command, run in the target on the server.
pub(crate) async fn health(inner: &Inner, actor: &Actor, server: &Server, target: &str, cmd: &str) -> EngineResult<()> {
    let line = format!("cd {} && {cmd}", quote(target));
    let (status, _, err) = runner::capture(inner, server, actor, &Program::Shell(line), true, Duration::from_secs(120))
        .await
        .map_err(|e| EngineError::Other(format!("health check `{cmd}` on {}: {e}", server.name)))?;
    if status.exit_code != Some(0) {
        return Err(EngineError::Other(format!(
            "health check `{cmd}` failed on {} (exit {}): {}",
            server.name,
            status.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "none".into()),
            err.trim()
        )));
    }
    Ok(())
}
