//! The filesystem half of a restore: a staging dir and an "old" dir next to
//! the target (same filesystem, so renames are atomic), the swap, its undo,
//! and carrying over what the backup deliberately left out (node_modules,
//! the HA recorder db) so a restore does not delete it.
//!
//! `apply` and `undo` are written so that running `undo` after a crash at
//! any point of `apply` puts the original back.

use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swap {
    pub target: PathBuf,
    pub staging: PathBuf,
    pub old: PathBuf,
    /// Restore only this file (relative to the target).
    pub only: Option<PathBuf>,
    /// Did the target (or the one file) exist before?
    pub had_target: bool,
    /// The server the paths are on (`None` = this machine); a remote swap
    /// runs as `mv` over SSH (`remote_swap`).
    #[serde(default)]
    pub server: Option<String>,
}

impl Swap {
    pub fn new(target: &Path, rid: u64, only: Option<PathBuf>) -> io::Result<Swap> {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "target".into());
        let had_target = match &only {
            Some(o) => target.join(o).exists(),
            None => target.exists(),
        };
        Ok(Swap {
            target: target.to_path_buf(),
            staging: parent.join(format!(".{name}.homedeck-staging-{rid}")),
            old: parent.join(format!(".{name}.homedeck-old-{rid}")),
            only,
            had_target,
            server: None,
        })
    }

    /// A swap of `target` on `server`; `had_target` comes from the scan.
    pub fn remote(target: &str, rid: u64, only: Option<PathBuf>, server: &str, had_target: bool) -> Swap {
        let t = Path::new(target);
        let parent = t.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("/"));
        let name = t.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "target".into());
        Swap {
            target: t.to_path_buf(),
            staging: parent.join(format!(".{name}.homedeck-staging-{rid}")),
            old: parent.join(format!(".{name}.homedeck-old-{rid}")),
            only,
            had_target,
            server: Some(server.to_string()),
        }
    }

    /// The path moved in (`from`), the live path (`cur`) and where the
    /// previous content is kept (`keep`): the whole target or one file.
    pub fn paths(&self) -> (PathBuf, PathBuf, PathBuf) {
        match &self.only {
            None => (self.staged_files(), self.target.clone(), self.old.clone()),
            Some(o) => (self.staged_files().join(o), self.target.join(o), self.old.join(o)),
        }
    }

    /// Where the archive's `files/` land.
    pub fn staged_files(&self) -> PathBuf {
        self.staging.join("files")
    }

    /// Put the staged files in place; the previous content goes to `old`.
    pub fn apply(&self) -> io::Result<()> {
        let staged = self.staged_files();
        match &self.only {
            None => {
                if !staged.exists() {
                    fs::create_dir_all(&staged)?;
                }
                if self.target.exists() {
                    fs::rename(&self.target, &self.old)?;
                }
                fs::rename(&staged, &self.target)
            }
            Some(o) => {
                let from = staged.join(o);
                if !from.exists() {
                    return Err(io::Error::new(io::ErrorKind::NotFound, format!("{} is not in the backup", o.display())));
                }
                let (cur, keep) = (self.target.join(o), self.old.join(o));
                if let Some(p) = keep.parent() {
                    fs::create_dir_all(p)?;
                }
                if cur.exists() {
                    fs::rename(&cur, &keep)?;
                }
                if let Some(p) = cur.parent() {
                    fs::create_dir_all(p)?;
                }
                fs::rename(&from, &cur)
            }
        }
    }

    /// Put the original back (after a failed check, or at the next start).
    pub fn undo(&self) -> io::Result<()> {
        let failed = self.staging.join("failed");
        fs::create_dir_all(&self.staging)?;
        match &self.only {
            None => {
                if self.old.exists() {
                    if self.target.exists() {
                        fs::rename(&self.target, &failed)?;
                    }
                    fs::rename(&self.old, &self.target)?;
                } else if !self.had_target && self.target.exists() {
                    fs::rename(&self.target, &failed)?;
                }
            }
            Some(o) => {
                let (cur, keep) = (self.target.join(o), self.old.join(o));
                if keep.exists() {
                    if cur.exists() {
                        fs::rename(&cur, &failed)?;
                    }
                    fs::rename(&keep, &cur)?;
                } else if !self.had_target && cur.exists() {
                    fs::rename(&cur, &failed)?;
                }
            }
        }
        Ok(())
    }

    /// Remove staging and old (after success or after an undo).
    pub fn cleanup(&self) {
        let _ = fs::remove_dir_all(&self.staging);
        let _ = fs::remove_dir_all(&self.old);
    }
}

/// Hard-link (or copy) into `staged` everything under `target` that the
/// backup did not select, so the swap keeps it.
pub fn carry_over(target: &Path, staged: &Path, selected: &dyn Fn(&Path, bool) -> bool) -> io::Result<u64> {
    let mut n = 0;
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = fs::read_dir(target.join(&rel)) else { continue };
        for e in rd.filter_map(Result::ok) {
            let r = rel.join(e.file_name());
            let ft = e.file_type()?;
            if ft.is_dir() && selected(&r, true) {
                stack.push(r);
            } else if !selected(&r, ft.is_dir()) && !staged.join(&r).exists() {
                n += link_tree(&target.join(&r), &staged.join(&r))?;
            }
        }
    }
    Ok(n)
}

fn link_tree(from: &Path, to: &Path) -> io::Result<u64> {
    if let Some(p) = to.parent() {
        fs::create_dir_all(p)?;
    }
    let meta = fs::symlink_metadata(from)?;
    if meta.is_dir() {
        fs::create_dir_all(to)?;
        fs::set_permissions(to, meta.permissions())?;
        let mut n = 0;
        for e in fs::read_dir(from)?.filter_map(Result::ok) {
            n += link_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(n)
    } else if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, to)?;
        Ok(1)
    } else {
        if fs::hard_link(from, to).is_err() {
            fs::copy(from, to)?;
        }
        Ok(1)
    }
}
