//! The Noise side of the native API: `Noise_NNpsk0_25519_ChaChaPoly_SHA256`
//! with the `NoiseAPIInit` prologue, ESPHome's hello exchange around it, and
//! the data-frame cipher afterwards. Pure over byte slices (the socket is the
//! caller's), so the handshake can be tested against a snow responder.

use super::frame::{FrameError, encode_noise, split_noise_plain};
use base64::Engine as _;
use snow::{HandshakeState, TransportState};

const PATTERN: &str = "Noise_NNpsk0_25519_ChaChaPoly_SHA256";
/// The client hello body is empty, so the prologue is the label plus a zero length.
pub const PROLOGUE: &[u8] = b"NoiseAPIInit\x00\x00";
/// ESPHome keeps handshake frames small; anything bigger is not a handshake.
const MAX_HANDSHAKE_FRAME: usize = 128;

/// Why a Noise session could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {
    /// The key is not base64 of exactly 32 bytes (the value is never quoted).
    BadKey(String),
    /// The device said "Handshake MAC failure": the key does not match.
    WrongKey,
    /// The device rejected the handshake for another reason it named.
    Rejected(String),
    Frame(FrameError),
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandshakeError::BadKey(why) => write!(f, "the encryption key is not valid: {why}"),
            HandshakeError::WrongKey => f.write_str(
                "wrong encryption key: the device answered \"Handshake MAC failure\" (the key secret does not match the device's api: encryption: key)",
            ),
            HandshakeError::Rejected(r) => write!(f, "the device rejected the encrypted handshake: {r:?}"),
            HandshakeError::Frame(e) => e.fmt(f),
        }
    }
}

/// Name and MAC the device announced in its server hello.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerHello {
    pub name: String,
    pub mac: Option<String>,
}

pub fn decode_psk(key_b64: &str) -> Result<[u8; 32], HandshakeError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key_b64.trim())
        .map_err(|_| HandshakeError::BadKey("expected base64 (as in the device's YAML)".into()))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| HandshakeError::BadKey(format!("it decodes to {} bytes, expected exactly 32", bytes.len())))
}

/// The client's half of the handshake, before the device has answered.
pub struct NoiseClient {
    hs: HandshakeState,
}

impl NoiseClient {
    pub fn new(key_b64: &str) -> Result<NoiseClient, HandshakeError> {
        let psk = decode_psk(key_b64)?;
        let params = PATTERN.parse().map_err(|e| HandshakeError::BadKey(format!("noise setup: {e}")))?;
        let hs = snow::Builder::new(params)
            .psk(0, &psk)
            .and_then(|b| b.prologue(PROLOGUE))
            .and_then(|b| b.build_initiator())
            .map_err(|e| HandshakeError::BadKey(format!("noise setup: {e}")))?;
        Ok(NoiseClient { hs })
    }

    /// The bytes to send first: the empty client hello, then `0x00` + noise message 1.
    pub fn opening(&mut self) -> Result<Vec<u8>, HandshakeError> {
        let mut msg = [0u8; 128];
        let n = self.hs.write_message(&[], &mut msg).map_err(|e| HandshakeError::Rejected(format!("noise: {e}")))?;
        let mut out = encode_noise(&[]).map_err(HandshakeError::Frame)?;
        let mut body = Vec::with_capacity(n + 1);
        body.push(0x00);
        body.extend_from_slice(&msg[..n]);
        out.extend(encode_noise(&body).map_err(HandshakeError::Frame)?);
        Ok(out)
    }

    /// The device's answer to the handshake: `0x00` + noise message 2, or
    /// `0x01` + a reason.
    pub fn finish(mut self, body: &[u8]) -> Result<NoiseTransport, HandshakeError> {
        check_size(body)?;
        match body.split_first() {
            Some((0x00, msg)) => {
                let mut out = [0u8; 128];
                self.hs.read_message(msg, &mut out).map_err(|_| HandshakeError::WrongKey)?;
                let ts = self.hs.into_transport_mode().map_err(|e| HandshakeError::Rejected(format!("noise: {e}")))?;
                Ok(NoiseTransport { ts, buf: vec![0u8; super::frame::MAX_FRAME] })
            }
            Some((0x01, reason)) => {
                let reason = String::from_utf8_lossy(reason).to_string();
                if reason == "Handshake MAC failure" {
                    Err(HandshakeError::WrongKey)
                } else {
                    Err(HandshakeError::Rejected(printable(&reason)))
                }
            }
            Some((b, _)) => Err(HandshakeError::Frame(FrameError::Malformed(format!(
                "handshake answer starts with 0x{b:02x}, expected 0x00 or 0x01"
            )))),
            None => Err(HandshakeError::Frame(FrameError::Malformed("empty handshake answer".into()))),
        }
    }
}

fn check_size(body: &[u8]) -> Result<(), HandshakeError> {
    if body.len() > MAX_HANDSHAKE_FRAME {
        return Err(HandshakeError::Frame(FrameError::Malformed(format!(
            "handshake frame of {} bytes, at most {MAX_HANDSHAKE_FRAME} expected",
            body.len()
        ))));
    }
    Ok(())
}

