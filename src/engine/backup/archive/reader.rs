//! Reading an archive back: the header, then a stream of tar bytes
//! (authenticated and decrypted when sealed, then decompressed). `verify`
//! re-reads everything and checks every hash against the manifest; the
//! read-back after a create digests the tar stream instead (see [`Depth`]).

use super::header::Header;
use super::manifest::{Manifest, Seen, SeenEntry};
use super::readahead::ReadAhead;
use super::sealed::OpenReader;
use super::writer::{Hashing, Job, Tally};
use super::{Compression, MANIFEST_PATH, Sha256, StreamDigest, bad};
use crate::engine::vault::crypto::Key;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// The archive's preamble, without reading further.
pub fn read_header(path: &Path) -> io::Result<Header> {
    let mut f = BufReader::new(File::open(path)?);
    Ok(Header::read_from(&mut f)?.0)
}

/// An opened archive: its header and the tar stream inside.
pub struct Opened {
    pub header: Header,
    pub tar: Box<dyn Read + Send>,
    tally: Arc<Mutex<Tally>>,
}

impl Opened {
    /// Bytes of the file read so far, their SHA-256 and their digest
    /// (complete once the stream has been read to its end).
    pub fn file_hash(&self) -> (u64, String, u128) {
        match self.tally.lock() {
            Ok(t) => (t.bytes, t.sha256.as_ref().map(Sha256::peek_hex).unwrap_or_default(), t.digest.value()),
            Err(_) => (0, String::new(), 0),
        }
    }
}

/// Open `path`; `key` is needed when the header says it is encrypted
/// (see [`read_header`] to learn that first).
pub fn open(path: &Path, key: Option<&Key>) -> io::Result<Opened> {
    let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display())))?;
    open_stream(file, key, true)
}

/// Open an archive from any byte stream (a file, or a file still being
/// written, see `tail`). With `read_ahead`, authentication, decryption and
/// decompression run on a thread of their own (see `readahead`) — worth it
/// when the consumer has work of its own (hashing, writing files); the
/// read-back after a create has little, and saves that thread's copy.
pub fn open_stream(file: impl Read + Send + 'static, key: Option<&Key>, read_ahead: bool) -> io::Result<Opened> {
    let tally = Arc::new(Mutex::new(Tally::with_sha256()));
    let mut src = BufReader::with_capacity(256 * 1024, Hashing { inner: file, tally: tally.clone() });
    let (header, json) = Header::read_from(&mut src)?;
    let body: Box<dyn BufRead + Send> = match (&header.encryption, key) {
        (None, _) => Box::new(src),
        (Some(enc), Some(key)) => Box::new(OpenReader::new(src, key, enc, &json)?),
        (Some(enc), None) => return Err(bad(format!("the archive is encrypted (key: {}); give its password or key", enc.key))),
    };
    let tar: Box<dyn Read + Send> = match header.compression {
        Compression::Zstd => Box::new(zstd::Decoder::with_buffer(body)?),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(body)),
    };
    let tar = if read_ahead { Box::new(ReadAhead::spawn(tar)?) } else { tar };
    Ok(Opened { header, tar, tally })
}

/// How a full read checks the content of the entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Depth {
    /// Hash every entry with SHA-256 and compare it with the manifest:
    /// `backup verify` and restores, which know nothing but the archive.
    EveryEntry,
    /// Only digest the whole tar stream (taken at every depth), for the
    /// caller to compare with the writer's: the read-back after a create.
    /// Equal digests mean every byte the writer hashed came back, so each
    /// entry's SHA-256 would match the manifest too; entry paths, kinds and
    /// sizes are still checked against the manifest.
    Stream,
}

/// What a full read found.
pub struct Verified {
    pub header: Header,
    pub manifest: Manifest,
    pub size: u64,
    pub sha256: String,
    /// Digest of the file's bytes.
    pub file_digest: u128,
    /// Digest of the decompressed tar stream: a later pass over the same
    /// archive (a restore's extraction) compares with it.
    pub tar_digest: u128,
}

/// Read every entry, hash it, and check it against the manifest; then
/// check the file's own SHA-256 if `expect_sha256` is given.
pub fn verify(path: &Path, key: Option<&Key>, expect_sha256: Option<&str>, job: &Job) -> io::Result<Verified> {
    verify_opened(open(path, key)?, expect_sha256, job, Depth::EveryEntry)
}

/// Passes a stream through, digesting it.
pub(super) struct Digesting<R> {
    pub inner: R,
    pub digest: StreamDigest,
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.digest.update(&out[..n]);
        Ok(n)
    }
}

/// [`verify`] over an archive already opened (from a file being written, say).
pub fn verify_opened(mut opened: Opened, expect_sha256: Option<&str>, job: &Job, depth: Depth) -> io::Result<Verified> {
    let mut seen = Seen::default();
    let mut manifest: Option<Manifest> = None;
    let every = depth == Depth::EveryEntry;
    let mut stream = Digesting { inner: &mut opened.tar, digest: StreamDigest::default() };
    {
        // One buffer for every entry (24 000 small files must not mean 24 000 allocations).
        let mut buf = vec![0u8; 128 * 1024];
        let mut ar = tar::Archive::new(&mut stream);
        for entry in ar.entries()? {
            job.check()?;
            let mut entry = entry?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).trim_end_matches('/').to_string();
            // A hostile archive is refused here already, naming the entry,
            // before any preview looks at paths on disk.
            let refused = |r: super::safety::Refused| bad(r.to_string());
            super::safety::entry_type(&name, entry.header().entry_type()).map_err(refused)?;
            super::safety::entry_path(&entry.path_bytes()).map_err(refused)?;
            if manifest.is_some() {
                return Err(bad(format!("entry {name:?} follows the manifest: the archive was altered")));
            }
            if name == MANIFEST_PATH {
                manifest = Some(Manifest::read_from(&mut entry)?);
                continue;
            }
            let mode = super::manifest::header_mode(entry.header(), &name)?;
            if entry.header().entry_type().is_file() {
                let mut h = Sha256::default();
                let mut n = 0u64;
                loop {
                    let k = entry.read(&mut buf)?;
                    if k == 0 {
                        break;
                    }
                    if every {
                        h.update(&buf[..k]);
                    }
                    n += k as u64;
                    job.done_bytes.fetch_add(k as u64, Ordering::Relaxed);
                }
                seen.add(name, SeenEntry { size: n, sha256: every.then(|| h.hex()), mode });
            } else {
                seen.add(name, SeenEntry { size: 0, sha256: None, mode });
            }
        }
    }
    // Drain what follows the tar end (padding, the compressor's tail, the
    // end marker) so truncation there is caught too and the file hash is whole.
    io::copy(&mut stream, &mut io::sink())?;
    let tar_digest = stream.digest.value();
    let manifest = manifest.ok_or_else(|| bad("the archive has no manifest: it was cut short or altered"))?;
    manifest.check_header(&opened.header)?;
    seen.check(&manifest)?;
    let (size, sha256, file_digest) = opened.file_hash();
    if let Some(want) = expect_sha256
        && want != sha256
    {
        return Err(bad(format!("the archive's SHA-256 is {sha256}, the catalog recorded {want}: the file changed")));
    }
    Ok(Verified { header: opened.header, manifest, size, sha256, file_digest, tar_digest })
}
