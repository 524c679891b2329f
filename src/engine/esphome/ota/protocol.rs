//! espota2 as a pure state machine (the atuin-ai habit): bytes from the
//! device go in, effects come out (send these bytes, read n bytes, report
//! progress, finished). No socket, no clock, so every branch — every device
//! error code, a bad nonce, a short answer — is a unit test.

use md5::Md5;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const MAGIC: [u8; 5] = [0x6C, 0x26, 0xF7, 0x5C, 0x45];
pub const CHUNK: usize = 8192;
const FEATURE_COMPRESSION: u8 = 0x01;
const FEATURE_SHA256: u8 = 0x02;
const FEATURE_EXTENDED: u8 = 0x04;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Vec<u8>),
    /// Read exactly this many bytes and feed them back.
    Read(usize),
    Progress { sent: u64, total: u64 },
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtaError {
    /// The device answered with one of espota2's error codes.
    Device { code: u8 },
    Unexpected { phase: &'static str, got: u8 },
    UnsupportedVersion(u8),
    PasswordRequired,
    BadNonce,
    /// Feeding bytes the machine did not ask for (a driver bug, not the device's).
    OutOfTurn,
}

/// What each espota2 error code means, for a person.
pub fn device_error(code: u8) -> Option<&'static str> {
    Some(match code {
        0x80 => "invalid magic bytes (is this really the device's OTA port?)",
        0x81 => "the device could not prepare its flash for the update (image too big? restart the device and retry)",
        0x82 => "authentication failed: the OTA password is wrong",
        0x83 => "writing to flash failed on the device",
        0x84 => "the device could not finish the update",
        0x85 => "the device needs a manual reset before its first OTA after a USB flash",
        0x86 => "the device runs with a wrong flash size configuration (wrong board?)",
        0x87 => "the device does not have the flash size the image asks for (wrong board?)",
        0x88 => "not enough space on the ESP8266 for this image",
        0x89 => "the ESP32 OTA partition is too small for this image",
        0x8A => "the device has no OTA partition (flash it over USB once)",
        0x8B => "MD5 mismatch: the image arrived corrupted",
        0x8C => "not enough space on the RP2040 for this image",
        0x8D => "firmware signature verification failed",
        0x8E => "the device does not support this OTA type",
        0x8F => "the partition table update could not be verified",
        0x90 => "updating the partition table failed",
        0x91 => "the bootloader update could not be verified",
        0x92 => "updating the bootloader failed",
        0xFF => "unknown error on the device",
        _ => return None,
    })
}

impl std::fmt::Display for OtaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OtaError::Device { code } => {
                write!(f, "device error 0x{code:02X}: {}", device_error(*code).unwrap_or("unknown error code"))
            }
            OtaError::Unexpected { phase, got } => {
                write!(f, "unexpected answer 0x{got:02X} from the device {phase}")
            }
            OtaError::UnsupportedVersion(v) => write!(f, "the device speaks OTA protocol version {v}; homedeck speaks 1 and 2"),
            OtaError::PasswordRequired => {
                f.write_str("the device asks for an OTA password but none is set (ota_password_secret)")
            }
            OtaError::BadNonce => f.write_str("the device sent an authentication nonce that is not hex"),
            OtaError::OutOfTurn => f.write_str("internal error: OTA state machine fed out of turn"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Md5,
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Version,
    Features,
    FeatureFlags,
    Auth,
    Nonce(Auth),
    AuthResult,
    Prepare,
    Md5Ok,
    ChunkAck,
    Received,
    End,
    Done,
}

pub struct Session {
    state: State,
    raw: Arc<Vec<u8>>,
    gz: Option<Arc<Vec<u8>>>,
    upload: Arc<Vec<u8>>,
    password: Option<String>,
    /// Random hex from the driver (its length is cut to the nonce's).
    cnonce: String,
    version: u8,
    extended: bool,
    pub compressed: bool,
    offset: usize,
}

impl Session {
    /// `gz` is the gzip-9 image, used only if the device offers compression.
    pub fn new(raw: Arc<Vec<u8>>, gz: Option<Arc<Vec<u8>>>, password: Option<String>, cnonce: String) -> Session {
        Session {
            state: State::Start,
            upload: raw.clone(),
            raw,
            gz,
            password,
            cnonce,
            version: 0,
            extended: false,
            compressed: false,
            offset: 0,
        }
    }

    pub fn done(&self) -> bool {
        self.state == State::Done
    }

    pub fn sent(&self) -> u64 {
        self.offset as u64
    }

    pub fn total(&self) -> u64 {
        self.upload.len() as u64
    }

    pub fn uploading(&self) -> bool {
        matches!(self.state, State::ChunkAck | State::Received) && self.offset > 0
    }

    pub fn start(&mut self) -> Vec<Effect> {
        self.state = State::Version;
        vec![Effect::Send(MAGIC.to_vec()), Effect::Read(2)]
    }

