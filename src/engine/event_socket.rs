//! The engine that holds a data dir publishes its events, one JSON object per
//! line, on `<data dir>/events.sock`. Only one process may open the db, so
//! this is how `homedeck events --follow` (and later a daemon's clients) see
//! what a running console is doing. It carries events only — never commands,
//! and events never contain secret values.

use super::Inner;
use super::event::Event;
use std::path::{Path, PathBuf};
use std::sync::Weak;
use tokio::io::AsyncWriteExt;
use tokio::net::UnixListener;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("events.sock")
}

/// Listen until the engine is dropped. We hold the data-dir lock, so a
/// socket file left behind by a crashed process is stale and safe to replace.
pub(crate) async fn serve(inner: Weak<Inner>, path: PathBuf) {
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "event socket unavailable");
            return;
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {
                if inner.strong_count() == 0 { break; }
                continue;
            }
        };
        let Ok((mut stream, _)) = accepted else { continue };
        let Some(strong) = inner.upgrade() else { break };
        let mut rx = strong.events.subscribe();
        drop(strong);
        tokio::spawn(async move {
            while let Ok(event) = rx.recv().await {
                let Ok(mut line) = serde_json::to_vec(&event) else { continue };
                line.push(b'\n');
                if stream.write_all(&line).await.is_err() {
                    break;
                }
            }
        });
    }
    let _ = std::fs::remove_file(&path);
}

/// Decode one line from the socket.
pub fn decode_line(line: &str) -> Option<Event> {
    serde_json::from_str(line).ok()
}
