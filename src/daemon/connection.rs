//! One attached client: check who it is, read its hello, then run its
//! requests concurrently and stream events to it.
//!
//! Everything the client receives goes through one bounded queue and one
//! writer task, so a client that stops reading only ever blocks itself: its
//! event forwarder waits on the full queue, its broadcast receiver falls
//! behind, and when it catches up it is sent `lagged {missed}` and reloads.
//! Other clients and the engine never wait for it.

use super::codec::{FrameReader, FrameWriter, ReadError};
use super::protocol::{
    ClientFrame, ClientInfo, HostKind, PROTOCOL_VERSION, ServerFrame, decode_command, parse_frontend, version_mismatch,
};
use super::server::State;
use crate::engine::{Actor, Command, Frontend, Outcome, SchedulerOutcome};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{broadcast, mpsc};

/// Frames waiting for one client's socket.
const QUEUE: usize = 256;
/// A client that has not said hello by then is dropped.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that does not take a frame for this long is not reading at all.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) type Reader = FrameReader<OwnedReadHalf, ClientFrame>;
pub(super) type Writer = FrameWriter<OwnedWriteHalf, ServerFrame>;

/// What a client's first frame asked for.
enum First {
    Hello { frontend: Frontend, events: bool },
    /// `--remote` through this host: see `relay.rs`.
    Tunnel { frontend: Frontend, server: String, socket: Option<String>, reattach: bool },
}

pub(super) async fn serve(state: Arc<State>, client: u64, stream: UnixStream) {
    let cred = stream.peer_cred();
    let (r, w) = stream.into_split();
    let mut reader: Reader = FrameReader::new(r);
    let mut writer: Writer = FrameWriter::new(w);

    let pid = match cred {
        Ok(c) if c.uid() == state.uid => c.pid(),
        Ok(c) => {
            let peer = format!("uid {}", c.uid());
            let reason = format!(
                "{peer} (pid {}) is not the owner of this homedeck (uid {}); only the same OS user may attach",
                c.pid().map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                state.uid
            );
            refuse(&state, &mut writer, &peer, &reason).await;
            return;
        }
        Err(e) => {
            refuse(&state, &mut writer, "unknown peer", &format!("cannot read the peer's credentials: {e}")).await;
            return;
        }
    };

    let (frontend, wants_events) = match hello(&mut reader).await {
        Ok(First::Hello { frontend, events }) => (frontend, events),
        Ok(First::Tunnel { frontend, server, socket, reattach }) => {
            let actor = Actor { user: state.user.clone(), frontend };
            super::relay::serve(&state, reader, writer, actor, (&server, socket.as_deref()), reattach).await;
            return;
        }
        Err(message) => {
            let _ = writer.send(&ServerFrame::Error { message }).await;
            return;
        }
    };
    if writer.send(&ServerFrame::Hello(state.hello())).await.is_err() {
        return;
    }
    let actor = Actor { user: state.user.clone(), frontend };
    let _registered = Registered::new(&state, client, ClientInfo { frontend, user: actor.user.clone(), pid, since: Utc::now() });
    tracing::debug!(client, actor = %actor, "client attached");

    let (tx, rx) = mpsc::channel::<ServerFrame>(QUEUE);
    let writing = tokio::spawn(write_loop(writer, rx, client));
    let forwarding = wants_events.then(|| tokio::spawn(forward_events(state.engine.subscribe(), tx.clone())));

    loop {
        let frame = tokio::select! {
            f = reader.next() => f,
            _ = state.closing.cancelled() => break,
        };
        match frame {
            Ok(ClientFrame::Request { id, command }) => match decode_command(command) {
                Ok(command) => {
                    let (engine, actor, tx) = (state.engine.clone(), actor.clone(), tx.clone());
                    state.requests.spawn(async move {
                        let result = engine.execute(command, actor).await;
                        let _ = tx.send(ServerFrame::Response { id, result }).await;
                    });
                }
                Err(message) => {
                    let _ = tx.send(ServerFrame::Error { message }).await;
                    break;
                }
            },
            Ok(ClientFrame::Preview { id, command }) => match decode_command(command) {
                Ok(command) => {
                    let (engine, actor, tx) = (state.engine.clone(), actor.clone(), tx.clone());
                    state.requests.spawn(async move {
                        let result = engine.preview(command, actor).await;
                        let _ = tx.send(ServerFrame::Previewed { id, result }).await;
                    });
                }
                Err(message) => {
                    let _ = tx.send(ServerFrame::Error { message }).await;
                    break;
                }
            },
            Ok(ClientFrame::Status {}) => {
                let mut status = state.status(Some(client));
                let (engine, actor, tx) = (state.engine.clone(), actor.clone(), tx.clone());
                state.requests.spawn(async move {
                    if let Ok(Outcome::Scheduler(SchedulerOutcome::SchedulerStatus { jobs })) =
                        engine.execute(Command::SchedulerStatus {}, actor).await
                    {
                        status.schedules = Some(jobs);
                    }
                    let _ = tx.send(ServerFrame::Status { status: Box::new(status) }).await;
                });
            }
            Ok(ClientFrame::Stop {}) if state.hello.host == HostKind::Daemon => {
                tracing::info!(actor = %actor, "stop requested over the socket");
                let _ = tx.send(ServerFrame::Stopping {}).await;
                state.stop_asked.notify_one();
            }
            Ok(ClientFrame::Stop {}) => {
                let message = format!(
                    "not stopped: this data dir is held by a {} (pid {}), not by `homedeck daemon` — quit it there",
                    state.hello.host.describe(),
                    state.hello.pid
                );
                let _ = tx.send(ServerFrame::Error { message }).await;
                break;
            }
            Ok(ClientFrame::Hello { .. } | ClientFrame::Tunnel { .. }) => {
                let message = "a second hello — expected requests after the first one".to_string();
                let _ = tx.send(ServerFrame::Error { message }).await;
                break;
            }
            Err(ReadError::Bad(message)) => {
                tracing::warn!(client, %message, "bad frame; disconnecting the client");
                let _ = tx.send(ServerFrame::Error { message }).await;
                break;
            }
            Err(ReadError::Closed | ReadError::Io(_)) => break,
        }
    }
    if let Some(f) = forwarding {
        f.abort();
    }
    // The writer ends once running requests have answered (they hold `tx`)
    // or right after an error frame.
    drop(tx);
    let _ = writing.await;
    tracing::debug!(client, "client detached");
}

