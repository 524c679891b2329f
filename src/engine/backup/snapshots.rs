//! Snapshots on change: watched config files (flows.json,
//! configuration.yaml, automations.yaml …) are copied into sled when they
//! change — debounced, and only when the content differs from the newest
//! snapshot. Any two snapshots of a file can be diffed (unified diff), and
//! one can be written back (atomically: temp file + rename).

use crate::engine::{BackupEvent, BackupOutcome};
use super::TREES;
use super::views::SnapshotMeta;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::store::codec::{self, Record};
use crate::engine::{Inner, Outcome};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::time::Duration;

/// Files larger than this are not snapshotted (they are not config files).
pub const MAX_SNAPSHOT: u64 = 4 << 20;
/// Quiet time after the last change before a snapshot is taken.
pub const DEBOUNCE: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Snapshot {
    meta: SnapshotMeta,
    /// zstd-compressed content, base64.
    content: String,
}

impl Record for Snapshot {
    const WHAT: &'static str = "file snapshot";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Watched {
    added: DateTime<Utc>,
}

impl Record for Watched {
    const WHAT: &'static str = "watched file";
}

pub(crate) fn watched(inner: &Inner) -> EngineResult<Vec<String>> {
    let t = inner.store.tree(TREES.watched)?;
    Ok(t.iter().keys().filter_map(|k| k.ok().map(|k| String::from_utf8_lossy(&k).into_owned())).collect())
}

fn all(inner: &Inner) -> EngineResult<Vec<Snapshot>> {
    inner.store.tree(TREES.snapshots)?.iter().values().map(|v| codec::decode(&v?)).collect()
}

fn get(inner: &Inner, id: u64) -> EngineResult<Snapshot> {
    inner.store.get(&inner.store.tree(TREES.snapshots)?, id.to_be_bytes())?.ok_or_else(|| EngineError::not_found_id("snapshot", id))
}

fn content(s: &Snapshot) -> EngineResult<Vec<u8>> {
    let z = base64::engine::general_purpose::STANDARD.decode(&s.content).map_err(|e| EngineError::Corrupt { what: "snapshot".into(), detail: e.to_string() })?;
    zstd::decode_all(z.as_slice()).map_err(|e| EngineError::Corrupt { what: "snapshot".into(), detail: e.to_string() })
}

/// Snapshot `file` if it differs from its newest snapshot. Returns the new id.
pub(crate) fn take(inner: &Inner, file: &str) -> EngineResult<Option<SnapshotMeta>> {
    let p = Path::new(file);
    let meta = std::fs::metadata(p).map_err(|e| EngineError::invalid("file", file, &format!("a readable file ({e})")))?;
    if meta.len() > MAX_SNAPSHOT {
        return Err(EngineError::invalid("file", file, &format!("a config file of at most {MAX_SNAPSHOT} bytes")));
    }
    let data = std::fs::read(p).map_err(|e| EngineError::invalid("file", file, &format!("a readable file ({e})")))?;
    let sha = crate::engine::digest::sha256_hex(&data);
    let newest = all(inner)?.into_iter().filter(|s| s.meta.file == file).max_by_key(|s| s.meta.id);
    if newest.is_some_and(|n| n.meta.sha256 == sha) {
        return Ok(None);
    }
    let z = zstd::encode_all(data.as_slice(), 3).map_err(|e| EngineError::Other(e.to_string()))?;
    let id = inner.store.next_counter("snapshot_id")?;
    let m = SnapshotMeta { id, file: file.to_string(), taken: Utc::now(), size: data.len() as u64, sha256: sha };
    let s = Snapshot { meta: m.clone(), content: base64::engine::general_purpose::STANDARD.encode(z) };
    inner.store.put(&inner.store.tree(TREES.snapshots)?, id.to_be_bytes(), &s)?;
    inner.store.flush()?;
    inner.emit(Event::Backup(BackupEvent::BackupSnapshotTaken { snapshot: m.clone() }));
    Ok(Some(m))
}

