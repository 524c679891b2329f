//! The attached side of the socket: requests out, answers matched back by
//! id, events into a local broadcast channel so front ends subscribe exactly
//! as they do in-process.
//!
//! A console's client keeps trying to reattach (every second) when its host
//! goes away; a CLI's does not, since its one command has failed by then.
//! The link state is a `watch` so the status bar can say which it is.
//!
//! The client speaks over any byte stream (`dial.rs` opens it): this data
//! dir's Unix socket, or an SSH tunnel to another site's daemon. A console
//! reattaching to another site redials SSH.

use super::codec::{FrameReader, FrameWriter, ReadError};
use super::dial::{Dial, DialError};
use super::protocol::{ClientFrame, HostStatus, PROTOCOL_VERSION, ServerFrame, ServerHello, version_mismatch};
use crate::engine::{ByteStream, Command, EngineError, EngineResult, Event, Frontend, Outcome, Preview};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::ReadHalf;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

type Reader = FrameReader<ReadHalf<Box<dyn ByteStream>>, ServerFrame>;

/// What a subscriber receives: an event, or word that events were missed
/// (the host dropped them for this client, or the link was re-established).
// Unboxed like the engine's own broadcast of `Event`: nearly every item is one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Feed {
    Event(Event),
    Lagged(u64),
}

/// Where the attachment stands.
#[derive(Debug, Clone)]
pub enum Link {
    Attached(ServerHello),
    /// The host went away at `since`; a console keeps trying to reattach.
    Lost { since: DateTime<Utc>, reason: String, retrying: bool },
}

/// Why attaching did not work.
#[derive(Debug)]
pub enum AttachError {
    /// No homedeck serves this data dir (no socket, or nobody listening).
    NobodyThere,
    /// Something answered but cannot be used: the message says why.
    Refused(String),
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<EngineResult<Outcome>>>>>;
type PendingPreviews = Arc<Mutex<HashMap<u64, oneshot::Sender<EngineResult<Preview>>>>>;
type Control = Arc<Mutex<Option<oneshot::Sender<ServerFrame>>>>;

struct Shared {
    dial: Dial,
    /// What the stream reaches (a path, or `server:path`), for messages.
    target: Mutex<String>,
    frontend: Frontend,
    wants_events: bool,
    retry: bool,
    out: Mutex<Option<mpsc::Sender<ClientFrame>>>,
    pending: Pending,
    previews: PendingPreviews,
    control: Control,
    next_id: AtomicU64,
    events: broadcast::Sender<Feed>,
    link: watch::Sender<Link>,
}

/// A cheap, cloneable connection to the homedeck hosting a data dir.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

impl Client {
    /// Attach to the homedeck serving `data_dir`. `retry` keeps reattaching
    /// after the host goes away (consoles); `events` asks for the event stream.
    pub async fn attach(data_dir: &Path, frontend: Frontend, events: bool, retry: bool) -> Result<Client, AttachError> {
        Client::connect(Dial::Socket(super::socket_path(data_dir)), frontend, events, retry).await.map_err(|e| match e {
            DialError::NobodyThere => AttachError::NobodyThere,
            other => AttachError::Refused(other.to_string()),
        })
    }

    /// Attach wherever `dial` leads (this machine's socket or another
    /// site's daemon through SSH); reattaching dials the same way again.
    pub async fn connect(dial: Dial, frontend: Frontend, events: bool, retry: bool) -> Result<Client, DialError> {
        let Handshook { hello, reader, out, target, socket } = handshake(&dial, frontend, events, false).await?;
        let dial = dial.pinned(socket);
        let (events_tx, _) = broadcast::channel(1024);
        let (link, _) = watch::channel(Link::Attached(hello));
        let shared = Arc::new(Shared {
            dial,
            target: Mutex::new(target),
            frontend,
            wants_events: events,
            retry,
            out: Mutex::new(Some(out)),
            pending: Arc::default(),
            previews: Arc::default(),
            control: Arc::default(),
            next_id: AtomicU64::new(1),
            events: events_tx,
            link,
        });
        tokio::spawn(read_loop(Arc::downgrade(&shared), reader));
        Ok(Client { shared })
    }

    /// Run one command on the host. The host decides who acts (this OS user
    /// through this front end); nothing the client says about itself counts.
    pub async fn execute(&self, command: Command) -> EngineResult<Outcome> {
        let command = serde_json::to_value(&command).map_err(|e| EngineError::Other(format!("cannot encode the command: {e}")))?;
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.pending).insert(id, tx);
        if !self.send(ClientFrame::Request { id, command }).await {
            lock(&self.shared.pending).remove(&id);
            return Err(self.gone());
        }
        rx.await.unwrap_or_else(|_| Err(self.gone()))
    }

