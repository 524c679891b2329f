//! The two frame formats of the ESPHome native API, as pure functions over
//! byte buffers so they can be fuzzed without a socket.
//!
//! Plaintext: `0x00`, varint payload length, varint message type, payload.
//! Noise: `0x01`, u16 BE body length, body. A claimed length is checked
//! against [`MAX_FRAME`] before anything is allocated for it.

use std::fmt;

/// ESPHome's clients cap one frame at this many bytes.
pub const MAX_FRAME: usize = 65_535;
/// Varints longer than this are refused (4 bytes = 28 bits, as the clients do).
const MAX_VARINT_BYTES: usize = 4;

/// What went wrong with bytes from the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// First byte `0x01` on a plaintext connection: the device wants Noise.
    EncryptionRequired,
    /// First byte `0x00` on a Noise connection: the device speaks plaintext.
    PlaintextDevice,
    Malformed(String),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::EncryptionRequired => f.write_str("the device requires encryption"),
            FrameError::PlaintextDevice => f.write_str("the device speaks plaintext"),
            FrameError::Malformed(d) => write!(f, "malformed frame: {d}"),
        }
    }
}

pub fn put_varint(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A varint at the start of `buf`: `Ok(None)` when more bytes are needed.
pub fn get_varint(buf: &[u8]) -> Result<Option<(u32, usize)>, FrameError> {
    let mut n: u32 = 0;
    for (i, &b) in buf.iter().enumerate() {
        if i >= MAX_VARINT_BYTES {
            return Err(FrameError::Malformed(format!("varint longer than {MAX_VARINT_BYTES} bytes")));
        }
        n |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((n, i + 1)));
        }
    }
    if buf.len() >= MAX_VARINT_BYTES {
        return Err(FrameError::Malformed(format!("varint longer than {MAX_VARINT_BYTES} bytes")));
    }
    Ok(None)
}

pub fn encode_plain(msg_type: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    out.push(0x00);
    put_varint(&mut out, payload.len() as u32);
    put_varint(&mut out, msg_type);
    out.extend_from_slice(payload);
    out
}

/// One plaintext message at the start of `buf`: its type, payload range and
/// total length; `Ok(None)` when the frame is not complete yet.
pub fn decode_plain(buf: &[u8]) -> Result<Option<(u32, std::ops::Range<usize>, usize)>, FrameError> {
    let Some(&first) = buf.first() else { return Ok(None) };
    match first {
        0x00 => {}
        0x01 => return Err(FrameError::EncryptionRequired),
        b => return Err(FrameError::Malformed(format!("indicator byte 0x{b:02x}, expected 0x00"))),
    }
    let Some((len, a)) = get_varint(&buf[1..])? else { return Ok(None) };
    let len = len as usize;
    if len > MAX_FRAME {
        return Err(FrameError::Malformed(format!("payload of {len} bytes claimed, at most {MAX_FRAME} allowed")));
    }
    let Some((msg_type, b)) = get_varint(&buf[1 + a..])? else { return Ok(None) };
    let start = 1 + a + b;
    if buf.len() < start + len {
        return Ok(None);
    }
    Ok(Some((msg_type, start..start + len, start + len)))
}

pub fn encode_noise(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    if body.len() > MAX_FRAME {
        return Err(FrameError::Malformed(format!("frame of {} bytes, at most {MAX_FRAME} allowed", body.len())));
    }
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(0x01);
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

/// One Noise frame at the start of `buf`: the body range and total length.
pub fn decode_noise(buf: &[u8]) -> Result<Option<(std::ops::Range<usize>, usize)>, FrameError> {
    let Some(&first) = buf.first() else { return Ok(None) };
    match first {
        0x01 => {}
        0x00 => return Err(FrameError::PlaintextDevice),
        b => return Err(FrameError::Malformed(format!("indicator byte 0x{b:02x}, expected 0x01"))),
    }
    if buf.len() < 3 {
        return Ok(None);
    }
    let len = usize::from(u16::from_be_bytes([buf[1], buf[2]]));
    if buf.len() < 3 + len {
        return Ok(None);
    }
    Ok(Some((3..3 + len, 3 + len)))
}

/// The plaintext inside a Noise data frame: `type u16 BE, len u16 BE, protobuf`.
pub fn split_noise_plain(plain: &[u8]) -> Result<(u32, &[u8]), FrameError> {
    if plain.len() < 4 {
        return Err(FrameError::Malformed(format!("decrypted message of {} bytes, at least 4 expected", plain.len())));
    }
    let msg_type = u32::from(u16::from_be_bytes([plain[0], plain[1]]));
    let len = usize::from(u16::from_be_bytes([plain[2], plain[3]]));
    let body = &plain[4..];
    if len != body.len() {
        return Err(FrameError::Malformed(format!("message claims {len} bytes but carries {}", body.len())));
    }
    Ok((msg_type, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_round_trip_and_partial() {
        let f = encode_plain(29, &[1, 2, 3]);
        assert_eq!(f, vec![0, 3, 29, 1, 2, 3]);
        let (t, r, used) = decode_plain(&f).unwrap().unwrap();
        assert_eq!((t, &f[r], used), (29, &[1u8, 2, 3][..], 6));
        for cut in 0..f.len() {
            assert_eq!(decode_plain(&f[..cut]).unwrap(), None, "cut at {cut}");
        }
        let big = encode_plain(300, &vec![7; 300]);
        assert_eq!(decode_plain(&big).unwrap().unwrap().0, 300);
    }

    #[test]
    fn hostile_lengths_are_refused_without_allocating() {
        // A 4-byte varint claiming ~268 MB.
        let e = decode_plain(&[0, 0xFF, 0xFF, 0xFF, 0x7F, 1]).unwrap_err();
        assert!(e.to_string().contains("at most 65535"), "{e}");
        let e = decode_plain(&[0, 0x80, 0x80, 0x80, 0x80, 0x01]).unwrap_err();
        assert!(e.to_string().contains("varint longer"), "{e}");
        assert_eq!(decode_plain(&[1, 0, 0]).unwrap_err(), FrameError::EncryptionRequired);
        assert!(decode_plain(&[7]).unwrap_err().to_string().contains("0x07"));
        assert_eq!(decode_noise(&[0, 1]).unwrap_err(), FrameError::PlaintextDevice);
        assert!(split_noise_plain(&[0, 1, 0]).is_err());
        assert!(split_noise_plain(&[0, 1, 0, 9, 1]).unwrap_err().to_string().contains("claims 9"));
    }

    /// Fuzz-ish: every byte string of a pseudo-random corpus decodes to a
    /// value or an error, never a panic, and never claims more than it holds.
    #[test]
    fn random_input_never_panics() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 12) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (x >> (i * 5)) as u8).collect();
            if let Ok(Some((_, r, used))) = decode_plain(&bytes) {
                assert!(r.end <= bytes.len() && used <= bytes.len());
            }
            if let Ok(Some((r, used))) = decode_noise(&bytes) {
                assert!(r.end <= bytes.len() && used <= bytes.len());
            }
            let _ = split_noise_plain(&bytes);
            let _ = get_varint(&bytes);
        }
    }
}
