//! Extracting an archive into a fresh staging directory, refusing hostile
//! entries (see `safety`) before writing them, never writing through a
//! symlink, and checking every hash against the manifest at the end — or,
//! when an earlier pass over the same archive already did, checking that
//! this pass read the very same tar stream. The caller swaps the staging
//! directory in only when this succeeds.

use super::manifest::{Manifest, Seen, SeenEntry, header_mode};
use super::reader::{Digesting, Opened};
use super::safety::{self, Limits, Refused};
use super::writer::Job;
use super::{MANIFEST_PATH, Sha256, StreamDigest, bad};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

pub struct Extracted {
    pub manifest: Manifest,
    pub files: u64,
    pub bytes: u64,
    /// The archive file's size and SHA-256, as read in this pass (the
    /// caller compares them with the catalog before using the result).
    pub size: u64,
    pub sha256: String,
}

fn refused(r: Refused) -> io::Error {
    bad(r.to_string())
}

/// Create the directories leading to `rel` under `root`, refusing to pass
/// through anything that is not a real directory (a symlink planted by an
/// earlier entry, say).
fn make_parents(root: &Path, rel: &Path, shown: &str) -> io::Result<PathBuf> {
    let mut at = root.to_path_buf();
    let parents: Vec<_> = rel.parent().map(|p| p.components().collect()).unwrap_or_default();
    for c in parents {
        at.push(c);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(refused(Refused { entry: shown.into(), reason: format!("{} is not a directory (a link or file is in the way)", at.display()) })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&at)?,
            Err(e) => return Err(e),
        }
    }
    Ok(root.join(rel))
}