/// Text from a device, made safe to show: control characters dropped, capped.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// The server hello: `0x01` (chosen protocol), name, NUL, MAC, NUL.
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, HandshakeError> {
    check_size(body)?;
    match body.first() {
        Some(0x01) => {}
        Some(p) => return Err(HandshakeError::Rejected(format!("device chose unknown protocol 0x{p:02x}"))),
        None => return Err(HandshakeError::Frame(FrameError::Malformed("empty server hello".into()))),
    }
    let mut parts = body[1..].split(|b| *b == 0);
    let name = parts.next().map(|n| printable(&String::from_utf8_lossy(n))).unwrap_or_default();
    let mac = parts.next().filter(|m| !m.is_empty()).map(|m| printable(&String::from_utf8_lossy(m)));
    Ok(ServerHello { name, mac })
}

/// An established session: seals and opens data frames.
pub struct NoiseTransport {
    ts: TransportState,
    buf: Vec<u8>,
}

impl NoiseTransport {
    /// A whole frame (`01 len ciphertext`) carrying one message.
    pub fn seal(&mut self, msg_type: u32, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
        if payload.len() + 4 + 16 > super::frame::MAX_FRAME {
            return Err(FrameError::Malformed(format!("message of {} bytes is too big to send", payload.len())));
        }
        let mut plain = Vec::with_capacity(payload.len() + 4);
        plain.extend_from_slice(&(msg_type as u16).to_be_bytes());
        plain.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        plain.extend_from_slice(payload);
        let n = self
            .ts
            .write_message(&plain, &mut self.buf)
            .map_err(|e| FrameError::Malformed(format!("cannot encrypt: {e}")))?;
        encode_noise(&self.buf[..n])
    }

    /// Decrypt one frame body into its message type and payload.
    pub fn open(&mut self, body: &[u8]) -> Result<(u32, Vec<u8>), FrameError> {
        let n = self.ts.read_message(body, &mut self.buf).map_err(|_| {
            FrameError::Malformed("a data frame failed authentication (corrupted or not from this session)".into())
        })?;
        let (t, payload) = split_noise_plain(&self.buf[..n])?;
        Ok((t, payload.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    fn responder(key: &str) -> HandshakeState {
        let psk = decode_psk(key).unwrap();
        snow::Builder::new(PATTERN.parse().unwrap())
            .psk(0, &psk)
            .unwrap()
            .prologue(PROLOGUE)
            .unwrap()
            .build_responder()
            .unwrap()
    }

    #[test]
    fn handshake_and_data_with_a_snow_responder() {
        let mut c = NoiseClient::new(KEY).unwrap();
        let open = c.opening().unwrap();
        assert_eq!(&open[..3], &[1, 0, 0]);
        assert_eq!(&open[3..6], &[1, 0, 0x31], "48-byte message + indicator");
        let mut r = responder(KEY);
        let mut buf = [0u8; 256];
        r.read_message(&open[7..], &mut buf).unwrap();
        let n = r.write_message(&[], &mut buf).unwrap();
        let mut answer = vec![0];
        answer.extend_from_slice(&buf[..n]);
        let mut t = c.finish(&answer).unwrap();
        let mut rt = r.into_transport_mode().unwrap();
        let frame = t.seal(7, &[]).unwrap();
        let m = rt.read_message(&frame[3..], &mut buf).unwrap();
        assert_eq!(&buf[..m], &[0, 7, 0, 0]);
        let n = rt.write_message(&[0, 29, 0, 2, 8, 3], &mut buf).unwrap();
        assert_eq!(t.open(&buf[..n]).unwrap(), (29, vec![8, 3]));
        assert!(t.open(&buf[..n]).is_err(), "a replayed frame must not decrypt");
    }

    #[test]
    fn wrong_key_and_rejections_are_named() {
        let c = NoiseClient::new(KEY).unwrap();
        assert_eq!(c.finish(b"\x01Handshake MAC failure").err(), Some(HandshakeError::WrongKey));
        let c = NoiseClient::new(KEY).unwrap();
        let e = c.finish(b"\x01Bad indicator\x07byte").err().unwrap();
        assert!(e.to_string().contains("Bad indicatorbyte"), "{e}");
        let c = NoiseClient::new(KEY).unwrap();
        assert!(matches!(c.finish(&[0x00; 40]).err(), Some(HandshakeError::WrongKey)));
        assert!(matches!(NoiseClient::new("short").err(), Some(HandshakeError::BadKey(_))));
        let e = NoiseClient::new("AAAA").err().unwrap().to_string();
        assert!(e.contains("3 bytes") && !e.contains("AAAA"), "{e}");
    }

    #[test]
    fn server_hello_name_and_mac() {
        let h = parse_server_hello(b"\x01kitchen\x00AC:BC:32:89:0E:A9\x00").unwrap();
        assert_eq!(h.name, "kitchen");
        assert_eq!(h.mac.as_deref(), Some("AC:BC:32:89:0E:A9"));
        assert_eq!(parse_server_hello(b"\x01old").unwrap().mac, None);
        assert!(parse_server_hello(b"\x02x").is_err());
        assert!(parse_server_hello(&[1; 200]).is_err());
    }

    #[test]
    fn random_handshake_answers_never_panic() {
        let mut x: u64 = 88172645463325252;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 140) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (x.rotate_left(i as u32)) as u8).collect();
            let c = NoiseClient::new(KEY).unwrap();
            let _ = c.finish(&bytes);
            let _ = parse_server_hello(&bytes);
        }
    }
}
