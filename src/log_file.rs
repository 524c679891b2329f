//! `homedeck.log`, rotated by size: past [`MAX_BYTES`] it becomes
//! `homedeck.log.1` (older ones shift to `.2` … `.KEEP`, the oldest is
//! dropped). A daemon runs for months; without this its log grows until the
//! disk is full.
//!
//! Several processes may write the file (a daemon, a console, CLI
//! commands). Each appends with `O_APPEND`, and before rotating looks at the
//! size of the file *at the path*, not only at what it wrote itself; a
//! process whose file was rotated by another notices (the path is a new
//! file) and reopens, so nobody keeps writing into `.1`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Rotate past this size.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Rotated files kept beside the live one.
pub const KEEP: u32 = 5;
/// Look at the path again after this much of our own output.
const CHECK_EVERY: u64 = 64 * 1024;

pub struct RotatingFile {
    path: PathBuf,
    max: u64,
    keep: u32,
    file: File,
    /// Bytes written since the path was last looked at.
    since_check: u64,
}

impl RotatingFile {
    pub fn open(path: &Path, max: u64, keep: u32) -> io::Result<Self> {
        let file = append(path)?;
        let mut f = RotatingFile { path: path.to_path_buf(), max: max.max(1), keep, file, since_check: 0 };
        f.check()?;
        Ok(f)
    }

    /// Rotate if the file at the path is over the limit; reopen if another
    /// process rotated it.
    fn check(&mut self) -> io::Result<()> {
        self.since_check = 0;
        let ours = self.file.metadata()?;
        match std::fs::metadata(&self.path) {
            Ok(m) if m.ino() != ours.ino() || m.dev() != ours.dev() => self.file = append(&self.path)?,
            Ok(m) if m.len() >= self.max => self.rotate()?,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.file = append(&self.path)?,
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        let numbered = |n: u32| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            for n in (1..self.keep).rev() {
                let from = numbered(n);
                if from.exists() {
                    std::fs::rename(&from, numbered(n + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        self.file = append(&self.path)?;
        Ok(())
    }
}

/// Logs may name servers, devices and paths: 0600, like the data dir's files.
fn append(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().create(true).append(true).mode(0o600).open(path)
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.since_check >= CHECK_EVERY.min(self.max) {
            // A log that cannot rotate still logs.
            if let Err(e) = self.check() {
                let _ = writeln!(self.file, "homedeck: cannot rotate {}: {e}", self.path.display());
            }
        }
        let n = self.file.write(buf)?;
        self.since_check += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_n() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("homedeck.log");
        let mut f = RotatingFile::open(&p, 100, 2).unwrap();
        for i in 0..50 {
            writeln!(f, "line {i:03} of the log").unwrap();
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(p.with_extension("log.2").exists() && !p.with_extension("log.3").exists());
        for n in ["homedeck.log", "homedeck.log.1", "homedeck.log.2"] {
            let len = std::fs::metadata(dir.path().join(n)).unwrap().len();
            assert!(len < 100 + 30, "{n}: {len}");
        }
        assert!(std::fs::read_to_string(&p).unwrap().contains("line 049"));
    }

    #[test]
    fn a_file_rotated_by_another_process_is_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("homedeck.log");
        let mut a = RotatingFile::open(&p, 1_000, 1).unwrap();
        let mut b = RotatingFile::open(&p, 1_000, 1).unwrap();
        for _ in 0..40 {
            writeln!(a, "written by a, a line of some length").unwrap();
        }
        for _ in 0..40 {
            writeln!(b, "written by b, a line of some length").unwrap();
        }
        let live = std::fs::read_to_string(&p).unwrap();
        assert!(live.contains("written by b"), "{live}");
        assert!(std::fs::metadata(&p).unwrap().len() < 1_100);
    }
}
