//! Reading an archive back while it is being written.
//!
//! The writer's file layer ([`Marked`]) publishes how many bytes it has
//! handed to the kernel; a verifier opens the same path through its own file
//! handle and reads ([`TailReader`]) only up to that mark, waiting for more.
//! So the verifier checks what the file holds — the bytes any later reader
//! of the path gets — not the writer's buffers, and it does so while the
//! writer is still compressing and sealing the rest.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Default)]
struct Mark {
    /// Bytes written to the file so far.
    len: u64,
    /// The writer is gone (finished, failed or aborted): no more bytes come.
    closed: bool,
}

/// How far the file has been written, shared by writer and verifier.
#[derive(Default)]
pub struct Watermark {
    mark: Mutex<Mark>,
    moved: Condvar,
}

impl Watermark {
    fn update(&self, f: impl FnOnce(&mut Mark)) {
        if let Ok(mut m) = self.mark.lock() {
            f(&mut m);
        }
        self.moved.notify_all();
    }

    /// No more bytes will come (called once the writer is done, however it ended).
    pub fn close(&self) {
        self.update(|m| m.closed = true);
    }

    /// Wait until the file is longer than `pos` or the writer is gone.
    /// Returns the length and whether the writer is gone.
    fn wait_beyond(&self, pos: u64) -> io::Result<(u64, bool)> {
        let poisoned = |_| io::Error::other("archive writer state poisoned");
        let mut m = self.mark.lock().map_err(poisoned)?;
        while m.len <= pos && !m.closed {
            m = self.moved.wait(m).map_err(poisoned)?;
        }
        Ok((m.len, m.closed))
    }
}

/// The writer's innermost layer: a file that publishes its length after
/// every write and closes the mark when dropped (however the writer ends).
pub struct Marked {
    pub file: File,
    pub mark: Arc<Watermark>,
}

impl Write for Marked {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.file.write(data)?;
        self.mark.update(|m| m.len += n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        self.mark.update(|m| m.closed = true);
    }
}

/// Reads a file as it grows, through its own handle, never past the mark;
/// ends when the writer is gone and everything written has been read.
pub struct TailReader {
    file: File,
    pos: u64,
    mark: Arc<Watermark>,
}

impl TailReader {
    pub fn new(file: File, mark: Arc<Watermark>) -> Self {
        TailReader { file, pos: 0, mark }
    }
}

impl Read for TailReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let (len, closed) = self.mark.wait_beyond(self.pos)?;
        if self.pos >= len {
            debug_assert!(closed);
            return Ok(0);
        }
        let want = out.len().min(usize::try_from(len - self.pos).unwrap_or(usize::MAX));
        let n = self.file.read(&mut out[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the archive file ends at {} bytes but {len} were written: it was cut on disk", self.pos),
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_reads_what_is_written_while_it_is_written() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a");
        let mark = Arc::new(Watermark::default());
        let mut w = Marked { file: File::create(&path).unwrap(), mark: mark.clone() };
        let mut r = TailReader::new(File::open(&path).unwrap(), mark);
        let reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            r.read_to_end(&mut all).map(|_| all)
        });
        for i in 0..100u8 {
            w.write_all(&[i; 1000]).unwrap();
        }
        drop(w);
        let all = reader.join().unwrap().unwrap();
        assert_eq!(all.len(), 100_000);
        assert!(all.chunks(1000).enumerate().all(|(i, c)| c.iter().all(|b| *b == i as u8)));
    }

    #[test]
    fn a_file_cut_under_the_reader_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a");
        let mark = Arc::new(Watermark::default());
        let mut w = Marked { file: File::create(&path).unwrap(), mark: mark.clone() };
        w.write_all(&[7; 5000]).unwrap();
        w.file.set_len(100).unwrap();
        drop(w);
        let mut all = Vec::new();
        let e = TailReader::new(File::open(&path).unwrap(), mark).read_to_end(&mut all).unwrap_err();
        assert!(e.to_string().contains("cut on disk"), "{e}");
    }
}