/// Extract `opened` under `root` (which must be empty). `only` limits the
/// files written to one content path (e.g. `flows.json`); everything is
/// still read and verified.
///
/// `verified_stream` is the tar-stream digest of a full verification of
/// this archive just before (a restore's first pass, which checked every
/// entry's SHA-256 and the file's against the catalog). Given it, entries
/// are not hashed again; instead the whole stream must digest the same, so
/// an archive changed between the two passes is refused before the swap.
pub fn extract(mut opened: Opened, root: &Path, limits: &Limits, only: Option<&str>, job: &Job, verified_stream: Option<u128>) -> io::Result<Extracted> {
    let mut seen = Seen::default();
    let mut manifest: Option<Manifest> = None;
    let (mut total, mut count, mut files, mut bytes) = (0u64, 0u64, 0u64, 0u64);
    let hash_entries = verified_stream.is_none();
    let mut stream = Digesting { inner: &mut opened.tar, digest: StreamDigest::default() };
    {
        // One buffer for every entry (24 000 small files must not mean 24 000 allocations).
        let mut buf = vec![0u8; 128 * 1024];
        let mut ar = tar::Archive::new(&mut stream);
        for entry in ar.entries()? {
            job.check()?;
            let mut entry = entry?;
            let raw = entry.path_bytes().into_owned();
            let shown = String::from_utf8_lossy(&raw).into_owned();
            if manifest.is_some() {
                return Err(bad(format!("entry {shown:?} follows the manifest: the archive was altered")));
            }
            let kind = entry.header().entry_type();
            safety::entry_type(&shown, kind).map_err(refused)?;
            let rel = safety::entry_path(&raw).map_err(refused)?;
            let size = entry.header().size()?;
            safety::size(&shown, size, &mut total, &mut count, limits).map_err(refused)?;
            if shown == MANIFEST_PATH {
                manifest = Some(Manifest::read_from(&mut entry)?);
                continue;
            }
            let mut parts = rel.components();
            let top = parts.next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
            let inside: PathBuf = parts.as_path().to_path_buf();
            if !(top == "files" || top == "live") || inside.as_os_str().is_empty() && kind != tar::EntryType::Directory {
                return Err(refused(Refused { entry: shown, reason: "entries must live under files/ or live/".into() }));
            }
            let wanted = only.is_none_or(|o| Path::new(o) == inside);
            let key = rel.to_string_lossy().into_owned();
            let own_mode = header_mode(entry.header(), &shown)?;
            match kind {
                tar::EntryType::Directory => {
                    if wanted && only.is_none() {
                        let dest = make_parents(root, &rel, &shown)?;
                        match fs::symlink_metadata(&dest) {
                            Ok(m) if m.is_dir() => {}
                            Ok(_) => return Err(refused(Refused { entry: shown, reason: "a non-directory is in the way".into() })),
                            Err(_) => fs::create_dir(&dest)?,
                        }
                    }
                    seen.add(key, SeenEntry { size: 0, sha256: None, mode: own_mode });
                }
                tar::EntryType::Symlink => {
                    let target = entry.link_name_bytes().map(|c| c.into_owned()).unwrap_or_default();
                    safety::symlink_target(&inside, &target)
                        .map_err(|r| refused(Refused { entry: shown.clone(), reason: r.reason }))?;
                    if wanted {
                        let dest = make_parents(root, &rel, &shown)?;
                        let t = std::str::from_utf8(&target).map_err(|_| bad("link target is not UTF-8"))?;
                        std::os::unix::fs::symlink(t, &dest)
                            .map_err(|e| refused(Refused { entry: shown.clone(), reason: format!("cannot create the link: {e}") }))?;
                    }
                    seen.add(key, SeenEntry { size: 0, sha256: None, mode: own_mode });
                }
                tar::EntryType::Link => {
                    let target = entry.link_name_bytes().map(|c| c.into_owned()).unwrap_or_default();
                    let t = safety::hardlink_target(&rel, &target).map_err(refused)?;
                    let tkey = t.to_string_lossy().into_owned();
                    let Some(target_seen) = seen.get(&tkey) else {
                        return Err(refused(Refused { entry: shown, reason: format!("hard link to {tkey:?}, which is not an earlier file of this archive") }));
                    };
                    if wanted {
                        let src = root.join(&t);
                        let meta = fs::symlink_metadata(&src)?;
                        if !meta.is_file() {
                            return Err(refused(Refused { entry: shown, reason: format!("hard link to {tkey:?}, which is not a regular file") }));
                        }
                        let dest = make_parents(root, &rel, &shown)?;
                        fs::copy(&src, &dest)?;
                    }
                    seen.add(key, SeenEntry { mode: own_mode, ..target_seen });
                }
                _ => {
                    let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
                    let mut out = if wanted {
                        let dest = make_parents(root, &rel, &shown)?;
                        let f = OpenOptions::new().write(true).create_new(true).mode(mode | 0o200).open(&dest).map_err(|e| {
                            refused(Refused { entry: shown.clone(), reason: format!("cannot create it ({e}); does it appear twice?") })
                        })?;
                        // Written in 128 KiB pieces straight from `buf`: no buffer per file.
                        Some(f)
                    } else {
                        None
                    };
                    let mut h = Sha256::default();
                    let mut n = 0u64;
                    loop {
                        let k = entry.read(&mut buf)?;
                        if k == 0 {
                            break;
                        }
                        n += k as u64;
                        if n > size {
                            return Err(refused(Refused { entry: shown, reason: "holds more bytes than it declares".into() }));
                        }
                        if hash_entries {
                            h.update(&buf[..k]);
                        }
                        if let Some(o) = out.as_mut() {
                            o.write_all(&buf[..k])?;
                        }
                        job.done_bytes.fetch_add(k as u64, Ordering::Relaxed);
                    }
                    if let Some(f) = out {
                                                f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
                        files += 1;
                        bytes += n;
                    }
                    seen.add(key, SeenEntry { size: n, sha256: hash_entries.then(|| h.hex()), mode: own_mode });
                }
            }
        }
    }
    io::copy(&mut stream, &mut io::sink())?;
    if let Some(want) = verified_stream
        && stream.digest.value() != want
    {
        return Err(bad("the archive changed since it was verified: it does not read the same now; nothing was restored"));
    }
    let manifest = manifest.ok_or_else(|| bad("the archive has no manifest: it was cut short or altered"))?;
    manifest.check_header(&opened.header)?;
    seen.check(&manifest)?;
    let (size, sha256, _) = opened.file_hash();
    Ok(Extracted { manifest, files, bytes, size, sha256 })
}
