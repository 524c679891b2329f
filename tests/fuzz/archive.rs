//! The backup archive reader: preamble, header JSON, GCM chunk frames, the
//! zstd/gzip stream, the tar stream, the manifest and the end — starting
//! from valid archives written by the real writer (plain zstd, plain gzip,
//! encrypted with small chunks) and mutating them; and tar streams built
//! entry by entry from hostile names and links inside a valid envelope.
//!
//! Properties: never a panic; an archive that verifies (or extracts) is
//! exactly the one written — same manifest, same files — so nothing changed
//! can pass every check and be trusted (a restore swaps in, and a create
//! catalogues, only what passed them); and extraction never writes outside
//! its target, by path or through a link.

use crate::support::{self, mutated};
use homedeck::engine::internals::backup::archive::extract::extract;
use homedeck::engine::internals::backup::archive::header::{Compression, Encryption, Header, KeyRef};
use homedeck::engine::internals::backup::archive::reader::{Depth, open_stream, verify_opened};
use homedeck::engine::internals::backup::archive::safety::Limits;
use homedeck::engine::internals::backup::archive::sealed::derive_key;
use homedeck::engine::internals::backup::archive::writer::{ArchiveWriter, Job};
use homedeck::engine::internals::backup::archive::{Manifest, ManifestEntry};
use homedeck::engine::internals::vault::crypto::{KdfParams, Key};
use proptest::prelude::*;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

pub struct Sample {
    pub bytes: Vec<u8>,
    /// The file's SHA-256, as the catalog records it.
    pub sha256: String,
    pub key: Option<Key>,
    pub manifest: Manifest,
}

fn header(compression: Compression, encryption: Option<Encryption>) -> Header {
    Header { format: 1, compression, encryption, source: "fuzz".into(), kind: "dir".into(), created: chrono::Utc::now(), homedeck: "fuzz".into() }
}

/// The key is derived once per run (Argon2 at homedeck's floor: 64 MiB, t=3).
fn encryption() -> Encryption {
    Encryption { key: KeyRef::Password, kdf: KdfParams::DEFAULT, salt: "ab".repeat(16), nonce_prefix: "00000001".into(), chunk_size: 1024 }
}

/// The source tree every sample holds.
fn source() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("sub/deeper")).unwrap();
        std::fs::write(d.join("flows.json"), br#"[{"id":"1","type":"tab","label":"Flow 1"}]"#).unwrap();
        let noise: Vec<u8> = (0u32..6000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(d.join("sub/data.bin"), noise).unwrap();
        std::fs::write(d.join("sub/deeper/empty"), b"").unwrap();
        std::os::unix::fs::symlink("../flows.json", d.join("sub/link")).unwrap();
        t
    })
    .path()
}

fn write(compression: Compression, key: Option<(&Key, Encryption)>) -> Sample {
    let src = source();
    let out = tempfile::NamedTempFile::new().unwrap();
    let enc = key.as_ref().map(|(_, e)| e.clone());
    let mut w = ArchiveWriter::create(out.reopen().unwrap(), &header(compression, enc), key.as_ref().map(|(k, _)| *k), Job::default()).unwrap();
    w.add_dir(&src.join("sub"), "files/sub").unwrap();
    w.add_dir(&src.join("sub/deeper"), "files/sub/deeper").unwrap();
    for f in ["flows.json", "sub/data.bin", "sub/deeper/empty"] {
        w.add_file(&src.join(f), &format!("files/{f}")).unwrap();
    }
    w.add_symlink(&src.join("sub/link"), "files/sub/link").unwrap();
    w.add_bytes("live/flows.json", b"[]", 0o600).unwrap();
    let done = w.finish().unwrap();
    let bytes = std::fs::read(out.path()).unwrap();
    let sha256 = homedeck::engine::internals::digest::sha256_hex(&bytes);
    Sample { bytes, sha256, key: key.map(|(k, _)| k.clone()), manifest: done.manifest }
}

