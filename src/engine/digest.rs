//! SHA-256 and hex in one place.
//!
//! Several domains name content by its SHA-256 (backup manifests, firmware
//! images, watched-file snapshots, a multipart boundary). They used to reach
//! into each other for it (`lights` → `backup::archive`) or carry their own
//! copy; a neutral module lets each depend on the engine, not on a sibling,
//! and guarantees every hash is spelled the same way (lowercase hex).

use std::fmt::Write;

/// Bytes (a digest, a salt, a key) as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        // Writing into a String cannot fail.
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of a byte slice, as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

/// A SHA-256 being computed over a stream (ring, as the one-shot above, so
/// a streamed and a one-shot hash of the same bytes always agree).
#[derive(Clone)]
pub struct Sha256(ring::digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Sha256(ring::digest::Context::new(&ring::digest::SHA256))
    }
}

impl Sha256 {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The digest of everything so far, as lowercase hex.
    pub fn hex(self) -> String {
        hex(self.0.finish().as_ref())
    }

    /// The digest so far without ending the stream (a reader reports the
    /// file's hash while it may still be read).
    pub fn peek_hex(&self) -> String {
        self.clone().hex()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_and_streamed_agree_with_the_known_vector() {
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), want);
        let mut s = Sha256::default();
        s.update(b"a");
        s.update(b"bc");
        assert_eq!(s.peek_hex(), want);
        assert_eq!(s.hex(), want);
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex(&[]), "");
    }
}
