//! A reader that runs ahead on its own thread.
//!
//! Opening an archive stacks file → SHA-256 → AES-GCM → zstd; reading tar
//! entries out of it then hashes (and, on restore, writes) every file. Put on
//! one thread those take turns; here the stack is drained on a helper thread
//! into a few bounded blocks (at most [`DEPTH`] × [`BLOCK`] bytes in flight)
//! so both halves use a core each.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

pub const BLOCK: usize = 256 * 1024;
pub const DEPTH: usize = 8;

pub struct ReadAhead {
    rx: Receiver<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ReadAhead {
    /// Start draining `inner`. The thread stops at the end of the stream, at
    /// its first error (handed on in order) or when this reader is dropped.
    pub fn spawn(mut inner: Box<dyn Read + Send>) -> io::Result<ReadAhead> {
        let (tx, rx) = sync_channel(DEPTH);
        std::thread::Builder::new().name("archive-read".into()).spawn(move || {
            loop {
                let mut block = vec![0u8; BLOCK];
                let mut filled = 0;
                let end = loop {
                    match inner.read(&mut block[filled..]) {
                        Ok(0) => break Ok(true),
                        Ok(n) => {
                            filled += n;
                            if filled == BLOCK {
                                break Ok(false);
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                block.truncate(filled);
                match end {
                    Ok(last) => {
                        if (!block.is_empty() && tx.send(Ok(block)).is_err()) || last {
                            return;
                        }
                    }
                    Err(e) => {
                        if !block.is_empty() && tx.send(Ok(block)).is_err() {
                            return;
                        }
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        })?;
        Ok(ReadAhead { rx, buf: Vec::new(), pos: 0, done: false })
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(block)) => {
                    self.buf = block;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The thread sent everything and ended.
                Err(_) => self.done = true,
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FailAfter(usize);
    impl Read for FailAfter {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "chunk 9 failed authentication"));
            }
            let n = out.len().min(self.0).min(1000);
            out[..n].fill(1);
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn passes_bytes_then_the_error_in_order() {
        let data: Vec<u8> = (0..3 * BLOCK + 17).map(|i| (i % 253) as u8).collect();
        let mut out = Vec::new();
        ReadAhead::spawn(Box::new(io::Cursor::new(data.clone()))).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        let mut r = ReadAhead::spawn(Box::new(FailAfter(BLOCK + 5))).unwrap();
        let mut got = Vec::new();
        let e = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(got.len(), BLOCK + 5);
        assert!(e.to_string().contains("chunk 9"));
    }
}
