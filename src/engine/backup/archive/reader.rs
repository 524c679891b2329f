//! Reading an archive back: the header, then a stream of tar bytes
//! (authenticated and decrypted when sealed, then decompressed). `verify`
//! re-reads everything and checks every hash against the manifest.

use super::header::Header;
use super::manifest::{EntryKind, Manifest};
use super::readahead::ReadAhead;
use super::sealed::OpenReader;
use super::writer::{Hashing, Job, Tally};
use super::{Compression, MANIFEST_PATH, Sha256, bad};
use crate::engine::vault::crypto::Key;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// The manifest is small; one larger than this is refused.
pub const MAX_MANIFEST: u64 = 256 << 20;

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
    /// Bytes of the file read so far and their SHA-256 (complete once the
    /// stream has been read to its end).
    pub fn file_hash(&self) -> (u64, String) {
        match self.tally.lock() {
            Ok(t) => (t.bytes, t.hash.clone_hex()),
            Err(_) => (0, String::new()),
        }
    }
}

impl Sha256 {
    fn clone_hex(&self) -> String {
        super::hex(self.0.clone().finish().as_ref())
    }
}

/// Open `path`; `key` is needed when the header says it is encrypted
/// (see [`read_header`] to learn that first).
pub fn open(path: &Path, key: Option<&Key>) -> io::Result<Opened> {
    let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display())))?;
    open_stream(file, key)
}

/// Open an archive from any byte stream (a file, or a file still being
/// written, see `tail`). Authentication, decryption and decompression run
/// on a read-ahead thread; the returned `tar` stream is what they produce.
pub fn open_stream(file: impl Read + Send + 'static, key: Option<&Key>) -> io::Result<Opened> {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut src = BufReader::with_capacity(256 * 1024, Hashing { inner: file, tally: tally.clone() });
    let (header, json) = Header::read_from(&mut src)?;
    let body: Box<dyn Read + Send> = match (&header.encryption, key) {
        (None, _) => Box::new(src),
        (Some(enc), Some(key)) => Box::new(OpenReader::new(src, key, enc, &json)?),
        (Some(enc), None) => return Err(bad(format!("the archive is encrypted (key: {}); give its password or key", enc.key))),
    };
    let tar: Box<dyn Read + Send> = match header.compression {
        Compression::Zstd => Box::new(zstd::Decoder::new(body)?),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(body)),
    };
    Ok(Opened { header, tar: Box::new(ReadAhead::spawn(tar)?), tally })
}

/// What a full read found.
pub struct Verified {
    pub header: Header,
    pub manifest: Manifest,
    pub size: u64,
    pub sha256: String,
}

/// Read every entry, hash it, and check it against the manifest; then
/// check the file's own SHA-256 if `expect_sha256` is given.
pub fn verify(path: &Path, key: Option<&Key>, expect_sha256: Option<&str>, job: &Job) -> io::Result<Verified> {
    verify_opened(open(path, key)?, expect_sha256, job)
}

/// [`verify`] over an archive already opened (from a file being written, say).
pub fn verify_opened(mut opened: Opened, expect_sha256: Option<&str>, job: &Job) -> io::Result<Verified> {
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();
    let mut manifest: Option<Manifest> = None;
    {
        // One buffer for every entry (24 000 small files must not mean 24 000 allocations).
        let mut buf = vec![0u8; 128 * 1024];
        let mut ar = tar::Archive::new(&mut opened.tar);
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
                let mut json = Vec::new();
                (&mut entry).take(MAX_MANIFEST).read_to_end(&mut json)?;
                manifest = Some(serde_json::from_slice(&json).map_err(|e| bad(format!("the manifest is not valid: {e}")))?);
                continue;
            }
            if entry.header().entry_type().is_file() {
                let mut h = Sha256::default();
                let mut n = 0u64;
                loop {
                    let k = entry.read(&mut buf)?;
                    if k == 0 {
                        break;
                    }
                    h.update(&buf[..k]);
                    n += k as u64;
                    job.done_bytes.fetch_add(k as u64, Ordering::Relaxed);
                }
                seen.insert(name, (n, h.hex()));
            } else {
                seen.insert(name, (0, String::new()));
            }
        }
    }
    // Drain what follows the tar end (padding, the compressor's tail, the
    // end marker) so truncation there is caught too and the file hash is whole.
    io::copy(&mut opened.tar, &mut io::sink())?;
    let manifest = manifest.ok_or_else(|| bad("the archive has no manifest: it was cut short or altered"))?;
    for e in &manifest.entries {
        match seen.remove(&e.path) {
            None => return Err(bad(format!("{} is in the manifest but not in the archive", e.path))),
            Some((size, sha)) if e.kind == EntryKind::File && (size != e.size || sha != e.sha256) => {
                return Err(bad(format!("{}: content does not match the manifest (size {size} vs {}, SHA-256 {sha} vs {})", e.path, e.size, e.sha256)));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(bad(format!("{extra} is in the archive but not in the manifest")));
    }
    let (size, sha256) = opened.file_hash();
    if let Some(want) = expect_sha256
        && want != sha256
    {
        return Err(bad(format!("the archive's SHA-256 is {sha256}, the catalog recorded {want}: the file changed")));
    }
    Ok(Verified { header: opened.header, manifest, size, sha256 })
}