/// Read and check the hello (or tunnel request): protocol version and front end.
async fn hello(reader: &mut Reader) -> Result<First, String> {
    let first = match tokio::time::timeout(HELLO_TIMEOUT, reader.next()).await {
        Err(_) => return Err(format!("no hello within {} s — expected a hello frame first", HELLO_TIMEOUT.as_secs())),
        Ok(Err(e)) => return Err(e.to_string()),
        Ok(Ok(f)) => f,
    };
    match first {
        ClientFrame::Hello { protocol, .. } if protocol != PROTOCOL_VERSION => Err(version_mismatch(PROTOCOL_VERSION, protocol)),
        ClientFrame::Hello { frontend, events, .. } => Ok(First::Hello { frontend: parse_frontend(&frontend)?, events }),
        ClientFrame::Tunnel { protocol, .. } if protocol != PROTOCOL_VERSION => Err(version_mismatch(PROTOCOL_VERSION, protocol)),
        ClientFrame::Tunnel { frontend, server, socket, reattach, .. } => {
            Ok(First::Tunnel { frontend: parse_frontend(&frontend)?, server, socket, reattach })
        }
        _ => Err("the first frame was not a hello — expected {\"frame\":\"hello\",\"protocol\":N,\"frontend\":…,\"events\":…}".into()),
    }
}

/// Say why, audit it, and close. Never serves anything to this peer.
async fn refuse(state: &State, writer: &mut Writer, peer: &str, reason: &str) {
    tracing::warn!(%peer, %reason, "socket connection refused");
    if let Err(e) = state.engine.record_refused_connection(peer, reason) {
        tracing::warn!(error = %e, "could not audit a refused socket connection");
    }
    let _ = tokio::time::timeout(WRITE_TIMEOUT, writer.send(&ServerFrame::Error { message: format!("refused: {reason}") })).await;
}

/// A client that stops reading for `WRITE_TIMEOUT` is dropped; that is said
/// at `warn`, because the user whose console went away needs to see why.
async fn write_loop(mut writer: Writer, mut rx: mpsc::Receiver<ServerFrame>, client: u64) {
    while let Some(frame) = rx.recv().await {
        let last = matches!(frame, ServerFrame::Error { .. });
        match tokio::time::timeout(WRITE_TIMEOUT, writer.send(&frame)).await {
            Ok(Ok(())) if !last => {}
            Ok(Ok(())) => return,
            Ok(Err(e)) => {
                tracing::debug!(client, error = %e, "client socket closed while writing");
                return;
            }
            Err(_) => {
                tracing::warn!(client, "client read nothing for {} s; disconnecting it (it may attach again)", WRITE_TIMEOUT.as_secs());
                return;
            }
        }
    }
}

/// Engine events into this client's queue; a lag becomes one `lagged` frame.
async fn forward_events(mut events: broadcast::Receiver<crate::engine::Event>, tx: mpsc::Sender<ServerFrame>) {
    loop {
        let frame = match events.recv().await {
            Ok(event) => ServerFrame::Event { event },
            Err(broadcast::error::RecvError::Lagged(missed)) => ServerFrame::Lagged { missed },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if tx.send(frame).await.is_err() {
            return;
        }
    }
}

/// An entry in the host's client list for as long as the connection lives.
struct Registered<'a> {
    state: &'a State,
    id: u64,
}

impl<'a> Registered<'a> {
    fn new(state: &'a State, id: u64, info: ClientInfo) -> Self {
        if let Ok(mut c) = state.clients.lock() {
            c.insert(id, info);
        }
        Registered { state, id }
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        if let Ok(mut c) = self.state.clients.lock() {
            c.remove(&self.id);
        }
    }
}
