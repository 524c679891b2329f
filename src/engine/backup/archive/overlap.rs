//! Writing an archive and reading it back at the same time.
//!
//! A backup is only recorded once its archive has been read back from the
//! file and checked. Done after the write, that read doubled the time of a
//! backup; here a verifier thread opens the file by its path (its own file
//! handle) and follows the writer (see `tail`): it authenticates every
//! AES-GCM chunk and the end marker, decompresses, hashes every entry and
//! checks it against the manifest it finds at the end of the stream, and
//! hashes the whole file. It reaches the end only after the writer has
//! synced the file and closed it. The result stands only if the verifier's
//! file SHA-256, size and manifest equal what the writer produced.

use super::header::Header;
use super::reader::{open_stream, verify_opened};
use super::tail::{TailReader, Watermark};
use super::writer::{ArchiveWriter, Job, Written};
use super::bad;
use crate::engine::vault::crypto::Key;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Create the archive at `path` (already opened for writing as `file`),
/// let `fill` add its entries, finish it, and verify it as described above.
/// Progress in `job` counts the writer's bytes; cancelling stops both.
pub fn write_verified(
    path: &Path,
    file: File,
    header: &Header,
    key: Option<&Key>,
    job: &Job,
    fill: impl FnOnce(&mut ArchiveWriter) -> io::Result<()>,
) -> io::Result<Written> {
    let mark = Arc::new(Watermark::default());
    let own = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("cannot reopen {} to verify it: {e}", path.display())))?;
    let (tail, vkey) = (TailReader::new(own, mark.clone()), key.cloned());
    let vjob = Job { done_bytes: Arc::new(AtomicU64::new(0)), cancel: job.cancel.clone() };
    let verifier = std::thread::Builder::new()
        .name("archive-verify".into())
        .spawn(move || verify_opened(open_stream(tail, vkey.as_ref())?, None, &vjob))?;
    let written = (|| {
        let mut w = ArchiveWriter::create_marked(file, header, key, job.clone(), mark.clone())?;
        fill(&mut w)?;
        w.finish()
    })();
    // However the writer ended, no more bytes come: let the verifier finish.
    mark.close();
    let verified = verifier.join().map_err(|_| bad("the archive verifier failed"))?;
    let written = written?;
    let v = verified.map_err(|e| io::Error::new(e.kind(), format!("reading the archive back failed: {e}")))?;
    if v.size != written.size || v.sha256 != written.sha256 {
        return Err(bad(format!(
            "the archive on disk ({} bytes, SHA-256 {}) is not what was written ({} bytes, SHA-256 {})",
            v.size, v.sha256, written.size, written.sha256
        )));
    }
    if v.manifest != written.manifest {
        return Err(bad("the manifest read back differs from the one written"));
    }
    Ok(written)
}