    /// The bytes the last `Read` asked for.
    pub fn feed(&mut self, b: &[u8]) -> Result<Vec<Effect>, OtaError> {
        let first = *b.first().ok_or(OtaError::OutOfTurn)?;
        // Nonces and feature flags are data; everything else may be an error code.
        if !matches!(self.state, State::Nonce(_) | State::FeatureFlags) && device_error(first).is_some() {
            return Err(OtaError::Device { code: first });
        }
        let expect = |phase: &'static str, want: u8| {
            if first == want { Ok(()) } else { Err(OtaError::Unexpected { phase, got: first }) }
        };
        match self.state {
            State::Version => {
                expect("at the start (version)", 0x00)?;
                let v = *b.get(1).ok_or(OtaError::OutOfTurn)?;
                if !(1..=2).contains(&v) {
                    return Err(OtaError::UnsupportedVersion(v));
                }
                self.version = v;
                self.state = State::Features;
                Ok(vec![Effect::Send(vec![FEATURE_COMPRESSION | FEATURE_SHA256 | FEATURE_EXTENDED]), Effect::Read(1)])
            }
            State::Features => match first {
                0x48 => {
                    self.extended = true;
                    self.state = State::FeatureFlags;
                    Ok(vec![Effect::Read(1)])
                }
                0x46 | 0x40 => {
                    self.choose_upload(first == 0x46);
                    self.state = State::Auth;
                    Ok(vec![Effect::Read(1)])
                }
                got => Err(OtaError::Unexpected { phase: "negotiating features", got }),
            },
            State::FeatureFlags => {
                self.choose_upload(first & 0x01 != 0);
                self.state = State::Auth;
                Ok(vec![Effect::Read(1)])
            }
            State::Auth => match first {
                0x41 => Ok(self.after_auth()),
                0x01 | 0x02 => {
                    if self.password.as_deref().is_none_or(str::is_empty) {
                        return Err(OtaError::PasswordRequired);
                    }
                    let (auth, len) = if first == 0x02 { (Auth::Sha256, 64) } else { (Auth::Md5, 32) };
                    self.state = State::Nonce(auth);
                    Ok(vec![Effect::Read(len)])
                }
                got => Err(OtaError::Unexpected { phase: "asking for authentication", got }),
            },
            State::Nonce(auth) => {
                if !b.iter().all(u8::is_ascii_hexdigit) {
                    return Err(OtaError::BadNonce);
                }
                let cnonce: String = self.cnonce.chars().cycle().take(b.len()).collect();
                let pw = self.password.clone().unwrap_or_default();
                let result = match auth {
                    Auth::Sha256 => hash::<Sha256>(&[pw.as_bytes(), b, cnonce.as_bytes()]),
                    Auth::Md5 => hash::<Md5>(&[pw.as_bytes(), b, cnonce.as_bytes()]),
                };
                self.state = State::AuthResult;
                let mut out = cnonce.into_bytes();
                out.extend_from_slice(result.as_bytes());
                Ok(vec![Effect::Send(out), Effect::Read(1)])
            }
            State::AuthResult => {
                expect("after authentication", 0x41)?;
                Ok(self.after_auth())
            }
            State::Prepare => {
                expect("preparing the update", 0x42)?;
                self.state = State::Md5Ok;
                Ok(vec![Effect::Send(hash::<Md5>(&[&self.upload]).into_bytes()), Effect::Read(1)])
            }
            State::Md5Ok => {
                expect("checking the image MD5", 0x43)?;
                Ok(self.next_chunks())
            }
            State::ChunkAck => {
                expect("acknowledging a chunk", 0x47)?;
                Ok(self.next_chunks())
            }
            State::Received => {
                expect("after the upload (received)", 0x44)?;
                self.state = State::End;
                Ok(vec![Effect::Read(1)])
            }
            State::End => {
                expect("finishing the update", 0x45)?;
                self.state = State::Done;
                Ok(vec![Effect::Send(vec![0x00]), Effect::Finished])
            }
            State::Start | State::Done => Err(OtaError::OutOfTurn),
        }
    }

    fn choose_upload(&mut self, device_compresses: bool) {
        if let (true, Some(gz)) = (device_compresses, &self.gz) {
            self.upload = gz.clone();
            self.compressed = true;
        } else {
            self.upload = self.raw.clone();
        }
    }

    fn after_auth(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.extended {
            out.push(Effect::Send(vec![0x00])); // OTA type: application
        }
        out.push(Effect::Send((self.upload.len() as u32).to_be_bytes().to_vec()));
        out.push(Effect::Read(1));
        self.state = State::Prepare;
        out
    }

    /// v2: one chunk, then wait for its ack. v1: every chunk at once.
    fn next_chunks(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        let total = self.upload.len();
        loop {
            if self.offset >= total {
                self.state = State::Received;
                out.push(Effect::Read(1));
                return out;
            }
            let end = (self.offset + CHUNK).min(total);
            out.push(Effect::Send(self.upload[self.offset..end].to_vec()));
            self.offset = end;
            out.push(Effect::Progress { sent: end as u64, total: total as u64 });
            if self.version >= 2 {
                self.state = State::ChunkAck;
                out.push(Effect::Read(1));
                return out;
            }
        }
    }
}

fn hash<D: Digest>(parts: &[&[u8]]) -> String {
    let mut h = D::new();
    for p in parts {
        h.update(p);
    }
    crate::engine::digest::hex(&h.finalize())
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
