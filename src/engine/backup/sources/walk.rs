//! Walking a source directory: sorted (archives of the same tree come out
//! the same), excluded names skipped at any depth, never following links,
//! and sockets, FIFOs and devices left out with a warning.

use super::{Item, Plan};
use crate::engine::error::{EngineError, EngineResult};
use std::fs;
use std::path::Path;

/// Keep every file.
pub fn all_files(_rel: &Path, _is_dir: bool) -> bool {
    true
}

/// Add the tree under `root` to `plan` as `files/…`. `keep(rel, is_dir)`
/// decides per entry (a Node-RED user dir keeps only its own files).
pub fn walk(root: &Path, exclude: &[String], keep: fn(&Path, bool) -> bool, plan: &mut Plan) -> EngineResult<()> {
    let io = |p: &Path, e: std::io::Error| EngineError::Other(format!("cannot read {}: {e}", p.display()));
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut names: Vec<_> = fs::read_dir(&dir).map_err(|e| io(&dir, e))?.filter_map(Result::ok).map(|e| e.path()).collect();
        names.sort();
        // Directories are pushed in reverse so they come out in order.
        let mut subdirs = Vec::new();
        for path in names {
            let Ok(rel) = path.strip_prefix(root) else { continue };
            let rel = rel.to_path_buf();
            let Some(base) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
            if exclude.iter().any(|x| *x == base || Path::new(x) == rel) {
                continue;
            }
            let Some(rel_s) = rel.to_str().map(str::to_string) else {
                plan.warnings.push(format!("skipped {} (the name is not UTF-8)", path.display()));
                continue;
            };
            let meta = fs::symlink_metadata(&path).map_err(|e| io(&path, e))?;
            let ft = meta.file_type();
            let name = format!("files/{rel_s}");
            if ft.is_dir() {
                if keep(&rel, true) {
                    plan.items.push(Item::Dir { disk: path.clone(), name });
                    subdirs.push(path);
                }
            } else if ft.is_file() {
                if keep(&rel, false) {
                    plan.total += meta.len();
                    plan.items.push(Item::File { disk: path, name });
                }
            } else if ft.is_symlink() {
                if keep(&rel, false) {
                    plan.items.push(Item::Symlink { disk: path, name });
                }
            } else {
                plan.warnings.push(format!("skipped {} (not a file, directory or link)", path.display()));
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}
