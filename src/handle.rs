//! What front ends hold: the engine in this process, or a connection to the
//! homedeck that hosts it. Both answer the same `execute` / `subscribe`, so
//! the console and the CLI are written once and cannot tell which they got.

use crate::daemon::client::{Client, Feed, Link};
use crate::engine::{Actor, Command, EngineError, EngineHandle, EngineResult, Event, Outcome};
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
