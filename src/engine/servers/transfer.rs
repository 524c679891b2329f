//! Files to and from servers over SFTP (a subsystem channel on the shared
//! connection; pipelined reads and writes), or plain copies for `local`.
//! Progress goes out as events at most five times a second. Backups and
//! deployments call `put_file`/`get_file` directly.

use crate::engine::{ServersEvent, ServersOutcome};
use super::connector;
use super::model::Server;
use super::store as servers;
use super::views::TransferReport;
use crate::engine::actor::Actor;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::{Inner, Outcome};
use russh_sftp::client::SftpSession;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const CHUNK: usize = 256 * 1024;

pub(crate) async fn session(inner: &Inner, server: &Server, actor: &Actor) -> EngineResult<SftpSession> {
    let remote = |d: String| EngineError::Remote { server: server.name.clone(), detail: d };
    let conn = connector::connection(inner, server, actor, true).await?;
    let channel = conn.handle.channel_open_session().await.map_err(|e| remote(format!("cannot open an SFTP channel: {e}")))?;
    channel.request_subsystem(true, "sftp").await.map_err(|e| remote(format!("the server refused the SFTP subsystem: {e}")))?;
    let cfg = russh_sftp::client::Config { max_concurrent_reads: 64, max_concurrent_writes: 64, request_timeout_secs: 30, ..Default::default() };
    SftpSession::new_with_config(channel.into_stream(), cfg).await.map_err(|e| remote(format!("SFTP start failed: {e}")))
}

/// Copy `reader` to `writer`, reporting progress.
async fn pump(
    mut reader: impl AsyncRead + Unpin,
    mut writer: impl AsyncWrite + Unpin,
    total: u64,
    mut progress: impl FnMut(u64, u64),
) -> std::io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    let mut last = Instant::now();
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        writer.write_all(&buf[..n]).await?;
        done += n as u64;
        if last.elapsed() >= Duration::from_millis(200) {
            progress(done, total);
            last = Instant::now();
        }
    }
    writer.flush().await?;
    writer.shutdown().await?;
    progress(done, total);
    Ok(done)
}

pub(crate) async fn put_file(inner: &Inner, server: &Server, actor: &Actor, local: &Path, remote_path: &str, progress: impl FnMut(u64, u64)) -> EngineResult<u64> {
    let file = tokio::fs::File::open(local).await.map_err(|e| EngineError::invalid("local file", local.display().to_string(), &format!("a readable file ({e})")))?;
    let total = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let io = |e: std::io::Error| EngineError::Remote { server: server.name.clone(), detail: format!("writing {remote_path}: {e}") };
    if server.is_local() {
        let out = tokio::fs::File::create(remote_path).await.map_err(io)?;
        return pump(file, out, total, progress).await.map_err(io);
    }
    let sftp = session(inner, server, actor).await?;
    let out = sftp.create(remote_path).await.map_err(|e| EngineError::Remote { server: server.name.clone(), detail: format!("cannot create {remote_path}: {e}") })?;
    let n = pump(file, out, total, progress).await.map_err(io)?;
    let _ = sftp.close().await;
    Ok(n)
}

pub(crate) async fn get_file(inner: &Inner, server: &Server, actor: &Actor, remote_path: &str, local: &Path, progress: impl FnMut(u64, u64)) -> EngineResult<u64> {
    let io = |e: std::io::Error| EngineError::Other(format!("writing {}: {e}", local.display()));
    if server.is_local() {
        let src = tokio::fs::File::open(remote_path).await.map_err(|e| EngineError::invalid("remote file", remote_path, &format!("a readable file ({e})")))?;
        let total = src.metadata().await.map(|m| m.len()).unwrap_or(0);
        let out = tokio::fs::File::create(local).await.map_err(io)?;
        return pump(src, out, total, progress).await.map_err(io);
    }
    let sftp = session(inner, server, actor).await?;
    let missing = |e: russh_sftp::client::error::Error| EngineError::invalid("remote file", remote_path, &format!("a readable file on {} ({e})", server.name));
    let total = sftp.metadata(remote_path).await.map_err(missing)?.size.unwrap_or(0);
    let src = sftp.open(remote_path).await.map_err(missing)?;
    let out = tokio::fs::File::create(local).await.map_err(io)?;
    let n = pump(src, out, total, progress).await.map_err(io)?;
    let _ = sftp.close().await;
    Ok(n)
}

/// The `server_get` / `server_put` commands.
pub(crate) async fn command(inner: &Inner, ctx: &mut Ctx, name: &str, upload: bool, local: &str, remote: &str) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.to_string()));
    let server = servers::get(&inner.store, name)?;
    let (direction, from, to) = if upload { ("put", local, remote) } else { ("get", remote, local) };
    ctx.change(direction, Some(from.to_string()), Some(to.to_string()));
    ctx.release_gate();
    let start = Instant::now();
    let path = to.to_string();
    let report = |done: u64, total: u64| {
        inner.emit(Event::Servers(ServersEvent::TransferProgress { server: name.to_string(), path: path.clone(), done, total }));
    };
    let bytes = if upload {
        put_file(inner, &server, &ctx.actor, Path::new(local), remote, report).await?
    } else {
        get_file(inner, &server, &ctx.actor, remote, Path::new(local), report).await?
    };
    let millis = start.elapsed().as_millis() as u64;
    ctx.describe(format!("{direction} {from} → {to} on {name}: {} in {millis} ms", crate::engine::text::size(bytes)));
    Ok(Outcome::Servers(ServersOutcome::Transferred {
        report: TransferReport { server: name.into(), direction: direction.into(), from: from.into(), to: to.into(), bytes, millis },
    }))
}
