//! One native-API connection over TCP: connect (plaintext or Noise), hello,
//! and typed requests. Reads go into one growing buffer from which whole
//! frames are cut; a frame's claimed length is checked before anything is
//! reserved for it. The device's pings and time requests are answered
//! wherever a read happens, so a long log stream stays alive.

use super::frame::{self, FrameError};
use super::messages::{self as m, decode};
use super::noise::{HandshakeError, NoiseClient, NoiseTransport, ServerHello, parse_server_hello};
use crate::engine::secret_value::SecretValue;
use prost::Message;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Everything that can go wrong talking to a device, worded for people.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Refused(String),
    Timeout(String),
    Closed(String),
    EncryptionRequired,
    PlaintextDevice,
    Handshake(HandshakeError),
    Malformed(String),
    Io(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Refused(a) => write!(f, "connection refused by {a} — is the device on and its api: enabled?"),
            ApiError::Timeout(what) => write!(f, "timed out {what}"),
            ApiError::Closed(when) => write!(f, "the device closed the connection {when}"),
            ApiError::EncryptionRequired => f.write_str(
                "the device requires encryption: store its api encryption key as a vault secret and set key_secret",
            ),
            ApiError::PlaintextDevice => f.write_str(
                "the device speaks plaintext but an encryption key is set: remove key_secret or enable api: encryption: on the device",
            ),
            ApiError::Handshake(h) => h.fmt(f),
            ApiError::Malformed(d) => write!(f, "malformed data from the device: {d}"),
            ApiError::Io(e) => write!(f, "network error: {e}"),
        }
    }
}

impl From<FrameError> for ApiError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::EncryptionRequired => ApiError::EncryptionRequired,
            FrameError::PlaintextDevice => ApiError::PlaintextDevice,
            FrameError::Malformed(d) => ApiError::Malformed(d),
        }
    }
}

pub struct ConnectOptions {
    pub host: String,
    pub port: u16,
    pub key: Option<SecretValue>,
    pub timeout: Duration,
}

pub struct Connection {
    stream: TcpStream,
    cipher: Option<NoiseTransport>,
    buf: Vec<u8>,
    /// Where unread bytes start in `buf`; consumed bytes are dropped in one
    /// move before the next read, not one move per message.
    pos: usize,
    timeout: Duration,
    pub server: ServerHello,
    pub hello: m::HelloResponse,
}

const READ_CHUNK: usize = 64 * 1024;