fn absolute(file: &str) -> EngineResult<String> {
    let p = Path::new(file.trim());
    if !p.is_absolute() {
        return Err(EngineError::invalid("file", file, "an absolute path"));
    }
    Ok(p.to_string_lossy().into_owned())
}

pub(crate) fn watch_add(inner: &Inner, ctx: &mut Ctx, file: &str) -> EngineResult<Outcome> {
    let file = absolute(file)?;
    ctx.resource("watched_file", None, Some(file.clone()));
    if !Path::new(&file).is_file() {
        return Err(EngineError::invalid("file", &file, "an existing file"));
    }
    inner.store.put(&inner.store.tree(TREES.watched)?, file.as_bytes(), &Watched { added: Utc::now() })?;
    let first = take(inner, &file)?;
    inner.backup.watch_changed.notify_one();
    ctx.describe(format!("watching {file} for changes"));
    Ok(Outcome::Backup(BackupOutcome::BackupSnapshots { snapshots: first.into_iter().collect() }))
}

pub(crate) fn watch_remove(inner: &Inner, ctx: &mut Ctx, file: &str) -> EngineResult<Outcome> {
    ctx.resource("watched_file", None, Some(file.to_string()));
    if inner.store.tree(TREES.watched)?.remove(file.as_bytes())?.is_none() {
        return Err(EngineError::not_found("watched file", file));
    }
    inner.backup.watch_changed.notify_one();
    ctx.describe(format!("stopped watching {file} (its snapshots stay)"));
    list(inner, None)
}

pub(crate) fn list(inner: &Inner, file: Option<String>) -> EngineResult<Outcome> {
    let mut v: Vec<SnapshotMeta> = all(inner)?.into_iter().map(|s| s.meta).filter(|m| file.as_ref().is_none_or(|f| f.is_empty() || &m.file == f)).collect();
    v.sort_by_key(|m| std::cmp::Reverse(m.id));
    Ok(Outcome::Backup(BackupOutcome::BackupSnapshots { snapshots: v }))
}

/// Unified diff from snapshot `a` to `b` (`b` absent: to the file on disk now).
pub(crate) fn diff(inner: &Inner, a: u64, b: Option<u64>) -> EngineResult<Outcome> {
    let sa = get(inner, a)?;
    let (label_b, text_b) = match b {
        Some(b) => {
            let sb = get(inner, b)?;
            (format!("{} @ #{b} {}", sb.meta.file, sb.meta.taken.format("%F %T")), content(&sb)?)
        }
        None => (format!("{} (now)", sa.meta.file), std::fs::read(&sa.meta.file).unwrap_or_default()),
    };
    let ta = String::from_utf8_lossy(&content(&sa)?).into_owned();
    let tb = String::from_utf8_lossy(&text_b).into_owned();
    let label_a = format!("{} @ #{a} {}", sa.meta.file, sa.meta.taken.format("%F %T"));
    let diff = similar::TextDiff::from_lines(&ta, &tb).unified_diff().context_radius(3).header(&label_a, &label_b).to_string();
    Ok(Outcome::Backup(BackupOutcome::BackupDiff { a, b, diff }))
}

/// A snapshot's file, time and content, for the preview of its restore.
pub(crate) fn snapshot_content(inner: &Inner, id: u64) -> EngineResult<(String, chrono::DateTime<chrono::Utc>, Vec<u8>)> {
    let s = get(inner, id)?;
    let data = content(&s)?;
    Ok((s.meta.file, s.meta.taken, data))
}