/// Plain zstd, plain gzip, and encrypted zstd in 1 KiB GCM chunks.
pub fn samples() -> &'static [Sample] {
    static S: OnceLock<Vec<Sample>> = OnceLock::new();
    S.get_or_init(|| {
        let key = derive_key(b"correct horse", &encryption()).unwrap();
        vec![write(Compression::Zstd, None), write(Compression::Gzip, None), write(Compression::Zstd, Some((&key, encryption())))]
    })
}

/// A mutated archive: which sample, and its bytes.
fn mutated_archive() -> impl Strategy<Value = (usize, Vec<u8>)> {
    (0..samples().len()).prop_flat_map(|i| (Just(i), mutated(vec![samples()[i].bytes.clone()])))
}

/// Read every entry and check it against the manifest; with `sha256`, the
/// file's hash too (as `backup verify` and a restore do, with the catalog's).
fn read_back(sample: &Sample, bytes: Vec<u8>, sha256: Option<&str>) -> std::io::Result<Manifest> {
    let opened = open_stream(std::io::Cursor::new(bytes), sample.key.as_ref(), false)?;
    Ok(verify_opened(opened, sha256, &Job::default(), Depth::EveryEntry)?.manifest)
}

/// Everything under `dir`, without following links.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.push(p.clone());
        if std::fs::symlink_metadata(&p).unwrap().is_dir() {
            walk(&p, out);
        }
    }
}

/// `path` made lexical (no `.`/`..`), or None if it climbs above its start.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Nothing was written beside `target`, and no link in it leads out.
fn assert_contained(base: &Path, target: &Path) -> Result<(), TestCaseError> {
    let beside: Vec<_> = std::fs::read_dir(base).unwrap().map(|e| e.unwrap().file_name()).collect();
    prop_assert_eq!(beside, vec![target.file_name().unwrap().to_owned()], "written outside the target");
    let mut all = Vec::new();
    walk(target, &mut all);
    for p in all {
        let rel = p.strip_prefix(target).unwrap();
        if let Ok(link) = std::fs::read_link(&p) {
            prop_assert!(link.is_relative(), "{} links to the absolute {}", rel.display(), link.display());
            let resolved = normalise(&rel.parent().unwrap_or(Path::new("")).join(&link));
            prop_assert!(resolved.is_some(), "{} links out of the target to {}", rel.display(), link.display());
        }
    }
    Ok(())
}

fn extract_into_fresh(sample_key: Option<&Key>, bytes: Vec<u8>) -> (tempfile::TempDir, PathBuf, std::io::Result<Manifest>) {
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let r = open_stream(std::io::Cursor::new(bytes), sample_key, false).and_then(|o| extract(o, &target, &Limits::default(), None, &Job::default(), None)).map(|x| x.manifest);
    (base, target, r)
}