/// A TCP connection to the device's API port, within `timeout`.
pub(super) async fn dial(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, ApiError> {
    let addr = format!("{host}:{port}");
    let stream = match tokio::time::timeout(timeout, TcpStream::connect(&addr)).await {
        Err(_) => return Err(ApiError::Timeout(format!("connecting to {addr} after {} s", timeout.as_secs_f32()))),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(ApiError::Refused(addr)),
        Ok(Err(e)) => return Err(ApiError::Io(format!("{addr}: {e}"))),
        Ok(Ok(s)) => s,
    };
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

impl Connection {
    pub async fn connect(o: &ConnectOptions) -> Result<Connection, ApiError> {
        let stream = dial(&o.host, o.port, o.timeout).await?;
        let mut c = Connection {
            stream,
            cipher: None,
            buf: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            timeout: o.timeout,
            server: ServerHello::default(),
            hello: m::HelloResponse::default(),
        };
        if let Some(key) = &o.key {
            c.handshake(key).await?;
        }
        let hello = m::HelloRequest {
            client_info: format!("homedeck {}", env!("CARGO_PKG_VERSION")),
            api_version_major: 1,
            api_version_minor: 10,
        };
        c.send(m::HELLO_REQUEST, &hello).await?;
        let (_, body) = c.expect(m::HELLO_RESPONSE, "the hello answer").await?;
        c.hello = decode("HelloResponse", &body).map_err(ApiError::Malformed)?;
        if c.server.name.is_empty() {
            c.server.name = c.hello.name.clone();
        }
        Ok(c)
    }

    pub fn encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    async fn handshake(&mut self, key: &SecretValue) -> Result<(), ApiError> {
        let mut client = NoiseClient::new(key.expose()).map_err(ApiError::Handshake)?;
        let opening = client.opening().map_err(ApiError::Handshake)?;
        self.write(&opening).await?;
        let hello = self.noise_frame("during the encrypted hello").await.map_err(|e| match e {
            ApiError::Closed(_) => ApiError::Closed(
                "right after the encrypted hello — it may not have api encryption enabled (remove key_secret)".into(),
            ),
            e => e,
        })?;
        self.server = parse_server_hello(&hello).map_err(ApiError::Handshake)?;
        let answer = self.noise_frame("during the encrypted handshake").await?;
        self.cipher = Some(client.finish(&answer).map_err(ApiError::Handshake)?);
        Ok(())
    }

    /// One raw Noise frame body (handshake phase).
    async fn noise_frame(&mut self, when: &str) -> Result<Vec<u8>, ApiError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            if let Some((range, used)) = frame::decode_noise(&self.buf[self.pos..])? {
                let body = self.buf[self.pos..][range].to_vec();
                self.pos += used;
                return Ok(body);
            }
            self.fill(Some(deadline), when).await?;
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        match tokio::time::timeout(self.timeout, self.stream.write_all(bytes)).await {
            Err(_) => Err(ApiError::Timeout("sending to the device".into())),
            Ok(Err(e)) => Err(ApiError::Io(e.to_string())),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Read once from the socket into the buffer. Cancel-safe (`read_buf`
    /// appends only what arrived), so a stream can `select!` on it.
    async fn fill(&mut self, deadline: Option<tokio::time::Instant>, when: &str) -> Result<(), ApiError> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.reserve(READ_CHUNK);
        let read = self.stream.read_buf(&mut self.buf);
        let n = match deadline {
            Some(d) => match tokio::time::timeout_at(d, read).await {
                Ok(r) => r,
                Err(_) => return Err(ApiError::Timeout(format!("waiting for the device {when}"))),
            },
            None => read.await,
        };
        match n {
            Ok(0) => Err(ApiError::Closed(when.to_string())),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Err(ApiError::Closed(when.to_string())),
            Err(e) => Err(ApiError::Io(e.to_string())),
        }
    }

    pub async fn send<T: Message>(&mut self, msg_type: u32, msg: &T) -> Result<(), ApiError> {
        let payload = msg.encode_to_vec();
        let bytes = match &mut self.cipher {
            Some(c) => c.seal(msg_type, &payload)?,
            None => frame::encode_plain(msg_type, &payload),
        };
        self.write(&bytes).await
    }

    /// A whole message already in the buffer, if there is one.
    pub fn pop(&mut self) -> Result<Option<(u32, Vec<u8>)>, ApiError> {
        let unread = &self.buf[self.pos..];
        match &mut self.cipher {
            None => match frame::decode_plain(unread)? {
                Some((t, range, used)) => {
                    let body = unread[range].to_vec();
                    self.pos += used;
                    Ok(Some((t, body)))
                }
                None => Ok(None),
            },
            Some(c) => match frame::decode_noise(unread)? {
                Some((range, used)) => {
                    let msg = c.open(&unread[range])?;
                    self.pos += used;
                    Ok(Some(msg))
                }
                None => Ok(None),
            },
        }
    }

    /// Wait for at least one more read (no deadline: log streams idle).
    pub async fn read_more(&mut self) -> Result<(), ApiError> {
        self.fill(None, "while streaming").await
    }

    /// Answer what the device asks of any client; true when handled.
    pub async fn housekeeping(&mut self, msg_type: u32) -> Result<bool, ApiError> {
        match msg_type {
            m::PING_REQUEST => self.send(m::PING_RESPONSE, &()).await.map(|_| true),
            m::GET_TIME_REQUEST => {
                let now = chrono::Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32;
                self.send(m::GET_TIME_RESPONSE, &m::GetTimeResponse { epoch_seconds: now }).await.map(|_| true)
            }
            m::DISCONNECT_REQUEST => {
                let _ = self.send(m::DISCONNECT_RESPONSE, &()).await;
                Err(ApiError::Closed("(it said goodbye, usually before a reboot)".into()))
            }
            _ => Ok(false),
        }
    }

    /// The next message that is not housekeeping, within the timeout.
    pub async fn next(&mut self, when: &str) -> Result<(u32, Vec<u8>), ApiError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            while let Some((t, body)) = self.pop()? {
                if !self.housekeeping(t).await? {
                    return Ok((t, body));
                }
            }
            self.fill(Some(deadline), when).await?;
        }
    }

    /// Skip other messages until one of `msg_type` arrives.
    async fn expect(&mut self, msg_type: u32, what: &str) -> Result<(u32, Vec<u8>), ApiError> {
        loop {
            let (t, body) = self.next(&format!("for {what}")).await?;
            if t == msg_type {
                return Ok((t, body));
            }
        }
    }

    pub async fn device_info(&mut self) -> Result<m::DeviceInfoResponse, ApiError> {
        self.send(m::DEVICE_INFO_REQUEST, &()).await?;
        let (_, body) = self.expect(m::DEVICE_INFO_RESPONSE, "device info").await?;
        decode("DeviceInfoResponse", &body).map_err(ApiError::Malformed)
    }

    /// Every entity's domain, object id, name and key.
    pub async fn list_entities(&mut self) -> Result<Vec<super::super::types::Entity>, ApiError> {
        self.send(m::LIST_ENTITIES_REQUEST, &()).await?;
        let mut out = Vec::new();
        loop {
            let (t, body) = self.next("for the entity list").await?;
            if t == m::LIST_ENTITIES_DONE {
                return Ok(out);
            }
            if let Some(domain) = m::entity_domain(t) {
                let h: m::EntityHeader = decode("entity", &body).map_err(ApiError::Malformed)?;
                out.push(super::super::types::Entity { domain: domain.into(), object_id: h.object_id, name: h.name, key: h.key });
            }
            if out.len() > 10_000 {
                return Err(ApiError::Malformed("more than 10000 entities".into()));
            }
        }
    }

    pub async fn subscribe_logs(&mut self, level: i32) -> Result<(), ApiError> {
        self.send(m::SUBSCRIBE_LOGS_REQUEST, &m::SubscribeLogsRequest { level, dump_config: false }).await
    }

    pub async fn ping(&mut self) -> Result<(), ApiError> {
        self.send(m::PING_REQUEST, &()).await
    }

    /// Say goodbye politely; errors do not matter any more.
    pub async fn disconnect(mut self) {
        if self.send(m::DISCONNECT_REQUEST, &()).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_millis(500), self.expect(m::DISCONNECT_RESPONSE, "goodbye")).await;
        }
    }
}
