//! The writing end of an archive, on its own thread.
//!
//! The compressor's output is cut into blocks of one encryption chunk and
//! handed over a bounded channel ([`DEPTH`] blocks) to a thread that seals
//! them (AES-256-GCM), digests what goes to the file and writes it. So reading and hashing the source, compressing, and
//! sealing-and-writing each get a core, and memory stays bounded.

use super::sealed::{SealWriter, TAG_LEN};
use super::tail::Marked;
use super::{Sha256, StreamDigest, bad};
use std::io::{self, BufWriter, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Blocks in flight between the compressor and the sealing thread.
pub const DEPTH: usize = 4;

/// Bytes and digests of everything that passed through a file layer. The
/// SHA-256 (the archive's checksum in the catalog) is taken only by readers:
/// a writer's output is compared with what is read back through `digest`,
/// and the catalog gets the SHA-256 of the bytes read back from disk.
#[derive(Default)]
pub struct Tally {
    pub sha256: Option<Sha256>,
    pub digest: StreamDigest,
    pub bytes: u64,
}

impl Tally {
    /// A tally that also takes the SHA-256.
    pub fn with_sha256() -> Tally {
        Tally { sha256: Some(Sha256::default()), ..Tally::default() }
    }

    fn add(&mut self, data: &[u8]) {
        if let Some(h) = &mut self.sha256 {
            h.update(data);
        }
        self.digest.update(data);
        self.bytes += data.len() as u64;
    }
}

/// Counts and digests what passes through.
pub struct Hashing<W> {
    pub inner: W,
    pub tally: Arc<Mutex<Tally>>,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(data)?;
        if let Ok(mut t) = self.tally.lock() {
            t.add(&data[..n]);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if let Ok(mut t) = self.tally.lock() {
            t.add(&out[..n]);
        }
        Ok(n)
    }
}

pub type FileSink = Hashing<BufWriter<Marked>>;

/// What the sealing thread writes through.
pub enum Sink {
    Plain(FileSink),
    Sealed(Box<SealWriter<FileSink>>),
}

impl Sink {
    fn finish(self) -> io::Result<FileSink> {
        match self {
            Sink::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Sink::Sealed(s) => (*s).finish(),
        }
    }
}

enum Msg {
    Block(Vec<u8>),
    /// Everything was sent: seal the final chunk. Without it (the sender was
    /// dropped on an error or a cancel) the thread stops without an end marker.
    End,
}

/// The compressor's side: collects blocks and sends them to the thread.
pub struct ChunkTx {
    tx: SyncSender<Msg>,
    buf: Vec<u8>,
    block: usize,
    thread: Option<JoinHandle<io::Result<FileSink>>>,
}

impl ChunkTx {
    /// Start the thread writing through `sink`, fed in blocks of `block` bytes
    /// (the encryption chunk size, so each block becomes one sealed frame).
    pub fn spawn(sink: Sink, block: usize) -> io::Result<ChunkTx> {
        let (tx, rx) = sync_channel(DEPTH);
        let thread = std::thread::Builder::new().name("archive-seal".into()).spawn(move || run(sink, rx))?;
        Ok(ChunkTx { tx, buf: Vec::with_capacity(block + TAG_LEN), block, thread: Some(thread) })
    }

    fn send(&mut self, msg: Msg) -> io::Result<()> {
        if self.tx.send(msg).is_ok() {
            return Ok(());
        }
        // The thread stopped: its own error says why.
        Err(match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => bad("the archive writer thread stopped"),
        })
    }

    /// Send what is left, seal the end, and wait for the file to be written.
    pub fn finish(mut self) -> io::Result<FileSink> {
        let rest = std::mem::take(&mut self.buf);
        self.send(Msg::Block(rest))?;
        self.send(Msg::End)?;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err(bad("the archive writer thread failed")),
        }
    }
}

impl Write for ChunkTx {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = (self.block - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == self.block {
            // Room for the GCM tag: the block is sealed in place.
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(self.block + TAG_LEN));
            self.send(Msg::Block(full))?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn run(mut sink: Sink, rx: Receiver<Msg>) -> io::Result<FileSink> {
    for msg in rx {
        match msg {
            Msg::Block(b) => match &mut sink {
                Sink::Plain(w) => w.write_all(&b)?,
                Sink::Sealed(w) => w.write_chunk(b)?,
            },
            Msg::End => return sink.finish(),
        }
    }
    Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled: the archive was left without its end"))
}
