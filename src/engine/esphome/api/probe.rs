//! Is the device there? The cheapest answer the native API gives, for the
//! presence poller (`engine::alerts::presence`), which asks every minute.
//!
//! A plaintext device gets the ordinary connect + hello. An encrypted one
//! gets only the Noise hello: the device answers it with its server hello
//! (its name and MAC) before the handshake that needs the key. So a probe
//! never reads the API key from the vault — reading it every minute would
//! keep the vault from ever locking itself when idle, add a line a minute to
//! the secret's access history, and fail whenever the vault is locked (a
//! daemon after a restart), leaving encrypted devices unwatched.

use super::conn::{ApiError, ConnectOptions, Connection, dial};
use super::frame;
use super::noise::parse_server_hello;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The device answered in its protocol. `encrypted`: it has an API key
/// (the hello goes as Noise). A device that answers in the other protocol
/// is up, but misconfigured here: that is its own error, so the caller can
/// tell it apart from silence.
pub async fn hello(host: &str, port: u16, encrypted: bool, timeout: Duration) -> Result<(), ApiError> {
    if !encrypted {
        let c = Connection::connect(&ConnectOptions { host: host.to_string(), port, key: None, timeout }).await?;
        c.disconnect().await;
        return Ok(());
    }
    let mut stream = dial(host, port, timeout).await?;
    let opening = frame::encode_noise(&[])?;
    match tokio::time::timeout(timeout, stream.write_all(&opening)).await {
        Err(_) => return Err(ApiError::Timeout("sending the encrypted hello".into())),
        Ok(Err(e)) => return Err(ApiError::Io(e.to_string())),
        Ok(Ok(())) => {}
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let mut buf = Vec::with_capacity(256);
    loop {
        if let Some((range, _)) = frame::decode_noise(&buf)? {
            parse_server_hello(&buf[range]).map_err(ApiError::Handshake)?;
            return Ok(());
        }
        if buf.len() > 1024 {
            return Err(ApiError::Malformed("no server hello in the first 1024 bytes".into()));
        }
        match tokio::time::timeout_at(deadline, stream.read_buf(&mut buf)).await {
            Err(_) => return Err(ApiError::Timeout("waiting for the device's encrypted hello".into())),
            Ok(Ok(0)) => return Err(ApiError::Closed("before its encrypted hello".into())),
            Ok(Ok(_)) => {}
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Err(ApiError::Closed("before its encrypted hello".into()));
            }
            Ok(Err(e)) => return Err(ApiError::Io(e.to_string())),
        }
    }
}

/// The device is up but speaks the other protocol than homedeck expects.
pub fn answered_otherwise(e: &ApiError) -> bool {
    matches!(e, ApiError::EncryptionRequired | ApiError::PlaintextDevice)
}
