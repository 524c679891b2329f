//! One engine per data dir, shared over a Unix socket.
//!
//! Whichever process opens the data dir (a console, a CLI command, or
//! `homedeck daemon`) hosts the engine and serves it on the socket; every
//! other homedeck on that data dir attaches instead of failing with "busy".
//! The socket carries the same serde types as the in-process seam, so a
//! front end cannot tell the difference except by latency.
//!
//! - `protocol`: the frames and the protocol version.
//! - `codec`: length-delimited JSON framing with a size limit.
//! - `server` (+ `connection`): the listener, the peer-uid check, one task
//!   set per client.
//! - `client`: the attached side; feeds a local event channel.
//! - `host`: `homedeck daemon` itself (start-up work, signals, stop).
//! - `reload`: its config reload (SIGHUP, config.toml changes).
//! - `mcp_listen`: its MCP listener over HTTP (`[mcp] listen`).

pub mod client;
pub mod codec;
pub mod dial;
mod connection;
mod relay;
pub mod host;
mod mcp_listen;
pub mod protocol;
pub mod reload;
pub mod server;

use std::path::{Path, PathBuf};

/// A Unix socket path must fit `sun_path` (108 bytes with its NUL).
const SUN_PATH_MAX: usize = 107;

/// Where the socket for `data_dir` lives: `<data dir>/homedeck.sock`, or,
/// when that path is too long for a Unix socket,
/// `$XDG_RUNTIME_DIR/homedeck/<hash of the data dir>.sock` (a per-user
/// temp dir without XDG_RUNTIME_DIR). Client and server compute it the same way.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    let direct = data_dir.join("homedeck.sock");
    if direct.as_os_str().len() <= SUN_PATH_MAX {
        return direct;
    }
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = <sha2::Sha256 as sha2::Digest>::digest(canonical.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    runtime_dir().join(format!("{hash}.sock"))
}

/// This process's uid, read the way peers are read: the credentials of a
/// socket pair's other end (no libc call, no unsafe).
pub fn own_uid() -> std::io::Result<u32> {
    let (a, _b) = tokio::net::UnixStream::pair()?;
    Ok(a.peer_cred()?.uid())
}

/// The private directory for sockets that do not fit in the data dir.
fn runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d).join("homedeck"),
        _ => {
            let user = whoami::fallible::username().unwrap_or_else(|_| "user".to_string());
            std::env::temp_dir().join(format!("homedeck-{user}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_data_dirs_use_the_runtime_dir() {
        let short = socket_path(Path::new("/var/lib/homedeck"));
        assert_eq!(short, Path::new("/var/lib/homedeck/homedeck.sock"));
        let long = PathBuf::from(format!("/{}", "d".repeat(120)));
        let p = socket_path(&long);
        assert!(p.as_os_str().len() <= SUN_PATH_MAX || p.starts_with(runtime_dir()), "{}", p.display());
        assert!(p.to_string_lossy().ends_with(".sock") && !p.starts_with(&long));
    }
}