pub(crate) fn restore(inner: &Inner, ctx: &mut Ctx, id: u64) -> EngineResult<Outcome> {
    let s = get(inner, id)?;
    ctx.resource("watched_file", Some(id.to_string()), Some(s.meta.file.clone()));
    // Keep what is there now first, so the restore itself can be undone.
    let before = if Path::new(&s.meta.file).is_file() { take(inner, &s.meta.file)? } else { None };
    let data = content(&s)?;
    let target = PathBuf::from(&s.meta.file);
    let tmp = target.with_file_name(format!(".{}.homedeck-{id}", target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    let io = |e: std::io::Error| EngineError::Other(format!("writing {}: {e}", target.display()));
    std::fs::write(&tmp, &data).map_err(io)?;
    if let Ok(m) = std::fs::metadata(&target) {
        let _ = std::fs::set_permissions(&tmp, m.permissions());
    }
    std::fs::rename(&tmp, &target).map_err(io)?;
    ctx.describe(format!(
        "restored {} from snapshot #{id} ({}){}",
        s.meta.file,
        s.meta.taken.to_rfc3339(),
        before.map(|b| format!("; the previous content is snapshot #{}", b.id)).unwrap_or_default()
    ));
    list(inner, Some(s.meta.file))
}

/// Watch the files (their directories, since editors replace files by
/// rename) and snapshot each one after it has been quiet for [`DEBOUNCE`].
/// inotify watches an inode, not a path: when a restore swaps a directory
/// (or anything moves a watched directory away) the watches are re-armed
/// on whatever is at the path now, and files that changed meanwhile are
/// snapshotted.
pub(crate) async fn watcher(weak: Weak<Inner>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = match notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the file watcher");
            return;
        }
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut pending: HashMap<PathBuf, tokio::time::Instant> = HashMap::new();
    let mut armed_epoch = u64::MAX;
    // A watched directory itself was moved or removed (a restore swapped
    // it, an editor or tool replaced it): its watch is on a dead inode.
    let mut dir_gone = false;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let files: Vec<PathBuf> = watched(&inner).unwrap_or_default().into_iter().map(PathBuf::from).collect();
        let mut want: Vec<PathBuf> = files.iter().filter_map(|f| f.parent().map(Path::to_path_buf)).collect();
        want.sort();
        want.dedup();
        let epoch = inner.backup.watch_epoch.load(std::sync::atomic::Ordering::SeqCst);
        let swapped = std::mem::take(&mut dir_gone) || (epoch != armed_epoch && armed_epoch != u64::MAX);
        if want != dirs || epoch != armed_epoch || swapped {
            armed_epoch = epoch;
            if swapped {
                // What the swap put there is new content: snapshot it (only
                // files that differ from their newest snapshot are kept).
                let at = tokio::time::Instant::now() + DEBOUNCE;
                pending.extend(files.iter().map(|f| (f.clone(), at)));
            }
            use notify::Watcher;
            for d in &dirs {
                let _ = watcher.unwatch(d);
            }
            for d in &want {
                if let Err(e) = watcher.watch(d, notify::RecursiveMode::NonRecursive) {
                    tracing::warn!(dir = %d.display(), error = %e, "cannot watch");
                }
            }
            dirs = want;
        }
        let changed = inner.backup.watch_changed.clone();
        drop(inner);
        let deadline = pending.values().min().copied();
        tokio::select! {
            Some(p) = rx.recv() => {
                if files.contains(&p) {
                    pending.insert(p, tokio::time::Instant::now() + DEBOUNCE);
                } else if dirs.contains(&p) {
                    dir_gone = true;
                }
            }
            _ = changed.notified() => {}
            _ = async { match deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => {
                let now = tokio::time::Instant::now();
                let ready: Vec<PathBuf> = pending.iter().filter(|(_, t)| **t <= now).map(|(p, _)| p.clone()).collect();
                let Some(inner) = weak.upgrade() else { return };
                for p in ready {
                    pending.remove(&p);
                    if p.is_file() && let Err(e) = take(&inner, &p.to_string_lossy()) {
                        tracing::warn!(file = %p.display(), error = %e, "snapshot failed");
                    }
                }
            }
        }
    }
}
