//! How a client reaches the homedeck it attaches to: this data dir's Unix
//! socket, or another site's daemon socket through SSH (`--remote`).
//!
//! The SSH tunnel needs the inventory and the vault, which live in whichever
//! process hosts the local engine. So a remote dial either asks this
//! process's own engine for the tunnel ([`Dial::Engine`]) or, when another
//! process hosts it, asks that host to open the tunnel and relay the bytes
//! ([`Dial::Relay`], see `relay.rs`). Either way the client then speaks the
//! ordinary protocol over the stream, to the remote daemon.

use super::codec::{FrameReader, FrameWriter, ReadError};
use super::protocol::{ClientFrame, PROTOCOL_VERSION, ServerFrame};
use crate::engine::{Actor, ByteStream, EngineError, EngineHandle, Frontend};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::UnixStream;

/// Where to attach.
#[derive(Clone)]
pub enum Dial {
    /// A homedeck socket on this machine.
    Socket(PathBuf),
    /// Through SSH to `server`'s daemon, with this process's own engine.
    Engine { engine: EngineHandle, server: String, socket: Option<String> },
    /// Through SSH to `server`'s daemon, the tunnel opened by the homedeck
    /// hosting the local data dir at `local`.
    Relay { local: PathBuf, server: String, socket: Option<String> },
}

/// Why dialling failed.
#[derive(Debug)]
pub enum DialError {
    /// Nobody listens on the local socket.
    NobodyThere,
    /// Something answered but cannot be used: the message says why.
    Refused(String),
    /// Opening the SSH tunnel failed (unknown server, locked vault, no
    /// daemon behind the path …), as the engine said.
    Tunnel(EngineError),
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::NobodyThere => f.write_str("no homedeck is running there"),
            DialError::Refused(m) => f.write_str(m),
            DialError::Tunnel(e) => write!(f, "{e}"),
        }
    }
}

/// An open stream and what it reaches, for messages.
pub(super) struct Opened {
    pub stream: Box<dyn ByteStream>,
    pub target: String,
    /// The remote socket path the tunnel reached (found by the remote
    /// shell when not given), so a reattach need not look it up again.
    pub socket: Option<String>,
}

impl Dial {
    /// The site's name (the server) for a remote dial; `None` on this machine.
    pub fn site(&self) -> Option<&str> {
        match self {
            Dial::Socket(_) => None,
            Dial::Engine { server, .. } | Dial::Relay { server, .. } => Some(server),
        }
    }

    /// The same dial, with the remote socket path it was found to reach.
    pub(super) fn pinned(self, found: Option<String>) -> Dial {
        match (self, found) {
            (Dial::Engine { engine, server, socket: None }, Some(s)) => Dial::Engine { engine, server, socket: Some(s) },
            (Dial::Relay { local, server, socket: None }, Some(s)) => Dial::Relay { local, server, socket: Some(s) },
            (dial, _) => dial,
        }
    }

    /// What this dial reaches before it has been opened.
    pub fn describe(&self) -> String {
        match self {
            Dial::Socket(p) => p.display().to_string(),
            Dial::Engine { server, socket, .. } | Dial::Relay { server, socket, .. } => {
                format!("{server}:{}", socket.as_deref().unwrap_or("<default socket>"))
            }
        }
    }

    /// `reattach`: a console trying again after losing its host.
    pub(super) async fn open(&self, frontend: Frontend, reattach: bool) -> Result<Opened, DialError> {
        match self {
            Dial::Socket(path) => {
                let stream = connect_local(path).await?;
                Ok(Opened { stream: Box::new(stream), target: path.display().to_string(), socket: None })
            }
            Dial::Engine { engine, server, socket } => {
                let tunnel = engine
                    .open_streamlocal(server, socket.as_deref(), &Actor::current(frontend), reattach)
                    .await
                    .map_err(DialError::Tunnel)?;
                Ok(Opened { stream: tunnel.stream, target: format!("{server}:{}", tunnel.socket), socket: Some(tunnel.socket) })
            }
            Dial::Relay { local, server, socket } => relay(local, frontend, (server, socket.clone()), reattach).await,
        }
    }
}

/// Connect to a local homedeck socket, refusing one served by another user.
pub(super) async fn connect_local(socket: &Path) -> Result<UnixStream, DialError> {
    let stream = match UnixStream::connect(socket).await {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {
            return Err(DialError::NobodyThere);
        }
        Err(e) => return Err(DialError::Refused(format!("cannot connect to {}: {e}", socket.display()))),
    };
    // Both ends check each other: commands carry passphrases, so never talk
    // to a socket someone else put where ours should be.
    let me = super::own_uid().map_err(|e| DialError::Refused(format!("cannot read this process's uid: {e}")))?;
    match stream.peer_cred() {
        Ok(c) if c.uid() == me => Ok(stream),
        Ok(c) => Err(DialError::Refused(format!(
            "{} is served by uid {}, not by this user (uid {me}); refusing to attach",
            socket.display(),
            c.uid()
        ))),
        Err(e) => Err(DialError::Refused(format!("cannot read who serves {}: {e}", socket.display()))),
    }
}

/// Ask the local host for a tunnel; once it says yes the socket is a pipe
/// to the remote daemon.
async fn relay(local: &Path, frontend: Frontend, to: (&str, Option<String>), reattach: bool) -> Result<Opened, DialError> {
    let (server, socket) = to;
    let mut stream = connect_local(local).await?;
    let frontend = frontend.as_str().to_string();
    let ask = ClientFrame::Tunnel { protocol: PROTOCOL_VERSION, frontend, server: server.to_string(), socket, reattach };
    if FrameWriter::<_, ClientFrame>::new(&mut stream).send(&ask).await.is_err() {
        return Err(DialError::NobodyThere);
    }
    let mut reader: FrameReader<_, ServerFrame> = FrameReader::new(&mut stream);
    // Logging in may take the connect timeout and a remote shell round trip.
    let answer = match tokio::time::timeout(Duration::from_secs(60), reader.next()).await {
        Err(_) => return Err(DialError::Refused(format!("the homedeck at {} did not open the tunnel within 60 s", local.display()))),
        Ok(a) => a,
    };
    if !reader.buffered().is_empty() {
        return Err(DialError::Refused("the local host sent bytes after its tunnel answer".into()));
    }
    drop(reader);
    match answer {
        Ok(ServerFrame::Tunnel { result: Ok(path) }) => {
            Ok(Opened { stream: Box::new(stream), target: format!("{server}:{path}"), socket: Some(path) })
        }
        Ok(ServerFrame::Tunnel { result: Err(e) }) => Err(DialError::Tunnel(e)),
        Ok(ServerFrame::Error { message }) => Err(DialError::Refused(message)),
        Ok(other) => Err(DialError::Refused(format!("expected a tunnel answer from the local host, got {other:?}"))),
        Err(ReadError::Closed | ReadError::Io(_)) => Err(DialError::NobodyThere),
        Err(ReadError::Bad(m)) => Err(DialError::Refused(m)),
    }
}