proptest! {
    #![proptest_config(support::config(400))]

    /// `backup verify` on a changed archive (the catalog's SHA-256 given):
    /// refused unless it is byte for byte the one written. Without the file
    /// hash (the entry-by-entry checks alone), whatever passes still holds
    /// exactly the entries written — paths, kinds, sizes, modes, contents —
    /// and the manifest's source, kind and time. (Modes and `created` were
    /// once outside these checks: the fuzzer changed a directory's 0755 to
    /// 0760, and a digit of `created`, and both passed.)
    #[test]
    fn archive_verify((i, bytes) in mutated_archive()) {
        let s = &samples()[i];
        match read_back(s, bytes.clone(), Some(&s.sha256)) {
            Ok(m) => {
                prop_assert_eq!(&bytes, &s.bytes, "a changed archive verified");
                prop_assert_eq!(m, s.manifest.clone());
            }
            Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
        }
        if let Ok(m) = read_back(s, bytes, None) {
            let key = |es: &[ManifestEntry]| es.iter().map(|e| (e.path.clone(), e.kind, e.size, e.mode, e.sha256.clone(), e.link.clone())).collect::<Vec<_>>();
            prop_assert_eq!(key(&m.entries), key(&s.manifest.entries), "a changed archive passed the entry checks with other entries");
            prop_assert_eq!((&m.source, &m.kind, m.created), (&s.manifest.source, &s.manifest.kind, s.manifest.created));
        }
    }

    /// A restore's extraction of a changed archive: inside the target only;
    /// when it succeeds, the files are the ones written.
    #[test]
    fn archive_extract((i, bytes) in mutated_archive()) {
        let s = &samples()[i];
        let (base, target, r) = extract_into_fresh(s.key.as_ref(), bytes);
        assert_contained(base.path(), &target)?;
        if let Ok(m) = r {
            prop_assert_eq!(m.entries.len(), s.manifest.entries.len());
            for f in ["flows.json", "sub/data.bin", "sub/deeper/empty"] {
                prop_assert_eq!(std::fs::read(target.join("files").join(f)).unwrap(), std::fs::read(source().join(f)).unwrap(), "{}", f);
            }
        }
    }

    /// Tar streams of hostile entries (`..`, absolute paths, links out,
    /// links then files through them, hard links) in a valid envelope with
    /// a manifest that lists them: extraction stays inside the target, and
    /// succeeds only when no entry needed refusing.
    #[test]
    fn hostile_tar_entries(entries in proptest::collection::vec(hostile_entry(), 1..8)) {
        let bytes = envelope(&entries);
        let (base, target, r) = extract_into_fresh(None, bytes);
        assert_contained(base.path(), &target)?;
        if r.is_ok() {
            for e in &entries {
                prop_assert!(!e.path.split('/').any(|c| c == "..") && !e.path.starts_with('/'), "accepted {:?}", e.path);
                if let Some(l) = &e.link {
                    prop_assert!(!l.starts_with('/'), "accepted a link to {l:?}");
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hostile {
    path: String,
    /// 0 file, 1 dir, 2 symlink, 3 hard link.
    kind: u8,
    link: Option<String>,
}

fn hostile_entry() -> impl Strategy<Value = Hostile> {
    let part = prop_oneof![Just("files"), Just("live"), Just(".."), Just("."), Just("a"), Just("b"), Just("link"), Just(""), Just("etc")];
    let path = proptest::collection::vec(part.clone(), 1..5).prop_map(|p| p.join("/"));
    let rooted = prop_oneof![4 => path.clone().prop_map(|p| format!("files/{p}")), 1 => path.clone().prop_map(|p| format!("/{p}")), 1 => path.clone()];
    let target = prop_oneof![path.clone(), path.prop_map(|p| format!("/{p}")), Just("../../..".to_string()), Just("/etc/passwd".to_string())];
    (rooted, 0u8..4, target).prop_map(|(path, kind, t)| Hostile { link: (kind >= 2).then_some(t), path, kind })
}

/// A plain zstd archive around a tar of `entries` and a manifest of them.
fn envelope(entries: &[Hostile]) -> Vec<u8> {
    envelope_with(entries, |_| {})
}

/// [`envelope`] with the manifest changed by `tamper` before it is written.
fn envelope_with(entries: &[Hostile], tamper: impl Fn(&mut Manifest)) -> Vec<u8> {
    let archive_header = header(Compression::Zstd, None);
    let mut tar = tar::Builder::new(Vec::new());
    let mut listed = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let data: &[u8] = if e.kind == 0 { b"content" } else { b"" };
        h.set_entry_type(match e.kind {
            0 => tar::EntryType::Regular,
            1 => tar::EntryType::Directory,
            2 => tar::EntryType::Symlink,
            _ => tar::EntryType::Link,
        });
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        // Raw names: the tar crate's setters refuse `..`, an attacker's tool does not.
        let name = e.path.as_bytes();
        let n = name.len().min(99);
        h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
        if let Some(l) = &e.link {
            let n = l.len().min(99);
            h.as_old_mut().linkname[..n].copy_from_slice(&l.as_bytes()[..n]);
        }
        h.set_cksum();
        tar.append(&h, data).unwrap();
        listed.push(ManifestEntry {
            path: e.path.clone(),
            kind: match e.kind {
                1 => homedeck::engine::internals::backup::archive::manifest::EntryKind::Dir,
                2 => homedeck::engine::internals::backup::archive::manifest::EntryKind::Symlink,
                _ => homedeck::engine::internals::backup::archive::manifest::EntryKind::File,
            },
            size: data.len() as u64,
            mode: 0o644,
            sha256: if e.kind == 0 { homedeck::engine::internals::digest::sha256_hex(data) } else { String::new() },
            link: e.link.clone(),
        });
    }
    let mut manifest =
        Manifest { source: "fuzz".into(), kind: "dir".into(), homedeck: "fuzz".into(), created: archive_header.created, entries: listed, warnings: vec![] };
    tamper(&mut manifest);
    let json = serde_json::to_vec(&manifest).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(json.len() as u64);
    h.set_mode(0o600);
    h.set_path(".homedeck/manifest.json").unwrap();
    h.set_cksum();
    tar.append(&h, json.as_slice()).unwrap();
    let tar = tar.into_inner().unwrap();
    let mut out = Vec::new();
    archive_header.write_to(&mut out).unwrap();
    out.extend(zstd::encode_all(tar.as_slice(), 3).unwrap());
    out
}

/// Found by `archive_verify`: without the file hash, a manifest that gave a
/// directory another mode (0755 → 0760), or another `created`, passed the
/// entry checks. Both are refused now, by verify and by a restore, naming
/// the entry or field.
#[test]
fn tampered_manifest_modes_and_time_are_refused() {
    let entries = vec![Hostile { path: "files/a".into(), kind: 1, link: None }, Hostile { path: "files/a/b".into(), kind: 0, link: None }];
    let mode = envelope_with(&entries, |m| m.entries[0].mode = 0o760);
    let time = envelope_with(&entries, |m| m.created += chrono::Duration::seconds(1));
    for (bytes, says) in [(mode, "files/a: mode 0644 in the archive, 0760 in the manifest"), (time, "the manifest's created is")] {
        let opened = open_stream(std::io::Cursor::new(bytes.clone()), None, false).unwrap();
        let Err(e) = verify_opened(opened, None, &Job::default(), Depth::EveryEntry) else { panic!("verify passed: {says}") };
        let e = e.to_string();
        assert!(e.contains(says), "verify: {e}");
        let (_base, _target, r) = extract_into_fresh(None, bytes);
        let e = r.unwrap_err().to_string();
        assert!(e.contains(says), "restore: {e}");
    }
}

/// The envelope is a real archive: with harmless entries it extracts.
#[test]
fn a_harmless_envelope_extracts() {
    let entries = vec![
        Hostile { path: "files/a".into(), kind: 1, link: None },
        Hostile { path: "files/a/b".into(), kind: 0, link: None },
        Hostile { path: "files/a/link".into(), kind: 2, link: Some("b".into()) },
    ];
    let (_base, target, r) = extract_into_fresh(None, envelope(&entries));
    r.unwrap();
    assert_eq!(std::fs::read(target.join("files/a/b")).unwrap(), b"content");
}

/// A 4 GiB header length and a 4 GiB GCM chunk length are refused from the
/// prefix, not allocated (the allocator cap would abort this binary).
#[test]
fn huge_length_prefixes_are_refused() {
    let s = &samples()[0];
    let mut bytes = s.bytes.clone();
    bytes[5..9].copy_from_slice(&u32::MAX.to_be_bytes());
    let e = read_back(s, bytes, None).unwrap_err().to_string();
    assert!(e.contains(&u32::MAX.to_string()), "{e}");
    // The first GCM frame of the encrypted sample: flag byte, then u32 length.
    let s = &samples()[2];
    let header_len = u32::from_be_bytes(s.bytes[5..9].try_into().unwrap()) as usize;
    let mut bytes = s.bytes.clone();
    bytes[9 + header_len + 1..9 + header_len + 5].copy_from_slice(&u32::MAX.to_be_bytes());
    let e = read_back(s, bytes, None).unwrap_err().to_string();
    assert!(e.contains(&format!("chunk 0 claims {} bytes", u32::MAX)), "{e}");
}
