//! The socket side of whichever process hosts the engine.
//!
//! The host holds the data-dir lock, so a socket file already at the path was
//! left by a crashed process and is safe to replace. The socket is made
//! 0600, and every connection's peer uid is checked as well: the mode is the
//! first wall, the uid check the one that does not depend on file modes (a
//! relaxed chmod, a socket in a shared directory).

use super::connection;
use super::protocol::{ClientInfo, HostKind, HostStatus, PROTOCOL_VERSION, ReloadInfo, ServerHello};
use crate::engine::EngineHandle;
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UnixListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What every connection shares.
pub(super) struct State {
    pub engine: EngineHandle,
    pub hello: ServerHello,
    pub socket: PathBuf,
    /// The host's own uid and user name: the only peer served, and the user
    /// every command is recorded under.
    pub uid: u32,
    pub user: String,
    pub clients: Mutex<BTreeMap<u64, ClientInfo>>,
    pub next_client: AtomicU64,
    /// Cancelled when the host stops: connections stop reading.
    pub closing: CancellationToken,
    /// Requests still running; the host waits for them (briefly) on stop.
    pub requests: TaskTracker,
    /// A client asked a `homedeck daemon` to stop.
    pub stop_asked: Notify,
    /// The daemon's last config reload.
    pub reload: Mutex<Option<ReloadInfo>>,
    /// The daemon's MCP listener, when `[mcp] listen` is set.
    pub mcp: Mutex<Option<super::protocol::McpListenerInfo>>,
}

impl State {
    /// The host's status as client `asking` sees it (itself not listed).
    pub fn status(&self, asking: Option<u64>) -> HostStatus {
        let clients = self
            .clients
            .lock()
            .map(|c| c.iter().filter(|(id, _)| Some(**id) != asking).map(|(_, info)| info.clone()).collect())
            .unwrap_or_default();
        HostStatus {
            hello: self.hello(),
            data_dir: self.engine.options().data_dir.display().to_string(),
            socket: self.socket.display().to_string(),
            clients,
            schedules: None,
            reload: self.reload.lock().ok().and_then(|r| r.clone()),
            mcp: self.mcp.lock().ok().and_then(|m| m.clone()),
        }
    }

    /// The hello as of now: a reload may have changed the audit retention.
    pub fn hello(&self) -> ServerHello {
        ServerHello { audit_retention_days: self.engine.settings().audit_retention_days, ..self.hello.clone() }
    }
}

/// A running socket server. Dropping it stops accepting and removes the socket.
pub struct Server {
    state: Arc<State>,
}

impl Server {
    /// Bind `<data dir>/homedeck.sock` (or its runtime-dir fallback) and serve
    /// `engine` on it. The caller must hold the data dir, i.e. have opened
    /// `engine` itself.
    pub async fn start(engine: EngineHandle, host: HostKind) -> std::io::Result<Server> {
        let socket = super::socket_path(&engine.options().data_dir);
        let listener = bind(&socket)?;
        let uid = super::own_uid()?;
        let hello = ServerHello {
            protocol: PROTOCOL_VERSION,
            pid: std::process::id(),
            started_at: Utc::now(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            host,
            readonly: engine.readonly(),
            audit_retention_days: engine.options().audit_retention_days,
        };
        let user = crate::engine::Actor::current(crate::engine::Frontend::Daemon).user;
        let state = Arc::new(State {
            engine,
            hello,
            socket: socket.clone(),
            uid,
            user,
            clients: Mutex::new(BTreeMap::new()),
            next_client: AtomicU64::new(1),
            closing: CancellationToken::new(),
            requests: TaskTracker::new(),
            stop_asked: Notify::new(),
            reload: Mutex::new(None),
            mcp: Mutex::new(None),
        });
        tokio::spawn(accept_loop(state.clone(), listener));
        tracing::info!(socket = %socket.display(), host = ?host, "serving the engine");
        Ok(Server { state })
    }

    pub fn socket(&self) -> &Path {
        &self.state.socket
    }

    pub fn status(&self) -> HostStatus {
        self.state.status(None)
    }

    /// Record the daemon's last config reload for `daemon status`.
    pub fn set_reload(&self, info: ReloadInfo) {
        if let Ok(mut r) = self.state.reload.lock() {
            *r = Some(info);
        }
    }

    /// Record the daemon's MCP listener for `daemon status`.
    pub fn set_mcp(&self, info: super::protocol::McpListenerInfo) {
        if let Ok(mut m) = self.state.mcp.lock() {
            *m = Some(info);
        }
    }

    /// Resolves when a client sends `stop` (only a daemon host accepts it).
    pub async fn stop_requested(&self) {
        self.state.stop_asked.notified().await
    }

    /// Stop accepting, let running requests finish for up to `grace`, then
    /// close every connection and remove the socket.
    pub async fn shutdown(self, grace: Duration) {
        self.state.closing.cancel();
        self.state.requests.close();
        let _ = tokio::time::timeout(grace, self.state.requests.wait()).await;
        // Drop removes the socket.
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.closing.cancel();
        let _ = std::fs::remove_file(&self.state.socket);
    }
}

/// Bind with a fresh socket file, mode 0600, in a directory that exists.
fn bind(socket: &Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(dir) = socket.parent().filter(|d| !d.exists()) {
        // Only the runtime-dir fallback is created here; keep it private.
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    match std::fs::remove_file(socket) {
        Ok(()) => tracing::info!(socket = %socket.display(), "replaced a stale socket left by a homedeck that did not stop cleanly"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(socket)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {}: {e}", socket.display())))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

async fn accept_loop(state: Arc<State>, listener: UnixListener) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = state.closing.cancelled() => return,
        };
        match accepted {
            Ok((stream, _)) => {
                let id = state.next_client.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(connection::serve(state.clone(), id, stream));
            }
            Err(e) => {
                // Out of file descriptors and the like: back off, never spin.
                tracing::warn!(error = %e, "accepting a socket connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
