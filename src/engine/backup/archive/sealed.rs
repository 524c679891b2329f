//! Chunked AES-256-GCM over a byte stream.
//!
//! The plaintext is cut into fixed-size chunks; chunk `i` is sealed with the
//! nonce `prefix ‖ i` (u64 BE) and associated data
//! `"homedeck-backup-v1" ‖ SHA-256(header) ‖ i ‖ final`. So:
//! - a chunk moved elsewhere (reordered, duplicated) fails: its index is in the nonce;
//! - a cut at a chunk boundary fails: the reader never sees a chunk sealed as final;
//! - bytes after the final chunk are refused;
//! - a changed header (say, another compression) fails every chunk.
//!
//! The key comes from Argon2id over a password or a vault secret with a
//! random per-archive salt, so no two archives share a key.

use super::bad;
use super::header::{Encryption, MAX_CHUNK};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::vault::crypto::{self, Key};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use std::io::{self, BufRead, Read, Write};

const AAD_TAG: &[u8] = b"homedeck-backup-v1";
/// Bytes the GCM tag adds to each chunk.
pub const TAG_LEN: usize = 16;

/// Derive an archive's key. Slow on purpose (Argon2id, 64 MiB).
pub fn derive_key(secret: &[u8], enc: &Encryption) -> EngineResult<Key> {
    let salt = unhex(&enc.salt).ok_or_else(|| EngineError::invalid("archive salt", &enc.salt, "hex"))?;
    crypto::derive_kek(secret, &salt, enc.kdf)
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

struct Sealer {
    key: LessSafeKey,
    prefix: [u8; 4],
    header_hash: [u8; 32],
}

impl Sealer {
    fn new(key: &Key, enc: &Encryption, header_json: &[u8]) -> io::Result<Sealer> {
        let prefix: [u8; 4] = unhex(&enc.nonce_prefix)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad(format!("archive nonce prefix {:?} is not 4 bytes of hex", enc.nonce_prefix)))?;
        let key = UnboundKey::new(&AES_256_GCM, key.as_ref()).map(LessSafeKey::new).map_err(|_| bad("invalid AES-256 key"))?;
        let mut header_hash = [0u8; 32];
        header_hash.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, header_json).as_ref());
        Ok(Sealer { key, prefix, header_hash })
    }

    fn nonce(&self, index: u64) -> Nonce {
        let mut n = [0u8; 12];
        n[..4].copy_from_slice(&self.prefix);
        n[4..].copy_from_slice(&index.to_be_bytes());
        Nonce::assume_unique_for_key(n)
    }

    fn aad(&self, index: u64, last: bool) -> Vec<u8> {
        let mut a = Vec::with_capacity(AAD_TAG.len() + 41);
        a.extend_from_slice(AAD_TAG);
        a.extend_from_slice(&self.header_hash);
        a.extend_from_slice(&index.to_be_bytes());
        a.push(u8::from(last));
        a
    }
}

/// Encrypts everything written to it; [`SealWriter::finish`] seals the final chunk.
pub struct SealWriter<W: Write> {
    inner: W,
    sealer: Sealer,
    buf: Vec<u8>,
    chunk: usize,
    index: u64,
}

