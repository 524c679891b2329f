//! What a restore refuses, entry by entry, before anything is written:
//! absolute paths, `..`, links that leave the target, device files and
//! FIFOs, and entries (or totals) beyond the size limits. Every refusal
//! names the entry.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single entry.
    pub max_entry: u64,
    /// Largest sum of all entries.
    pub max_total: u64,
    /// Most entries.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entry: 16 << 30, max_total: 64 << 30, max_entries: 1_000_000 }
    }
}

/// A refusal: which entry and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub entry: String,
    pub reason: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused archive entry {:?}: {}", self.entry, self.reason)
    }
}

fn refuse(entry: &str, reason: impl Into<String>) -> Refused {
    Refused { entry: entry.to_string(), reason: reason.into() }
}

/// An entry path as a relative path of normal components only.
pub fn entry_path(raw: &[u8]) -> Result<PathBuf, Refused> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    let s = std::str::from_utf8(raw).map_err(|_| refuse(&shown, "the path is not UTF-8"))?;
    if s.is_empty() {
        return Err(refuse(&shown, "the path is empty"));
    }
    if s.contains('\0') {
        return Err(refuse(&shown, "the path contains a NUL byte"));
    }
    if s.starts_with('/') || s.starts_with('\\') {
        return Err(refuse(&shown, "absolute path (entries must be relative to the target)"));
    }
    let mut out = PathBuf::new();
    for c in Path::new(s).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse(&shown, "the path contains `..` and would leave the target")),
            Component::RootDir | Component::Prefix(_) => return Err(refuse(&shown, "absolute path (entries must be relative to the target)")),
        }
    }
    if out.as_os_str().is_empty() {
        return Err(refuse(&shown, "the path names no file"));
    }
    Ok(out)
}

/// A symlink at `entry` (relative to the restore target) pointing at
/// `target` must stay inside the target.
/// Only leading `..` are allowed (and no more than the link's depth), so a
/// chain of links cannot climb out either: each one resolves inside.
pub fn symlink_target(entry: &Path, target: &[u8]) -> Result<(), Refused> {
    let shown = entry.display().to_string();
    let t = std::str::from_utf8(target).map_err(|_| refuse(&shown, "the link target is not UTF-8"))?;
    if t.is_empty() || t.starts_with('/') {
        return Err(refuse(&shown, format!("symlink to {t:?} leaves the target (absolute or empty)")));
    }
    let depth = entry.components().count().saturating_sub(1);
    let mut ups = 0usize;
    let mut seen_normal = false;
    for c in Path::new(t).components() {
        match c {
            Component::ParentDir if !seen_normal => ups += 1,
            Component::ParentDir => return Err(refuse(&shown, format!("symlink to {t:?}: `..` after a directory name is not allowed"))),
            Component::Normal(_) => seen_normal = true,
            Component::CurDir => {}
            _ => return Err(refuse(&shown, format!("symlink to {t:?} leaves the target"))),
        }
    }
    if ups > depth {
        return Err(refuse(&shown, format!("symlink to {t:?} leaves the target")));
    }
    Ok(())
}

/// A hard link must name another entry inside the archive.
pub fn hardlink_target(entry: &Path, target: &[u8]) -> Result<PathBuf, Refused> {
    let shown = entry.display().to_string();
    entry_path(target).map_err(|r| refuse(&shown, format!("hard link to {:?}: {}", r.entry, r.reason)))
}

/// Refuse what is not a file, directory or link.
pub fn entry_type(entry: &str, kind: tar::EntryType) -> Result<(), Refused> {
    use tar::EntryType as T;
    match kind {
        T::Regular | T::Continuous | T::Directory | T::Symlink | T::Link | T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => Ok(()),
        T::Char | T::Block => Err(refuse(entry, "device files are never restored")),
        T::Fifo => Err(refuse(entry, "FIFOs are never restored")),
        other => Err(refuse(entry, format!("unsupported entry type {other:?}"))),
    }
}

/// Check one entry's declared size against the limits and the running total.
pub fn size(entry: &str, size: u64, total: &mut u64, count: &mut u64, limits: &Limits) -> Result<(), Refused> {
    *count += 1;
    if *count > limits.max_entries {
        return Err(refuse(entry, format!("more than {} entries in one archive", limits.max_entries)));
    }
    if size > limits.max_entry {
        return Err(refuse(entry, format!("declares {size} bytes, over the {} byte limit for one entry", limits.max_entry)));
    }
    *total = total.saturating_add(size);
    if *total > limits.max_total {
        return Err(refuse(entry, format!("brings the archive to {} bytes, over the {} byte limit", *total, limits.max_total)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(entry_path(b"files/a/./b").unwrap(), PathBuf::from("files/a/b"));
        for bad in [&b"/etc/passwd"[..], b"../x", b"files/../../x", b"", b".", b"a\0b", b"\xff"] {
            let e = entry_path(bad).unwrap_err();
            assert!(e.to_string().contains("refused archive entry"), "{e}");
        }
        assert!(entry_path(b"files/../../x").unwrap_err().to_string().contains("`..`"));
    }

    #[test]
    fn links() {
        // Paths relative to the restore target.
        let at = Path::new("a/link");
        assert!(symlink_target(at, b"target").is_ok());
        assert!(symlink_target(at, b"../b").is_ok());
        assert!(symlink_target(at, b"../../x").is_err());
        assert!(symlink_target(Path::new("top"), b"../x").is_err());
        assert!(symlink_target(at, b"/etc/passwd").is_err());
        assert!(symlink_target(at, b"d/../../../..").is_err());
        assert!(hardlink_target(at, b"/etc/shadow").is_err());
        assert!(hardlink_target(at, b"files/x").is_ok());
    }

    #[test]
    fn kinds_and_sizes() {
        assert!(entry_type("dev", tar::EntryType::Char).unwrap_err().to_string().contains("device"));
        assert!(entry_type("dev", tar::EntryType::Block).is_err());
        assert!(entry_type("p", tar::EntryType::Fifo).is_err());
        let l = Limits { max_entry: 10, max_total: 15, max_entries: 3 };
        let (mut t, mut c) = (0, 0);
        assert!(size("a", 10, &mut t, &mut c, &l).is_ok());
        assert!(size("b", 11, &mut t, &mut c, &l).unwrap_err().reason.contains("over the 10 byte limit"));
        assert!(size("c", 6, &mut t, &mut c, &l).unwrap_err().reason.contains("15 byte limit"));
    }
}