    /// What `command` would do on the host, without doing it.
    pub async fn preview(&self, command: Command) -> EngineResult<Preview> {
        let command = serde_json::to_value(&command).map_err(|e| EngineError::Other(format!("cannot encode the command: {e}")))?;
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.previews).insert(id, tx);
        if !self.send(ClientFrame::Preview { id, command }).await {
            lock(&self.shared.previews).remove(&id);
            return Err(self.gone());
        }
        rx.await.unwrap_or_else(|_| Err(self.gone()))
    }

    /// Ask the host about itself (`daemon status`).
    pub async fn status(&self) -> EngineResult<HostStatus> {
        match self.control(ClientFrame::Status {}).await? {
            ServerFrame::Status { status } => Ok(*status),
            other => Err(EngineError::Other(format!("unexpected answer to status: {other:?}"))),
        }
    }

    /// Ask a daemon to stop; it answers before it goes.
    pub async fn stop(&self) -> EngineResult<()> {
        match self.control(ClientFrame::Stop {}).await? {
            ServerFrame::Stopping {} => Ok(()),
            ServerFrame::Error { message } => Err(EngineError::Other(message)),
            other => Err(EngineError::Other(format!("unexpected answer to stop: {other:?}"))),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Feed> {
        self.shared.events.subscribe()
    }

    pub fn link(&self) -> watch::Receiver<Link> {
        self.shared.link.subscribe()
    }

    pub fn hello(&self) -> Option<ServerHello> {
        match &*self.shared.link.borrow() {
            Link::Attached(h) => Some(h.clone()),
            Link::Lost { .. } => None,
        }
    }

    /// What this client is attached to: a socket path, or `server:path`.
    pub fn target(&self) -> String {
        lock(&self.shared.target).clone()
    }

    /// The other site's name when attached through SSH (`--remote`).
    pub fn site(&self) -> Option<String> {
        self.shared.dial.site().map(str::to_string)
    }

    async fn control(&self, frame: ClientFrame) -> EngineResult<ServerFrame> {
        let (tx, rx) = oneshot::channel();
        *lock(&self.shared.control) = Some(tx);
        if !self.send(frame).await {
            return Err(self.gone());
        }
        rx.await.map_err(|_| self.gone())
    }

    async fn send(&self, frame: ClientFrame) -> bool {
        let out = lock(&self.shared.out).clone();
        match out {
            Some(out) => out.send(frame).await.is_ok(),
            None => false,
        }
    }

    fn gone(&self) -> EngineError {
        match &*self.shared.link.borrow() {
            Link::Lost { reason, .. } => EngineError::Other(format!("not attached: {reason}")),
            Link::Attached(h) => EngineError::Other(format!(
                "the {} (pid {}) serving {} went away while the command ran; it may or may not have finished — check before running it again",
                h.host.describe(),
                h.pid,
                self.target()
            )),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A link just established: the host's hello, both directions, what it
/// reaches, and the remote socket path it was found to have (if remote).
struct Handshook {
    hello: ServerHello,
    reader: Reader,
    out: mpsc::Sender<ClientFrame>,
    target: String,
    socket: Option<String>,
}

/// Dial, say hello, read the host's hello; start the writer task.
async fn handshake(dial: &Dial, frontend: Frontend, events: bool, reattach: bool) -> Result<Handshook, DialError> {
    let opened = dial.open(frontend, reattach).await?;
    let (stream, socket, found) = (opened.stream, opened.target, opened.socket);
    let (r, w) = tokio::io::split(stream);
    let mut reader = FrameReader::new(r);
    let mut writer: FrameWriter<_, ClientFrame> = FrameWriter::new(w);
    let hello = ClientFrame::Hello { protocol: PROTOCOL_VERSION, frontend: frontend.as_str().to_string(), events };
    // A peer that vanishes mid-handshake is "nobody there" (it was stopping);
    // one that answers with an error has said why it will not serve us.
    if writer.send(&hello).await.is_err() {
        return Err(DialError::NobodyThere);
    }
    let answer = tokio::time::timeout(Duration::from_secs(10), reader.next()).await;
    let hello = match answer {
        Err(_) => return Err(DialError::Refused(format!("{socket} did not answer the hello within 10 s"))),
        Ok(Err(ReadError::Closed | ReadError::Io(_))) => return Err(DialError::NobodyThere),
        Ok(Err(ReadError::Bad(m))) => return Err(DialError::Refused(format!("{socket}: {m}"))),
        Ok(Ok(ServerFrame::Error { message })) => return Err(DialError::Refused(message)),
        Ok(Ok(ServerFrame::Hello(h))) if h.protocol != PROTOCOL_VERSION => {
            return Err(DialError::Refused(version_mismatch(h.protocol, PROTOCOL_VERSION)));
        }
        Ok(Ok(ServerFrame::Hello(h))) => h,
        Ok(Ok(other)) => return Err(DialError::Refused(format!("expected a hello from the host, got {other:?}"))),
    };
    let (tx, mut rx) = mpsc::channel::<ClientFrame>(64);
    tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if writer.send(&frame).await.is_err() {
                return;
            }
        }
    });
    Ok(Handshook { hello, reader, out: tx, target: socket, socket: found })
}

/// Route frames until the link drops; then fail what was waiting and, for a
/// console, reattach every second until a host answers again.
async fn read_loop(shared: std::sync::Weak<Shared>, mut reader: Reader) {
    loop {
        let reason = loop {
            let frame = reader.next().await;
            let Some(s) = shared.upgrade() else { return };
            match frame {
                Ok(ServerFrame::Response { id, result }) => {
                    if let Some(tx) = lock(&s.pending).remove(&id) {
                        let _ = tx.send(result);
                    }
                }
                Ok(ServerFrame::Previewed { id, result }) => {
                    if let Some(tx) = lock(&s.previews).remove(&id) {
                        let _ = tx.send(result);
                    }
                }
                Ok(ServerFrame::Event { event }) => {
                    let _ = s.events.send(Feed::Event(event));
                }
                Ok(ServerFrame::Lagged { missed }) => {
                    let _ = s.events.send(Feed::Lagged(missed));
                }
                Ok(f @ (ServerFrame::Status { .. } | ServerFrame::Stopping {})) => {
                    if let Some(tx) = lock(&s.control).take() {
                        let _ = tx.send(f);
                    }
                }
                Ok(ServerFrame::Error { message }) => {
                    // Answer a waiting stop/status with it, if any.
                    if let Some(tx) = lock(&s.control).take() {
                        let _ = tx.send(ServerFrame::Error { message: message.clone() });
                    }
                    break format!("the host closed the connection: {message}");
                }
                Ok(ServerFrame::Hello(_)) => break "the host sent a second hello".to_string(),
                Ok(ServerFrame::Tunnel { .. }) => break "the host sent a tunnel answer nobody asked for".to_string(),
                Err(ReadError::Closed | ReadError::Io(_)) => {
                    break format!("the homedeck serving {} went away", lock(&s.target));
                }
                Err(ReadError::Bad(m)) => break m,
            }
        };
        let Some(s) = shared.upgrade() else { return };
        lost(&s, reason);
        if !s.retry {
            return;
        }
        let (frontend, events, dial) = (s.frontend, s.wants_events, s.dial.clone());
        drop(s);
        reader = loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if shared.strong_count() == 0 {
                return;
            }
            if let Ok(Handshook { hello, reader, out, target, .. }) = handshake(&dial, frontend, events, true).await {
                let Some(s) = shared.upgrade() else { return };
                *lock(&s.out) = Some(out);
                *lock(&s.target) = target;
                s.link.send_replace(Link::Attached(hello));
                // Whatever happened meanwhile was missed: subscribers reload.
                let _ = s.events.send(Feed::Lagged(0));
                break reader;
            }
        };
    }
}

fn lost(s: &Shared, reason: String) {
    tracing::warn!(%reason, "lost the homedeck host");
    *lock(&s.out) = None;
    s.link.send_replace(Link::Lost { since: Utc::now(), reason: reason.clone(), retrying: s.retry });
    for (_, tx) in lock(&s.pending).drain() {
        let _ = tx.send(Err(EngineError::Other(format!(
            "{reason} while the command ran; it may or may not have finished — check before running it again"
        ))));
    }
    for (_, tx) in lock(&s.previews).drain() {
        let _ = tx.send(Err(EngineError::Other(format!("{reason} while the preview was computed (nothing was changed)"))));
    }
    if let Some(tx) = lock(&s.control).take() {
        let _ = tx.send(ServerFrame::Error { message: reason });
    }
}
