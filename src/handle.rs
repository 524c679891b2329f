//! What front ends hold: the engine in this process, or a connection to the
//! homedeck that hosts it. Both answer the same `execute` / `subscribe`, so
//! the console and the CLI are written once and cannot tell which they got.

use crate::daemon::client::{AttachError, Client, Feed, Link};
use crate::daemon::dial::{Dial, DialError};
use crate::daemon::protocol::HostKind;
use crate::daemon::server::Server;
use crate::engine::{Actor, Command, EngineError, EngineHandle, EngineOptions, EngineResult, Event, Frontend, Outcome, Preview};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio::sync::watch;

#[derive(Clone)]
pub enum Handle {
    Local(EngineHandle),
    /// `readonly` is this process's own `--readonly`, on top of the host's:
    /// a read-only client refuses writes itself, whatever the host allows.
    Attached { client: Client, readonly: bool },
}

impl From<EngineHandle> for Handle {
    fn from(e: EngineHandle) -> Self {
        Handle::Local(e)
    }
}

impl Handle {
    /// Run one command. In-process the actor is `actor`; attached, the host
    /// builds the actor from the socket's peer credentials and our hello.
    pub async fn execute(&self, command: Command, actor: Actor) -> EngineResult<Outcome> {
        match self {
            Handle::Local(e) => e.execute(command, actor).await,
            Handle::Attached { client, readonly } => {
                if *readonly && command.spec().class.changes_state() {
                    return Err(EngineError::ReadOnly { command: command.name().to_string() });
                }
                client.execute(command).await
            }
        }
    }

    /// What `command` would do, from the host's current state, without
    /// doing it. Allowed read-only (it changes nothing). Attached, the host
    /// computes it and decides who asks, as for `execute`.
    pub async fn preview(&self, command: Command, actor: Actor) -> EngineResult<Preview> {
        match self {
            Handle::Local(e) => e.preview(command, actor).await,
            Handle::Attached { client, .. } => client.preview(command).await,
        }
    }

    pub fn subscribe(&self) -> Events {
        match self {
            Handle::Local(e) => Events::Local(e.subscribe()),
            Handle::Attached { client, .. } => Events::Attached(client.subscribe()),
        }
    }

    pub fn readonly(&self) -> bool {
        match self {
            Handle::Local(e) => e.readonly(),
            Handle::Attached { client, readonly } => *readonly || client.hello().is_some_and(|h| h.readonly),
        }
    }

    /// `[audit] retention_days` of whichever process hosts the engine.
    pub fn audit_retention_days(&self) -> u32 {
        match self {
            Handle::Local(e) => e.options().audit_retention_days,
            Handle::Attached { client, .. } => client.hello().map(|h| h.audit_retention_days).unwrap_or(365),
        }
    }

    /// The attachment's state, for the status bar; `None` in-process.
    pub fn link(&self) -> Option<watch::Receiver<Link>> {
        match self {
            Handle::Local(_) => None,
            Handle::Attached { client, .. } => Some(client.link()),
        }
    }

    /// The other site's name when attached through SSH (`--remote`).
    pub fn site(&self) -> Option<String> {
        match self {
            Handle::Local(_) => None,
            Handle::Attached { client, .. } => client.site(),
        }
    }

    pub fn is_attached(&self) -> bool {
        matches!(self, Handle::Attached { .. })
    }
}

/// A subscription to engine events, in-process or through the socket, with
/// the broadcast channel's own error types: a `Lagged` means "reload".
pub enum Events {
    Local(broadcast::Receiver<Event>),
    Attached(broadcast::Receiver<Feed>),
}

impl Events {
    pub async fn recv(&mut self) -> Result<Event, RecvError> {
        match self {
            Events::Local(rx) => rx.recv().await,
            Events::Attached(rx) => match rx.recv().await? {
                Feed::Event(e) => Ok(e),
                Feed::Lagged(n) => Err(RecvError::Lagged(n)),
            },
        }
    }

