//! A byte tunnel to a Unix socket on a server: SSH's direct-streamlocal
//! channel over the server's pooled, pinned, vault-authenticated connection.
//!
//! It exists for `homedeck --remote SERVER`, which speaks the daemon protocol
//! to another site's homedeck through it. It is not a verb: what crosses it
//! is the remote daemon's business (and audited there, by the SSH login
//! user). Here only the opening is audited, as `remote_attach`.

use super::connector;
use super::model::Server;
use super::runner::{self, Program};
use super::store as servers;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::audit::{self, Category, Resource, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::{EngineError, EngineResult};
use russh::{ChannelOpenFailure, Error as SshError};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// Anything a protocol can be spoken over: a Unix socket, an SSH channel.
pub trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> ByteStream for T {}

/// An open tunnel and the remote socket path it reaches.
pub struct Tunnel {
    pub socket: String,
    pub stream: Box<dyn ByteStream>,
}

/// The remote user's default daemon socket, computed by the remote shell
/// the way homedeck computes its own data dir there (`HOMEDECK_DATA_DIR`,
/// else `XDG_DATA_HOME`, else `~/.local/share`). Run through `sh -c` so a
/// login shell that is not POSIX (fish, nologin…) still gets POSIX syntax.
const DEFAULT_SOCKET: &str =
    r#"printf '%s\n' "${HOMEDECK_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/homedeck}/homedeck.sock""#;

/// Open the tunnel and audit the attempt (success or failure). A console's
/// reattach attempts (`reattach`: every second while the far daemon is
/// away) audit only their success, so a long outage is not an audit flood.
pub(crate) async fn open(inner: &Inner, name: &str, socket: Option<&str>, actor: &Actor, reattach: bool) -> EngineResult<Tunnel> {
    let result = open_inner(inner, name, socket, actor).await;
    // A locked vault means nothing was attempted: the caller unlocks and
    // asks again, and that attempt is the one audited.
    if matches!(result, Err(EngineError::VaultLocked)) || (reattach && result.is_err()) {
        return result;
    }
    let target = match (&result, socket) {
        (Ok(t), _) => t.socket.clone(),
        (Err(_), Some(s)) => s.to_string(),
        (Err(_), None) => "the default socket".to_string(),
    };
    let draft = AuditDraft {
        category: Category::Server,
        severity: Severity::Info,
        resource: Some(Resource::new("server", None, Some(name.to_string()))),
        description: format!("tunnel to the homedeck socket {target} on server {name}"),
        changes: Vec::new(),
        action: None,
        ended: None,
    };
    let (status, error) = match &result {
        Ok(_) => (Status::Success, None),
        Err(e) => (Status::Failure, Some(e.to_string())),
    };
    audit::record(inner, actor, "remote_attach", draft, status, error)?;
    inner.store.flush()?;
    result
}

async fn open_inner(inner: &Inner, name: &str, socket: Option<&str>, actor: &Actor) -> EngineResult<Tunnel> {
    let server = servers::get(&inner.store, name)?;
    if server.is_local() {
        return Err(EngineError::invalid(
            "--remote",
            name,
            "a server reached over SSH (for this machine's daemon, leave --remote out)",
        ));
    }
    let socket = match socket {
        Some(s) if !s.is_empty() => s.to_string(),
        Some(_) => return Err(EngineError::invalid("--remote-socket", "", "an absolute path on the server")),
        None => default_socket(inner, &server, actor).await?,
    };
    let conn = connector::connection(inner, &server, actor, true).await?;
    let opened = match conn.handle.channel_open_direct_streamlocal(socket.clone()).await {
        // A pooled connection that died since it was last used: redial once.
        Err(_) if conn.is_closed() => {
            inner.servers.pool.forget(&server.name);
            let conn = connector::connection(inner, &server, actor, true).await?;
            conn.handle.channel_open_direct_streamlocal(socket.clone()).await
        }
        other => other,
    };
    match opened {
        Ok(channel) => Ok(Tunnel { socket, stream: Box::new(channel.into_stream()) }),
        Err(SshError::ChannelOpenFailure(ChannelOpenFailure::ConnectFailed)) => Err(connect_failed(inner, &server, actor, &socket).await),
        Err(e) => Err(refused(&server.name, &socket, e)),
    }
}

async fn default_socket(inner: &Inner, server: &Server, actor: &Actor) -> EngineResult<String> {
    let program = Program::Shell(DEFAULT_SOCKET.to_string());
    let (status, stdout, stderr) = runner::capture(inner, server, actor, &program, true, Duration::from_secs(15)).await?;
    let path = stdout.lines().next().unwrap_or("").trim().to_string();
    if status.exit_code != Some(0) || !path.starts_with('/') {
        return Err(EngineError::Remote {
            server: server.name.clone(),
            detail: format!(
                "could not work out the remote homedeck socket (got {:?}, {}); pass --remote-socket PATH",
                path,
                stderr.trim()
            ),
        });
    }
    Ok(path)
}

/// OpenSSH answers "connect failed" both when nothing listens on the path
/// and when its config forbids streamlocal forwarding, so look: no socket
/// file there means no daemon; a socket file means either a daemon that
/// died and left it, or forwarding forbidden — the message says both.
async fn connect_failed(inner: &Inner, server: &Server, actor: &Actor, socket: &str) -> EngineError {
    let name = &server.name;
    let probe = Program::Argv(vec!["test".into(), "-S".into(), socket.to_string()]);
    let exists = match runner::capture(inner, server, actor, &probe, true, Duration::from_secs(15)).await {
        Ok((status, _, _)) => Some(status.exit_code == Some(0)),
        Err(_) => None,
    };
    let detail = match exists {
        Some(false) => format!(
            "no homedeck daemon there: no socket at {socket} — start `homedeck daemon` on {name}, or pass the right --remote-socket"
        ),
        Some(true) => format!(
            "sshd could not connect to {socket}: no homedeck daemon answers there (a daemon that crashed leaves its socket behind), or sshd refused to forward to Unix sockets for this login (AllowStreamLocalForwarding, DisableForwarding, or a restrict/no-port-forwarding key option)"
        ),
        None => format!(
            "sshd could not connect to {socket}: no homedeck daemon answers there, or sshd refused to forward to Unix sockets for this login (AllowStreamLocalForwarding)"
        ),
    };
    EngineError::Remote { server: name.clone(), detail }
}

/// Any other channel-open failure in words.
fn refused(server: &str, socket: &str, e: SshError) -> EngineError {
    let detail = match e {
        SshError::ChannelOpenFailure(ChannelOpenFailure::AdministrativelyProhibited) => format!(
            "sshd refused to forward to the Unix socket {socket} (AllowStreamLocalForwarding, DisableForwarding or a restrict/no-port-forwarding key option) — allow it for this login"
        ),
        SshError::ChannelOpenFailure(other) => format!("sshd refused a channel to {socket}: {other:?}"),
        other => format!("cannot open a channel to {socket}: {other}"),
    };
    EngineError::Remote { server: server.to_string(), detail }
}
