//! SSH connections with russh: reach the host (with errors that say which
//! of DNS, refusal or timeout it was), read the server's banner, check the
//! host key against the pin, and log in with a vault key, a vault password
//! or the running ssh-agent.

mod channel;
mod handler;

pub use channel::{ExecStatus, Stream, exec};
pub use handler::Presented;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use handler::Client;
use russh::client::{self, AuthResult, Handle};
use russh::keys::PrivateKey;
use russh::keys::key::PrivateKeyWithHashAlg;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// How to log in, with the secret already out of the vault.
pub enum Credentials {
    Key { key: Box<PrivateKey>, label: String },
    Password { password: SecretValue, label: String },
    Agent,
}

impl Credentials {
    fn label(&self) -> String {
        match self {
            Credentials::Key { label, .. } | Credentials::Password { label, .. } => label.clone(),
            Credentials::Agent => "the ssh-agent's keys".into(),
        }
    }
}

/// Where to connect and what to expect.
pub struct Dial<'a> {
    pub server: &'a str,
    pub host: &'a str,
    pub port: u16,
    pub user: &'a str,
    pub pinned: Option<&'a str>,
    pub timeout: Duration,
}

/// One live SSH connection; channels (exec, sftp) are multiplexed over it.
pub struct Connection {
    pub handle: Handle<Client>,
    pub banner: String,
    pub host_key: Presented,
    /// TCP connect + handshake + login.
    pub connect_time: Duration,
}

impl Connection {
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

fn config() -> Arc<client::Config> {
    Arc::new(client::Config {
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        window_size: 8 * 1024 * 1024,
        maximum_packet_size: 65535,
        ..Default::default()
    })
}

/// Connect and log in. A changed host key fails with both fingerprints.
pub async fn connect(dial: &Dial<'_>, creds: Credentials) -> EngineResult<Connection> {
    let start = Instant::now();
    let address = if dial.host.contains(':') { format!("[{}]:{}", dial.host, dial.port) } else { format!("{}:{}", dial.host, dial.port) };
    let unreachable = |reason: String| EngineError::Unreachable { server: dial.server.into(), address: address.clone(), reason };
    let host = dial.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(dial.timeout, tokio::net::lookup_host((host, dial.port))).await {
        Err(_) => return Err(unreachable(format!("DNS lookup took longer than {} s (timeout)", dial.timeout.as_secs()))),
        Ok(Err(e)) => return Err(EngineError::DnsFailure { server: dial.server.into(), host: host.into(), detail: e.to_string() }),
        Ok(Ok(a)) => a.collect(),
    };
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        match tokio::time::timeout(dial.timeout, TcpStream::connect(a)).await {
            Ok(Ok(s)) => {
                stream = Some(s);
                break;
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = Some(format!("connection refused (nothing listens on port {} — is sshd running?)", dial.port))
            }
            Ok(Err(e)) => last = Some(e.to_string()),
            Err(_) => last = Some(format!("no answer within {} s (timeout — host down, or a firewall drops the packets?)", dial.timeout.as_secs())),
        }
    }
    let Some(stream) = stream else {
        return Err(unreachable(last.unwrap_or_else(|| "the name resolved to no address".into())));
    };
    let banner = read_banner(&stream, dial.timeout).await.map_err(&unreachable)?;
    let presented = Arc::new(Mutex::new(None));
    let handler = Client { expected: dial.pinned.map(String::from), presented: presented.clone() };
    let taken = |p: &Arc<Mutex<Option<Presented>>>| p.lock().ok().and_then(|g| g.clone());
    let handshake = tokio::time::timeout(dial.timeout, client::connect_stream(config(), stream, handler)).await;
    let mut handle = match handshake {
        Err(_) => return Err(unreachable(format!("SSH handshake did not finish within {} s", dial.timeout.as_secs()))),
        Ok(Err(e)) => {
            if let (Some(pin), Some(p)) = (dial.pinned, taken(&presented))
                && p.fingerprint != pin {
                    return Err(EngineError::HostKeyMismatch {
                        server: dial.server.into(),
                        pinned: pin.into(),
                        presented: p.fingerprint,
                    });
                }
            return Err(EngineError::Remote { server: dial.server.into(), detail: format!("SSH handshake failed: {e}") });
        }
        Ok(Ok(h)) => h,
    };
    let host_key = taken(&presented)
        .ok_or_else(|| EngineError::Remote { server: dial.server.into(), detail: "the server presented no host key".into() })?;
    let label = creds.label();
    let login = tokio::time::timeout(dial.timeout, authenticate(&mut handle, dial.user, creds)).await;
    let fail = |hint: String| EngineError::AuthFailed { server: dial.server.into(), user: dial.user.into(), method: label.clone(), hint };
    match login {
        Err(_) => return Err(fail(format!(" (no answer within {} s)", dial.timeout.as_secs()))),
        Ok(Err(e)) => return Err(fail(format!(": {e}"))),
        Ok(Ok(AuthResult::Success)) => {}
        Ok(Ok(AuthResult::Failure { remaining_methods, .. })) => {
            let methods: Vec<&str> = remaining_methods.iter().map(<&str>::from).collect();
            return Err(fail(format!(
                " — the server still accepts: {} (a wrong key/password, a user that does not exist, or an account whose login shell is missing)",
                if methods.is_empty() { "nothing".into() } else { methods.join(", ") }
            )));
        }
    }
    Ok(Connection { handle, banner, host_key, connect_time: start.elapsed() })
}