    pub fn try_recv(&mut self) -> Result<Event, TryRecvError> {
        match self {
            Events::Local(rx) => rx.try_recv(),
            Events::Attached(rx) => match rx.try_recv()? {
                Feed::Event(e) => Ok(e),
                Feed::Lagged(n) => Err(TryRecvError::Lagged(n)),
            },
        }
    }
}

/// What [`attach_or_open`] got: a handle, and the server when this process
/// hosts the engine (stop it with [`Server::shutdown`] before exiting).
pub struct Opened {
    pub handle: Handle,
    pub server: Option<Server>,
}

/// Attach to the homedeck hosting `opts.data_dir`; with none, open the
/// engine here and serve it so that others can attach to this process.
///
/// Two processes starting at once race for the lock: the loser sees "busy"
/// before the winner's socket is up, so "busy" is retried for a few seconds
/// before it is reported. `retry` keeps an attached console reattaching.
pub async fn attach_or_open(opts: EngineOptions, frontend: Frontend, host: HostKind, retry: bool) -> anyhow::Result<Opened> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match Client::attach(&opts.data_dir, frontend, true, retry).await {
            Ok(client) => {
                tracing::info!(socket = %client.target(), "attached to the homedeck hosting the data dir");
                return Ok(Opened { handle: Handle::Attached { client, readonly: opts.readonly }, server: None });
            }
            Err(AttachError::Refused(m)) => return Err(anyhow::anyhow!(m)),
            Err(AttachError::NobodyThere) => {}
        }
        match EngineHandle::open(opts.clone(), &Actor::current(frontend)) {
            Ok(engine) => {
                let server = match Server::start(engine.clone(), host).await {
                    Ok(s) => Some(s),
                    Err(e) => {
                        // Still usable alone; others get "busy" as before.
                        tracing::warn!(error = %e, "cannot serve the engine on its socket; running unshared");
                        None
                    }
                };
                return Ok(Opened { handle: Handle::Local(engine), server });
            }
            Err(EngineError::Busy { .. }) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => return Err(e.into()),
        }
    }
}

/// `--remote SERVER [--remote-socket PATH]`: which site's daemon to attach to.
#[derive(Debug, Clone)]
pub struct Remote {
    pub server: String,
    pub socket: Option<String>,
}

/// Attach to another site's daemon through SSH. Logging in needs this
/// site's inventory and vault, so first this data dir is attached to or
/// opened as usual; then the tunnel is dialled by our own engine, or by the
/// local host when another process has it (see `daemon/dial.rs`). A locked
/// vault is unlocked the way the CLI always does (prompt or passphrase file).
pub async fn attach_remote(opts: EngineOptions, frontend: Frontend, host: HostKind, retry: bool, remote: Remote) -> anyhow::Result<Opened> {
    let local = attach_or_open(opts.clone(), frontend, host, false).await?;
    let dial = match &local.handle {
        Handle::Local(engine) => Dial::Engine { engine: engine.clone(), server: remote.server.clone(), socket: remote.socket.clone() },
        Handle::Attached { .. } => Dial::Relay {
            local: crate::daemon::socket_path(&opts.data_dir),
            server: remote.server.clone(),
            socket: remote.socket.clone(),
        },
    };
    let mut unlocks = 0;
    let client = loop {
        match Client::connect(dial.clone(), frontend, true, retry).await {
            Ok(client) => break client,
            Err(DialError::Tunnel(EngineError::VaultLocked)) if unlocks < 3 => {
                unlocks += 1;
                crate::cli::Session::new(local.handle.clone(), false).unlock().await?;
            }
            Err(e) => {
                if let Some(server) = local.server {
                    server.shutdown(Duration::from_secs(5)).await;
                }
                return Err(anyhow::anyhow!("cannot attach to the homedeck on server {}: {e}", remote.server));
            }
        }
    };
    tracing::info!(target = %client.target(), "attached to another site's homedeck");
    Ok(Opened { handle: Handle::Attached { client, readonly: opts.readonly }, server: local.server })
}
