//! Writing an archive in one streaming pass:
//! file ← digest + byte count ← [chunked AES-GCM] ← zstd | gzip ← digest ← tar ← entries.
//!
//! Each entry's SHA-256 is taken as tar reads it; the manifest goes in last.
//! The two XXH3 digests (of the tar stream and of the file) are what the
//! read-back after a create compares against (see `overlap`). Memory
//! stays bounded by the compressor's window and one encryption chunk.

use super::header::Header;
use super::manifest::{EntryKind, Manifest, ManifestEntry};
use super::header::CHUNK_SIZE;
use super::sealed::SealWriter;
use super::sink::{ChunkTx, Sink};
use super::tail::{Marked, Watermark};
use super::{Compression, MANIFEST_PATH, Sha256, StreamDigest, bad};
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

/// The compressor, digesting the tar stream it is given.
struct TarOut {
    comp: Compressor,
    digest: StreamDigest,
}

impl Write for TarOut {
    fn write(&mut self, d: &[u8]) -> io::Result<usize> {
        let n = match &mut self.comp {
            Compressor::Zstd(w) => w.write(d)?,
            Compressor::Gzip(w) => w.write(d)?,
        };
        self.digest.update(&d[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.comp {
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
    /// The bytes the job expects to read (0: not known). A create smaller
    /// than [`ZSTD_THREADS_FROM`] compresses on its own thread.
    pub expected_bytes: u64,
}

/// Below this much input zstd's worker threads cannot help: level 3 cuts
/// its input into 8 MiB jobs, so a smaller source is one job on one worker
/// anyway. Starting them still costs: libzstd allocates through the C
/// allocator, and glibc gives each new worker thread an arena it keeps, so
/// a scheduled backup of a small directory once a minute grew the daemon's
/// heap by ~0.8 MiB a run until glibc's arena limit (docs/reliability.md,
/// Soak: the split by cause). Two jobs' worth is where threads start to pay.
pub const ZSTD_THREADS_FROM: u64 = 16 * 1024 * 1024;

impl Job {
    pub fn check(&self) -> io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        Ok(())
    }
}

pub struct ArchiveWriter {
    tar: tar::Builder<TarOut>,
    read_buf: Vec<u8>,
    tally: Arc<Mutex<Tally>>,
    pub manifest: Manifest,
    job: Job,
}

/// What was written: the manifest, the archive's size, and the digests of
/// the file and of the tar stream inside it.
pub struct Finished {
    pub manifest: Manifest,
    pub size: u64,
    pub file_digest: u128,
    pub tar_digest: u128,
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
                let small = job.expected_bytes > 0 && job.expected_bytes < ZSTD_THREADS_FROM;
                if threads > 1 && !small {
                    z.multithread(threads)?;
                }
                Compressor::Zstd(z)
            }
            Compression::Gzip => Compressor::Gzip(flate2::write::GzEncoder::new(sink, flate2::Compression::default())),
        };
        let mut tar = tar::Builder::new(TarOut { comp, digest: StreamDigest::default() });
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
    ///
    /// Exactly `size` bytes go in, so the tar header stays true: a file that
    /// shrank meanwhile is padded with zeros (and the manifest says so), one
    /// that grew is cut. The data does not go through `tar::Builder`, whose
    /// 8 KiB copy loop would cost a copy of every byte and a compressor call
    /// per 8 KiB: the builder writes the header (and any long-name entry
    /// before it), then the bytes are hashed and written straight from our
    /// read buffer, then padded to the 512-byte block as tar does.
    pub fn add_reader(&mut self, name: &str, mut r: impl Read, size: u64, mode: u32, mtime: u64) -> io::Result<()> {
        self.job.check()?;
        let mut h = Self::header(tar::EntryType::Regular, size, mode, mtime);
        self.tar.append_data(&mut h, name, io::empty())?;
        let (mut hash, mut left, mut short) = (Sha256::default(), size, false);
        let out = self.tar.get_mut();
        while left > 0 {
            self.job.check()?;
            let want = self.read_buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let buf = &mut self.read_buf[..want];
            let mut n = if short { 0 } else { read_some(&mut r, buf)? };
            if n == 0 {
                short = true;
                buf.fill(0);
                n = want;
            }
            hash.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            left -= n as u64;
            self.job.done_bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
        let pad = (512 - size % 512) % 512;
        out.write_all(&[0u8; 512][..pad as usize])?;
        if short {
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
            sha256: crate::engine::digest::sha256_hex(data),
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
    pub fn finish(mut self) -> io::Result<Finished> {
        self.job.check()?;
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| bad(format!("cannot encode manifest: {e}")))?;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        let mut h = Self::header(tar::EntryType::Regular, json.len() as u64, 0o600, now);
        self.tar.append_data(&mut h, MANIFEST_PATH, json.as_slice())?;
        let TarOut { comp, digest } = self.tar.into_inner()?;
        let sink = match comp {
            Compressor::Zstd(z) => z.finish()?,
            Compressor::Gzip(g) => g.finish()?,
        };
        let out = sink.finish()?;
        let marked = out.inner.into_inner().map_err(|e| e.into_error())?;
        marked.file.sync_all()?;
        let tally = std::mem::take(&mut *self.tally.lock().map_err(|_| bad("hash state poisoned"))?);
        Ok(Finished { manifest: self.manifest, size: tally.bytes, file_digest: tally.digest.value(), tar_digest: digest.value() })
    }
}

/// One read, retried when a signal interrupts it.
fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

fn mode_mtime(meta: &std::fs::Metadata) -> (u32, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.mode() & 0o7777, meta.mtime().max(0) as u64)
}
