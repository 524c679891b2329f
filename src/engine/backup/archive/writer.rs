//! Writing an archive in one streaming pass:
//! file ← SHA-256 + byte count ← [chunked AES-GCM] ← zstd | gzip ← tar ← entries.
//!
//! Each entry is hashed as tar reads it; the manifest goes in last. Memory
//! stays bounded by the compressor's window and one encryption chunk.

use super::header::Header;
use super::manifest::{EntryKind, Manifest, ManifestEntry};
use super::header::CHUNK_SIZE;
use super::sealed::SealWriter;
use super::sink::{ChunkTx, Sink};
use super::tail::{Marked, Watermark};
use super::{Compression, MANIFEST_PATH, Sha256, bad};
use crate::engine::vault::crypto::Key;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use super::sink::{Hashing, Tally};

enum Compressor {
    Zstd(zstd::Encoder<'static, ChunkTx>),
    Gzip(flate2::write::GzEncoder<ChunkTx>),
}

impl Write for Compressor {
    fn write(&mut self, d: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Zstd(w) => w.write(d),
            Compressor::Gzip(w) => w.write(d),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Zstd(w) => w.flush(),
            Compressor::Gzip(w) => w.flush(),
        }
    }
}

/// Progress and cancellation shared with whoever started the job.
#[derive(Clone, Default)]
pub struct Job {
    pub done_bytes: Arc<std::sync::atomic::AtomicU64>,
    pub cancel: Arc<AtomicBool>,
}

impl Job {
    pub fn check(&self) -> io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        Ok(())
    }
}

/// Reads exactly `size` bytes: a file that shrank is padded with zeros, one
/// that grew is cut, so the tar header stays true. Reads the file in large
/// pieces into `buf` (tar pulls 8 KiB at a time) and hashes each piece.
struct EntryReader<'a, R> {
    inner: R,
    left: u64,
    hash: &'a mut Sha256,
    short: bool,
    job: &'a Job,
    buf: &'a mut [u8],
    lo: usize,
    hi: usize,
}

impl<R: Read> Read for EntryReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.lo == self.hi {
            if self.left == 0 {
                return Ok(0);
            }
            self.job.check()?;
            let want = self.buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
            let mut n = if self.short { 0 } else { self.inner.read(&mut self.buf[..want])? };
            if n == 0 {
                self.short = true;
                self.buf[..want].fill(0);
                n = want;
            }
            self.hash.update(&self.buf[..n]);
            self.left -= n as u64;
            self.job.done_bytes.fetch_add(n as u64, Ordering::Relaxed);
            (self.lo, self.hi) = (0, n);
        }
        let k = out.len().min(self.hi - self.lo);
        out[..k].copy_from_slice(&self.buf[self.lo..self.lo + k]);
        self.lo += k;
        Ok(k)
    }
}

pub struct ArchiveWriter {
    tar: tar::Builder<Compressor>,
    read_buf: Vec<u8>,
    tally: Arc<Mutex<Tally>>,
    pub manifest: Manifest,
    job: Job,
}

/// What was written: the manifest, and the archive's size and SHA-256.
pub struct Written {
    pub manifest: Manifest,
    pub size: u64,
    pub sha256: String,
}

impl ArchiveWriter {
    /// Start an archive in `file`. `key` must be given exactly when the
    /// header says the archive is encrypted.
    pub fn create(file: File, header: &Header, key: Option<&Key>, job: Job) -> io::Result<Self> {
        Self::create_marked(file, header, key, job, Arc::new(Watermark::default()))
    }

    /// [`ArchiveWriter::create`], publishing the file's length to `mark` as
    /// it grows so a verifier can read it back meanwhile (see `tail`).
    pub fn create_marked(file: File, header: &Header, key: Option<&Key>, job: Job, mark: Arc<Watermark>) -> io::Result<Self> {
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut out = Hashing { inner: BufWriter::with_capacity(256 * 1024, Marked { file, mark }), tally: tally.clone() };
        let json = header.write_to(&mut out)?;
        let (sink, block) = match (&header.encryption, key) {
            (None, _) => (Sink::Plain(out), CHUNK_SIZE as usize),
            (Some(enc), Some(key)) => (Sink::Sealed(Box::new(SealWriter::new(out, key, enc, &json)?)), enc.chunk_size.clamp(1, super::header::MAX_CHUNK) as usize),
            (Some(_), None) => return Err(bad("an encrypted archive needs its key")),
        };
        // Sealing, hashing and writing run on their own thread (see `sink`).
        let sink = ChunkTx::spawn(sink, block)?;
        let comp = match header.compression {
            Compression::Zstd => {
                let mut z = zstd::Encoder::new(sink, 3)?;
                let threads = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
                if threads > 1 {
                    z.multithread(threads)?;
                }
                Compressor::Zstd(z)
            }
            Compression::Gzip => Compressor::Gzip(flate2::write::GzEncoder::new(sink, flate2::Compression::default())),
        };
        let mut tar = tar::Builder::new(comp);
        tar.mode(tar::HeaderMode::Complete);
        tar.follow_symlinks(false);
        let manifest = Manifest {
            source: header.source.clone(),
            kind: header.kind.clone(),
            homedeck: header.homedeck.clone(),
            created: header.created,
            entries: Vec::new(),
            warnings: Vec::new(),
        };
        Ok(ArchiveWriter { tar, read_buf: vec![0u8; 256 * 1024], tally, manifest, job })
    }

    fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(mode & 0o7777);
        h.set_mtime(mtime);
        h
    }

    /// Add a regular file from disk under archive path `name`, streaming.
    pub fn add_file(&mut self, disk: &Path, name: &str) -> io::Result<()> {
        self.job.check()?;
        let f = File::open(disk).map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", disk.display())))?;
        let meta = f.metadata()?;
        let (mode, mtime) = mode_mtime(&meta);
        self.add_reader(name, f, meta.len(), mode, mtime)
    }

    /// Add `size` bytes read from `r` (a local file, or a file streamed over
    /// SFTP) under archive path `name`; never holds more than a buffer.
    pub fn add_reader(&mut self, name: &str, r: impl Read, size: u64, mode: u32, mtime: u64) -> io::Result<()> {
        self.job.check()?;
        let mut h = Self::header(tar::EntryType::Regular, size, mode, mtime);
        let mut hash = Sha256::default();
        let mut r = EntryReader { inner: r, left: size, hash: &mut hash, short: false, job: &self.job, buf: &mut self.read_buf, lo: 0, hi: 0 };
        self.tar.append_data(&mut h, name, &mut r)?;
        if r.short {
            self.manifest.warnings.push(format!("{name} shrank while it was read; the missing tail is stored as zeros"));
        }
        self.manifest.entries.push(ManifestEntry { path: name.into(), kind: EntryKind::File, size, mode: mode & 0o7777, sha256: hash.hex(), link: None });
        Ok(())
    }

    /// Add bytes produced here (an API export) under archive path `name`.
    pub fn add_bytes(&mut self, name: &str, data: &[u8], mode: u32) -> io::Result<()> {
        self.job.check()?;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        let mut h = Self::header(tar::EntryType::Regular, data.len() as u64, mode, now);
        self.tar.append_data(&mut h, name, data)?;
        self.job.done_bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.manifest.entries.push(ManifestEntry {
            path: name.into(),
            kind: EntryKind::File,
            size: data.len() as u64,
            mode,
            sha256: super::sha256_hex(data),
            link: None,
        });
        Ok(())
    }

    pub fn add_dir(&mut self, disk: &Path, name: &str) -> io::Result<()> {
        let meta = std::fs::symlink_metadata(disk)?;
        let (mode, mtime) = mode_mtime(&meta);
        self.add_dir_entry(name, mode, mtime)
    }

    /// A directory entry from known metadata (a remote directory).
    pub fn add_dir_entry(&mut self, name: &str, mode: u32, mtime: u64) -> io::Result<()> {
        let mode = mode & 0o7777;
        let mut h = Self::header(tar::EntryType::Directory, 0, mode, mtime);
        self.tar.append_data(&mut h, name, io::empty())?;
        self.manifest.entries.push(ManifestEntry { path: name.into(), kind: EntryKind::Dir, size: 0, mode, sha256: String::new(), link: None });
        Ok(())
    }

    pub fn add_symlink(&mut self, disk: &Path, name: &str) -> io::Result<()> {
        let target = std::fs::read_link(disk)?;
        let meta = std::fs::symlink_metadata(disk)?;
        let (_, mtime) = mode_mtime(&meta);
        self.add_link_entry(name, &target, mtime)
    }

    /// A symlink entry from its target text (a remote link; never followed).
    pub fn add_link_entry(&mut self, name: &str, target: &Path, mtime: u64) -> io::Result<()> {
        let mut h = Self::header(tar::EntryType::Symlink, 0, 0o777, mtime);
        self.tar.append_link(&mut h, name, target)?;
        self.manifest.entries.push(ManifestEntry {
            path: name.into(),
            kind: EntryKind::Symlink,
            size: 0,
            mode: 0o777,
            sha256: String::new(),
            link: Some(target.to_string_lossy().into_owned()),
        });
        Ok(())
    }

    /// Write the manifest, close every layer and sync the file.
    pub fn finish(mut self) -> io::Result<Written> {
        self.job.check()?;
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| bad(format!("cannot encode manifest: {e}")))?;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        let mut h = Self::header(tar::EntryType::Regular, json.len() as u64, 0o600, now);
        self.tar.append_data(&mut h, MANIFEST_PATH, json.as_slice())?;
        let comp = self.tar.into_inner()?;
        let sink = match comp {
            Compressor::Zstd(z) => z.finish()?,
            Compressor::Gzip(g) => g.finish()?,
        };
        let out = sink.finish()?;
        let marked = out.inner.into_inner().map_err(|e| e.into_error())?;
        marked.file.sync_all()?;
        let tally = std::mem::take(&mut *self.tally.lock().map_err(|_| bad("hash state poisoned"))?);
        Ok(Written { manifest: self.manifest, size: tally.bytes, sha256: tally.hash.hex() })
    }
}

fn mode_mtime(meta: &std::fs::Metadata) -> (u32, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.mode() & 0o7777, meta.mtime().max(0) as u64)
}
