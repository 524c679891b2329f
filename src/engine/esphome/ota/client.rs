//! Runs the espota2 [`Session`](super::protocol::Session) over TCP: sends
//! what it asks, reads exactly what it asks (never more than 64 bytes at a
//! time), reports progress, and stops between any two steps when cancelled.

use super::protocol::{Effect, OtaError, Session};
use crate::engine::secret_value::SecretValue;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Upload {
    pub host: String,
    pub port: u16,
    pub raw: Arc<Vec<u8>>,
    pub gz: Option<Arc<Vec<u8>>>,
    pub password: Option<SecretValue>,
    pub timeout: Duration,
    pub cancel: Arc<AtomicBool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Uploaded {
    pub sent: u64,
    pub compressed: bool,
}

/// gzip level 9, as `esphome upload` compresses (run on a blocking thread).
pub fn gzip(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::with_capacity(raw.len() / 2), Compression::best());
    enc.write_all(raw)?;
    enc.finish()
}

fn cnonce() -> String {
    let bytes = crate::engine::vault::crypto::random_bytes::<32>().unwrap_or([0x5a; 32]);
    crate::engine::digest::hex(&bytes)
}

/// Upload the image; `progress(sent, total)` is called after every chunk.
pub async fn run(u: Upload, mut progress: impl FnMut(u64, u64)) -> Result<Uploaded, String> {
    let addr = format!("{}:{}", u.host, u.port);
    let mut sock = match tokio::time::timeout(u.timeout, TcpStream::connect(&addr)).await {
        Err(_) => return Err(format!("timed out connecting to the OTA port {addr}")),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Err(format!("connection refused by {addr} — is the device online with the esphome OTA platform on that port?"));
        }
        Ok(Err(e)) => return Err(format!("cannot connect to {addr}: {e}")),
        Ok(Ok(s)) => s,
    };
    let _ = sock.set_nodelay(true);
    let password = u.password.as_ref().map(|p| p.expose().to_string());
    let mut s = Session::new(u.raw.clone(), u.gz.clone(), password, cnonce());
    let mut queue: VecDeque<Effect> = s.start().into();
    // Flashing the last block and verifying can take a while on a real device.
    let slow = u.timeout.max(Duration::from_secs(30));
    while let Some(effect) = queue.pop_front() {
        if u.cancel.load(Ordering::Relaxed) {
            return Err(format!("cancelled by the operator after {} of {} bytes", s.sent(), s.total()));
        }
        match effect {
            Effect::Send(bytes) => match tokio::time::timeout(slow, sock.write_all(&bytes)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(dropped(&s, &e.to_string())),
                Err(_) => return Err(format!("timed out sending to the device after {} of {} bytes", s.sent(), s.total())),
            },
            Effect::Read(n) => {
                let mut buf = [0u8; 64];
                let want = buf.get_mut(..n).ok_or_else(|| OtaError::OutOfTurn.to_string())?;
                let wait = if s.uploading() { slow } else { u.timeout };
                match tokio::time::timeout(wait, sock.read_exact(want)).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(dropped(&s, &e.to_string())),
                    Err(_) => return Err(format!("timed out waiting for the device after {} of {} bytes", s.sent(), s.total())),
                }
                queue.extend(s.feed(&buf[..n]).map_err(|e| e.to_string())?);
            }
            Effect::Progress { sent, total } => progress(sent, total),
            Effect::Finished => {
                let _ = sock.shutdown().await;
                return Ok(Uploaded { sent: s.total(), compressed: s.compressed });
            }
        }
    }
    Err(OtaError::OutOfTurn.to_string())
}

fn dropped(s: &Session, why: &str) -> String {
    if s.sent() > 0 {
        format!("the device dropped the connection during the upload after {} of {} bytes ({why})", s.sent(), s.total())
    } else {
        format!("the device dropped the connection before the upload ({why})")
    }
}