async fn authenticate(handle: &mut Handle<Client>, user: &str, creds: Credentials) -> Result<AuthResult, String> {
    match creds {
        Credentials::Key { key, .. } => {
            let hash = handle.best_supported_rsa_hash().await.map_err(|e| e.to_string())?.flatten();
            let key = PrivateKeyWithHashAlg::new(Arc::new(*key), hash);
            handle.authenticate_publickey(user, key).await.map_err(|e| e.to_string())
        }
        Credentials::Password { password, .. } => {
            handle.authenticate_password(user, password.expose()).await.map_err(|e| e.to_string())
        }
        Credentials::Agent => {
            let mut agent = russh::keys::agent::client::AgentClient::connect_env()
                .await
                .map_err(|e| format!("no ssh-agent to ask (is SSH_AUTH_SOCK set?): {e}"))?;
            let ids = agent.request_identities().await.map_err(|e| format!("the ssh-agent did not list keys: {e}"))?;
            let hash = handle.best_supported_rsa_hash().await.map_err(|e| e.to_string())?.flatten();
            let mut last = AuthResult::Failure { remaining_methods: russh::MethodSet::empty(), partial_success: false };
            for id in ids {
                let russh::keys::agent::AgentIdentity::PublicKey { key, .. } = id else { continue };
                last = handle.authenticate_publickey_with(user, key, hash, &mut agent).await.map_err(|e| e.to_string())?;
                if matches!(last, AuthResult::Success) {
                    break;
                }
            }
            Ok(last)
        }
    }
}

/// The server's identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2`),
/// peeked so russh still reads it itself.
async fn read_banner(stream: &TcpStream, timeout: Duration) -> Result<String, String> {
    let mut buf = vec![0u8; 512];
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let n = match tokio::time::timeout(left, stream.peek(&mut buf)).await {
            Err(_) => return Err(format!("the server sent no SSH banner within {} s", timeout.as_secs())),
            Ok(Err(e)) => return Err(format!("reading the SSH banner failed: {e}")),
            Ok(Ok(0)) => return Err("the server closed the connection before sending an SSH banner".into()),
            Ok(Ok(n)) => n,
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        if let Some(line) = text.lines().find(|l| l.starts_with("SSH-"))
            && text.contains('\n') {
                return Ok(line.trim_end().to_string());
            }
        if n == buf.len() {
            return Err("the server's first 512 bytes hold no SSH banner (not an SSH server?)".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
