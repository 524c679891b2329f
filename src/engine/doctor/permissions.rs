//! The data dir holds sealed secrets, the audit log and backups: only its
//! owner may read it. Directories homedeck creates are 0700 and the files in
//! them (sled's, the lock, logs, the socket) 0600; at start the binary
//! refuses a data dir that others can read or that another user owns
//! ([`refuse_insecure`], unless `--insecure-permissions`), and the doctor
//! reports and repairs the modes of what is inside ([`findings`]).

use super::outcome::{Area, Finding};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The uid this process runs as: the owner of `/proc/self` (Linux), no libc.
pub fn own_uid() -> std::io::Result<u32> {
    Ok(std::fs::metadata("/proc/self")?.uid())
}

/// Create `dir` (and missing parents) with the last component 0700. A
/// directory that already exists is left as it is: [`refuse_insecure`] and
/// the doctor judge it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// Why `dir` is not private, with the command that fixes it; `None` when it
/// is owned by this user and closed to group and others.
pub fn insecure_reason(dir: &Path, what: &str) -> Option<(String, String)> {
    let meta = std::fs::metadata(dir).ok()?;
    let me = own_uid().ok()?;
    let shown = dir.display();
    if meta.uid() != me {
        return Some((
            format!("the {what} {shown} is owned by uid {}, not by this user (uid {me})", meta.uid()),
            format!("run homedeck as its owner, or give it to this user: chown -R {me} {shown}"),
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Some((
            format!("the {what} {shown} is open to {} (mode {mode:04o})", who(mode)),
            format!("chmod 700 {shown}"),
        ));
    }
    None
}

fn who(mode: u32) -> &'static str {
    match (mode & 0o070 != 0, mode & 0o007 != 0) {
        (true, true) => "its group and every user",
        (true, false) => "its group",
        _ => "every user",
    }
}

/// At start: refuse a data dir that is not private, naming the fix.
pub fn refuse_insecure(data_dir: &Path) -> Result<(), String> {
    match insecure_reason(data_dir, "data dir") {
        None => Ok(()),
        Some((what, fix)) => Err(format!(
            "{what}; it holds the vault, the audit log and backups. Fix: {fix} (or pass --insecure-permissions to start anyway)"
        )),
    }
}

/// Files below `dir` (not following links) that group or others may use:
/// (path, mode, is_dir). The backup repository is left out: archives are
/// 0600 and checked with the catalog, and restore staging keeps the modes of
/// what it restores.
fn loose(dir: &Path, out: &mut Vec<(PathBuf, u32, bool)>, skip: &[PathBuf]) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let path = e.path();
        if skip.contains(&path) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            if mode & 0o077 != 0 {
                out.push((path.clone(), mode, true));
            }
            loose(&path, out, skip);
        } else if !meta.file_type().is_symlink() && mode & 0o077 != 0 {
            out.push((path, mode, false));
        }
    }
}

/// The modes of homedeck's own files: sled's files, the lock, the socket
/// and the logs 0600, their directories 0700. Called after the store opens
/// (sled creates files with the process umask) and by `doctor --repair`.
pub fn tighten(data_dir: &Path) -> usize {
    let mut found = Vec::new();
    for name in ["db", "homedeck.lock", "homedeck.sock", "log"] {
        let p = data_dir.join(name);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => {
                if m.permissions().mode() & 0o077 != 0 {
                    found.push((p.clone(), 0, true));
                }
                loose(&p, &mut found, &[]);
            }
            Ok(m) if !m.file_type().is_symlink() && m.permissions().mode() & 0o077 != 0 => found.push((p, 0, false)),
            _ => {}
        }
    }
    found.iter().filter(|(p, _, dir)| set_mode(p, if *dir { 0o700 } else { 0o600 })).count()
}

fn set_mode(p: &Path, mode: u32) -> bool {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).is_ok()
}

/// The doctor's permission findings for the data, config and log dirs and
/// everything in the data and log dirs (repaired with `repair`: modes only, never owners).
pub fn findings(dirs: &[(&str, &Path)], repair: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let backups: Vec<PathBuf> = dirs.iter().filter(|(w, _)| *w == "data dir").map(|(_, d)| d.join("backups")).collect();
    for (what, dir) in dirs {
        if !dir.exists() {
            continue;
        }
        if let Some((text, fix)) = insecure_reason(dir, what) {
            let owner_problem = fix.starts_with("run homedeck");
            let mut f = Finding::problem(Area::Permissions, if owner_problem { "dir_owner" } else { "dir_mode" }, text, fix);
            if repair && !owner_problem && set_mode(dir, 0o700) {
                f.repaired = Some(format!("set {} to 0700", dir.display()));
            }
            out.push(f);
        }
        // The config dir's own files (themes, keymaps) are the user's to share.
        if *what == "config dir" {
            continue;
        }
        let mut found = Vec::new();
        loose(dir, &mut found, &backups);
        for (p, mode, is_dir) in found {
            let want = if is_dir { 0o700 } else { 0o600 };
            let mut f = Finding::problem(
                Area::Permissions,
                "file_mode",
                format!("{} is open to {} (mode {mode:04o})", p.display(), who(mode)),
                format!("chmod {want:o} {}", p.display()),
            );
            if repair && set_mode(&p, want) {
                f.repaired = Some(format!("set {} to {want:04o}", p.display()));
            }
            out.push(f);
        }
    }
    out
}