impl<W: Write> SealWriter<W> {
    pub fn new(inner: W, key: &Key, enc: &Encryption, header_json: &[u8]) -> io::Result<Self> {
        let chunk = enc.chunk_size.clamp(1, MAX_CHUNK) as usize;
        Ok(SealWriter { inner, sealer: Sealer::new(key, enc, header_json)?, buf: Vec::with_capacity(chunk + TAG_LEN), chunk, index: 0 })
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        let aad = self.sealer.aad(self.index, last);
        self.sealer
            .key
            .seal_in_place_append_tag(self.sealer.nonce(self.index), Aad::from(aad), &mut self.buf)
            .map_err(|_| bad("encryption failed"))?;
        self.inner.write_all(&[u8::from(last)])?;
        self.inner.write_all(&(self.buf.len() as u32).to_be_bytes())?;
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Seal a whole chunk handed over by value in place, without copying it
    /// into a buffer of our own first (the writer thread's blocks are
    /// exactly one chunk, allocated with room for the tag).
    pub fn write_chunk(&mut self, mut block: Vec<u8>) -> io::Result<()> {
        if !self.buf.is_empty() || block.len() != self.chunk {
            return self.write_all(&block);
        }
        std::mem::swap(&mut self.buf, &mut block);
        self.emit(false)
    }

    /// Seal what is left as the final chunk (possibly empty) and hand back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = self.chunk - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == self.chunk {
            self.emit(false)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts and authenticates chunk by chunk; errors say which chunk and why.
pub struct OpenReader<R: Read> {
    inner: R,
    sealer: Sealer,
    chunk: usize,
    buf: Vec<u8>,
    pos: usize,
    index: u64,
    done: bool,
}

impl<R: Read> OpenReader<R> {
    pub fn new(inner: R, key: &Key, enc: &Encryption, header_json: &[u8]) -> io::Result<Self> {
        let chunk = enc.chunk_size.clamp(1, MAX_CHUNK) as usize;
        Ok(OpenReader { inner, sealer: Sealer::new(key, enc, header_json)?, chunk, buf: Vec::new(), pos: 0, index: 0, done: false })
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let i = self.index;
        let mut head = [0u8; 5];
        if let Err(e) = self.inner.read_exact(&mut head) {
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                bad(format!("the archive is truncated: it ends after chunk {i} without its authenticated end marker"))
            } else {
                e
            });
        }
        let last = match head[0] {
            0 => false,
            1 => true,
            f => return Err(bad(format!("chunk {i} has frame flag {f}, expected 0 or 1: the archive is damaged"))),
        };
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len < TAG_LEN || len > self.chunk + TAG_LEN {
            return Err(bad(format!("chunk {i} claims {len} bytes, expected {TAG_LEN}..={}: the archive is damaged", self.chunk + TAG_LEN)));
        }
        self.buf.resize(len, 0);
        self.inner.read_exact(&mut self.buf).map_err(|_| bad(format!("the archive is truncated inside chunk {i}")))?;
        let aad = self.sealer.aad(i, last);
        let plain_len = match self.sealer.key.open_in_place(self.sealer.nonce(i), Aad::from(aad), &mut self.buf) {
            Ok(p) => p.len(),
            Err(_) if i == 0 => {
                return Err(bad("cannot decrypt the archive: wrong password or key, or chunk 0 was altered"));
            }
            Err(_) => {
                return Err(bad(format!("chunk {i} failed authentication: the archive was altered, reordered or cut")));
            }
        };
        self.buf.truncate(plain_len);
        self.pos = 0;
        self.index += 1;
        if last {
            let mut extra = [0u8; 1];
            if self.inner.read(&mut extra)? != 0 {
                return Err(bad(format!("bytes follow the authenticated end marker (chunk {i}): the archive was altered")));
            }
            self.done = true;
        }
        Ok(())
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let plain = self.fill_buf()?;
            let n = out.len().min(plain.len());
            out[..n].copy_from_slice(&plain[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

/// The decompressor reads the decrypted chunk in place rather than through
/// a buffer of its own (one copy fewer of the whole archive).
impl<R: Read> BufRead for OpenReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.buf.len() && !self.done {
            self.next_chunk()?;
        }
        Ok(&self.buf[self.pos..])
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(chunk: u32) -> Encryption {
        Encryption {
            key: super::super::KeyRef::Password,
            kdf: crypto::KdfParams::DEFAULT,
            salt: "00".repeat(16),
            nonce_prefix: "01020304".into(),
            chunk_size: chunk,
        }
    }

    fn seal_all(data: &[u8], key: &Key, e: &Encryption) -> Vec<u8> {
        let mut w = SealWriter::new(Vec::new(), key, e, b"hdr").unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn open_all(body: &[u8], key: &Key, e: &Encryption, hdr: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        OpenReader::new(body, key, e, hdr)?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// Frame boundaries: (start, end) of each frame in a sealed body.
    fn frames(body: &[u8]) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        let mut p = 0;
        while p < body.len() {
            let len = u32::from_be_bytes(body[p + 1..p + 5].try_into().unwrap()) as usize;
            v.push((p, p + 5 + len));
            p += 5 + len;
        }
        v
    }

    #[test]
    fn round_trip_and_every_attack_is_named() {
        let key = crypto::new_key().unwrap();
        let e = enc(100);
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let body = seal_all(&data, &key, &e);
        assert_eq!(open_all(&body, &key, &e, b"hdr").unwrap(), data);
        let f = frames(&body);
        assert_eq!(f.len(), 11, "10 full chunks and an empty final one");

        let err = |b: &[u8], k: &Key, h: &[u8]| open_all(b, k, &e, h).unwrap_err().to_string();
        // Wrong key.
        assert!(err(&body, &crypto::new_key().unwrap(), b"hdr").contains("wrong password"));
        // Header changed.
        assert!(err(&body, &key, b"HDR").contains("wrong password"));
        // Truncated at a chunk boundary.
        assert!(err(&body[..f[5].1], &key, b"hdr").contains("truncated"));
        // Truncated inside a chunk.
        assert!(err(&body[..f[5].1 + 20], &key, b"hdr").contains("truncated inside chunk 6"));
        // Tampered byte.
        let mut t = body.clone();
        t[f[3].0 + 10] ^= 1;
        assert!(err(&t, &key, b"hdr").contains("chunk 3 failed authentication"));
        // Two chunks swapped.
        let mut r = Vec::new();
        for (i, (a, b)) in f.iter().enumerate() {
            let (a, b) = match i {
                2 => f[3],
                3 => f[2],
                _ => (*a, *b),
            };
            r.extend_from_slice(&body[a..b]);
        }
        assert!(err(&r, &key, b"hdr").contains("chunk 2 failed authentication"));
        // A non-final chunk relabelled final.
        let mut l = body[..f[4].1].to_vec();
        l[f[4].0] = 1;
        assert!(err(&l, &key, b"hdr").contains("chunk 4 failed authentication"));
        // Trailing bytes.
        let mut x = body.clone();
        x.push(0);
        assert!(err(&x, &key, b"hdr").contains("follow the authenticated end marker"));
        // Absurd length: refused before allocating.
        let mut big = body.clone();
        big[1..5].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(err(&big, &key, b"hdr").contains("claims"));
    }

    #[test]
    fn empty_stream_is_one_final_chunk() {
        let key = crypto::new_key().unwrap();
        let e = enc(64);
        let body = seal_all(b"", &key, &e);
        assert_eq!(body.len(), 5 + 16);
        assert!(open_all(&body, &key, &e, b"hdr").unwrap().is_empty());
        assert!(open_all(&[], &key, &e, b"hdr").unwrap_err().to_string().contains("truncated"));
    }
}
