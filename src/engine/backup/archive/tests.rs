//! Round trips, tampering and hostile archives, with no engine around.

use super::extract::extract;
use super::header::{CHUNK_SIZE, Encryption, Header};
use super::reader::{open, verify};
use super::safety::Limits;
use super::sealed::derive_key;
use super::writer::{ArchiveWriter, Job};
use super::{Compression, KeyRef};
use crate::engine::vault::crypto::{KdfParams, Key};
use std::fs;
use std::path::Path;

fn header(compression: Compression, enc: Option<Encryption>) -> Header {
    Header {
        format: 1,
        compression,
        encryption: enc,
        source: "test".into(),
        kind: "dir".into(),
        created: chrono::Utc::now(),
        homedeck: "test".into(),
    }
}

fn encryption() -> Encryption {
    Encryption { key: KeyRef::Password, kdf: KdfParams::DEFAULT, salt: "ab".repeat(16), nonce_prefix: "00000001".into(), chunk_size: 4096 }
}

fn tree(dir: &Path) {
    fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    fs::write(dir.join("flows.json"), br#"[{"id":"1","type":"tab"}]"#).unwrap();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    fs::write(dir.join("sub/big.bin"), noise).unwrap();
    fs::write(dir.join("sub/deeper/empty"), b"").unwrap();
    std::os::unix::fs::symlink("../flows.json", dir.join("sub/link")).unwrap();
}

fn write(path: &Path, src: &Path, h: &Header, key: Option<&Key>) -> super::overlap::Written {
    let f = write_finished(path, src, h, key);
    super::overlap::Written { manifest: f.manifest, size: f.size, sha256: crate::engine::digest::sha256_hex(&fs::read(path).unwrap()) }
}

fn write_finished(path: &Path, src: &Path, h: &Header, key: Option<&Key>) -> super::writer::Finished {
    let mut w = ArchiveWriter::create(fs::File::create(path).unwrap(), h, key, Job::default()).unwrap();
    w.add_dir(&src.join("sub"), "files/sub").unwrap();
    w.add_dir(&src.join("sub/deeper"), "files/sub/deeper").unwrap();
    for f in ["flows.json", "sub/big.bin", "sub/deeper/empty"] {
        w.add_file(&src.join(f), &format!("files/{f}")).unwrap();
    }
    w.add_symlink(&src.join("sub/link"), "files/sub/link").unwrap();
    w.add_bytes("live/flows.json", b"[]", 0o600).unwrap();
    w.finish().unwrap()
}

#[test]
fn plain_and_encrypted_round_trips() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let key = derive_key(b"correct horse", &encryption()).unwrap();
    for (i, (comp, enc)) in [(Compression::Zstd, None), (Compression::Gzip, None), (Compression::Zstd, Some(encryption())), (Compression::Gzip, Some(encryption()))]
        .into_iter()
        .enumerate()
    {
        let k = enc.as_ref().map(|_| &key);
        let path = t.path().join(format!("a{i}.hdbk"));
        let written = write(&path, &src, &header(comp, enc.clone()), k);
        assert_eq!(written.size, fs::metadata(&path).unwrap().len());
        let v = verify(&path, k, Some(&written.sha256), &Job::default()).unwrap();
        assert_eq!(v.manifest, written.manifest);
        assert_eq!(v.sha256, written.sha256);
        let out = t.path().join(format!("out{i}"));
        fs::create_dir(&out).unwrap();
        let x = extract(open(&path, k).unwrap(), &out, &Limits::default(), None, &Job::default(), None).unwrap();
        assert_eq!(x.files, 4);
        assert_eq!(fs::read(out.join("files/sub/big.bin")).unwrap(), fs::read(src.join("sub/big.bin")).unwrap());
        assert_eq!(fs::read_link(out.join("files/sub/link")).unwrap(), Path::new("../flows.json"));
        assert_eq!(fs::read(out.join("live/flows.json")).unwrap(), b"[]");
        if enc.is_some() {
            // The plaintext never appears in an encrypted file.
            let raw = fs::read(&path).unwrap();
            assert!(!raw.windows(9).any(|w| w == b"\"type\":\"t"));
            assert!(open(&path, None).err().unwrap().to_string().contains("encrypted"));
        }
    }
}

#[test]
fn tampered_truncated_and_wrong_password_are_detected() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let mut enc = encryption();
    enc.chunk_size = CHUNK_SIZE.min(4096);
    let key = derive_key(b"pw", &enc).unwrap();
    let path = t.path().join("a.hdbk");
    let w = write(&path, &src, &header(Compression::Zstd, Some(enc.clone())), Some(&key));
    let raw = fs::read(&path).unwrap();
    let job = Job::default();
    let check = |bytes: &[u8], k: &Key, want: &str| {
        let p = t.path().join("bad.hdbk");
        fs::write(&p, bytes).unwrap();
        let e = verify(&p, Some(k), None, &job).err().expect("must fail").to_string();
        assert!(e.contains(want), "wanted {want:?} in {e:?}");
    };
    let wrong = derive_key(b"wrong", &enc).unwrap();
    check(&raw, &wrong, "wrong password");
    let mut flipped = raw.clone();
    let at = raw.len() - 30;
    flipped[at] ^= 0x40;
    check(&flipped, &key, "failed authentication");
    check(&raw[..raw.len() - 10], &key, "truncated");
    check(&raw[..raw.len() / 2], &key, "truncated");
    // A changed header (gzip instead of zstd) fails every chunk.
    let hlen = u32::from_be_bytes(raw[5..9].try_into().unwrap()) as usize;
    let hjson = String::from_utf8(raw[9..9 + hlen].to_vec()).unwrap().replace("\"zstd\"", "\"gzip\"");
    let mut swapped = raw[..5].to_vec();
    swapped.extend_from_slice(&(hjson.len() as u32).to_be_bytes());
    swapped.extend_from_slice(hjson.as_bytes());
    swapped.extend_from_slice(&raw[9 + hlen..]);
    check(&swapped, &key, "wrong password");
    // Catalog hash mismatch on a plain archive with an appended byte.
    let plain = t.path().join("p.hdbk");
    let pw = write(&plain, &src, &header(Compression::Zstd, None), None);
    let mut p = fs::read(&plain).unwrap();
    p[20] ^= 1; // inside the header JSON
    fs::write(&plain, &p).unwrap();
    assert!(verify(&plain, None, Some(&pw.sha256), &job).is_err());
    let _ = w;
}

/// A plain zstd homedeck archive around hand-made tar bytes.
fn hostile(t: &Path, name: &str, build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> std::path::PathBuf {
    let mut b = tar::Builder::new(Vec::new());
    build(&mut b);
    let tar_bytes = b.into_inner().unwrap();
    let mut out = Vec::new();
    header(Compression::Zstd, None).write_to(&mut out).unwrap();
    out.extend_from_slice(&zstd::encode_all(tar_bytes.as_slice(), 3).unwrap());
    let p = t.join(format!("{name}.hdbk"));
    fs::write(&p, out).unwrap();
    p
}

fn raw_header(kind: tar::EntryType, path: &[u8], size: u64) -> tar::Header {
    let mut h = tar::Header::new_old();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    // set_path refuses `..` and absolute paths; a hostile archive does not.
    let name = &mut h.as_old_mut().name;
    name[..path.len()].copy_from_slice(path);
    h.set_cksum();
    h
}

fn refused(p: &Path, limits: &Limits) -> String {
    let t = tempfile::tempdir().unwrap();
    let e = extract(open(p, None).unwrap(), t.path(), limits, None, &Job::default(), None).err().expect("must be refused").to_string();
    // Nothing escaped next to the staging dir.
    assert!(!t.path().parent().unwrap().join("escaped").exists());
    e
}

#[test]
fn hostile_archives_are_refused_naming_the_entry() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let l = Limits::default();
    let p = hostile(d, "abs", |b| {
        b.append(&raw_header(tar::EntryType::Regular, b"/tmp/escaped", 1), &b"x"[..]).unwrap();
    });
    let e = refused(&p, &l);
    assert!(e.contains("\"/tmp/escaped\"") && e.contains("absolute"), "{e}");
    let p = hostile(d, "dotdot", |b| {
        b.append(&raw_header(tar::EntryType::Regular, b"files/../../escaped", 1), &b"x"[..]).unwrap();
    });
    let e = refused(&p, &l);
    assert!(e.contains("files/../../escaped") && e.contains("`..`"), "{e}");
    let p = hostile(d, "symlink", |b| {
        let mut h = raw_header(tar::EntryType::Symlink, b"files/evil", 0);
        h.set_link_name("../../escaped").unwrap();
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    });
    let e = refused(&p, &l);
    assert!(e.contains("files/evil") && e.contains("leaves the target"), "{e}");
    let p = hostile(d, "abs-symlink", |b| {
        let mut h = raw_header(tar::EntryType::Symlink, b"files/evil", 0);
        h.set_link_name("/etc").unwrap();
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    });
    assert!(refused(&p, &l).contains("leaves the target"));
    // A link inside, then a file written through it: refused (never write through a link).
    let p = hostile(d, "through-link", |b| {
        let mut h = raw_header(tar::EntryType::Symlink, b"files/dir", 0);
        h.set_link_name("sub").unwrap();
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
        b.append(&raw_header(tar::EntryType::Regular, b"files/dir/x", 1), &b"x"[..]).unwrap();
    });
    assert!(refused(&p, &l).contains("files/dir/x"));
    let p = hostile(d, "hardlink", |b| {
        let mut h = raw_header(tar::EntryType::Link, b"files/hl", 0);
        h.as_old_mut().linkname[..11].copy_from_slice(b"/etc/shadow");
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    });
    let e = refused(&p, &l);
    assert!(e.contains("files/hl") && e.contains("hard link"), "{e}");
    let p = hostile(d, "hardlink-dotdot", |b| {
        let mut h = raw_header(tar::EntryType::Link, b"files/hl", 0);
        h.as_old_mut().linkname[..12].copy_from_slice(b"../../passwd");
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    });
    assert!(refused(&p, &l).contains("hard link"));
    let p = hostile(d, "device", |b| {
        b.append(&raw_header(tar::EntryType::Char, b"files/null", 0), &[][..]).unwrap();
    });
    let e = refused(&p, &l);
    assert!(e.contains("files/null") && e.contains("device"), "{e}");
    let p = hostile(d, "fifo", |b| {
        b.append(&raw_header(tar::EntryType::Fifo, b"files/pipe", 0), &[][..]).unwrap();
    });
    assert!(refused(&p, &l).contains("FIFO"));
    // Zip-bomb-like: a header claiming a terabyte is refused before reading.
    let p = hostile(d, "bomb", |b| {
        let mut h = raw_header(tar::EntryType::Regular, b"files/huge", 0);
        h.set_size(1 << 40);
        h.set_cksum();
        let mut data = h.as_bytes().to_vec();
        data.extend_from_slice(&[0u8; 4096]);
        b.get_mut().extend_from_slice(&data);
    });
    let e = refused(&p, &l);
    assert!(e.contains("files/huge") && e.contains("over the"), "{e}");
    // Many small entries adding up past the total.
    let small = Limits { max_entry: 1 << 20, max_total: 3 << 20, max_entries: 100 };
    let p = hostile(d, "total", |b| {
        for i in 0..4 {
            let mut h = raw_header(tar::EntryType::Regular, format!("files/f{i}").as_bytes(), 1 << 20);
            h.set_cksum();
            b.append(&h, std::io::repeat(0).take_bytes(1 << 20)).unwrap();
        }
    });
    let e = refused(&p, &small);
    assert!(e.contains("files/f3") && e.contains("byte limit"), "{e}");
    // Outside files/ and live/.
    let p = hostile(d, "elsewhere", |b| {
        b.append(&raw_header(tar::EntryType::Regular, b"etc/cron.d/x", 1), &b"x"[..]).unwrap();
    });
    assert!(refused(&p, &l).contains("etc/cron.d/x"));
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

#[test]
fn overlapped_verification_agrees_with_a_later_read() {
    use super::overlap::write_verified;
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let key = derive_key(b"correct horse", &encryption()).unwrap();
    for (i, enc) in [None, Some(encryption())].into_iter().enumerate() {
        let k = enc.as_ref().map(|_| &key);
        let path = t.path().join(format!("o{i}.hdbk"));
        let h = header(Compression::Zstd, enc.clone());
        let written = write_verified(&path, fs::File::create(&path).unwrap(), &h, k, &Job::default(), |w| {
            w.add_file(&src.join("sub/big.bin"), "files/sub/big.bin")?;
            w.add_file(&src.join("flows.json"), "files/flows.json")
        })
        .unwrap();
        let v = verify(&path, k, Some(&written.sha256), &Job::default()).unwrap();
        assert_eq!((v.size, v.manifest.entries.len()), (written.size, 2));
    }
}

#[test]
fn the_stream_read_back_reproduces_the_writers_digests_and_tells_trees_apart() {
    use super::reader::{Depth, verify_opened};
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let key = derive_key(b"correct horse", &encryption()).unwrap();
    for (i, (comp, enc)) in [(Compression::Zstd, None), (Compression::Gzip, Some(encryption()))].into_iter().enumerate() {
        let k = enc.as_ref().map(|_| &key);
        let path = t.path().join(format!("d{i}.hdbk"));
        let f = write_finished(&path, &src, &header(comp, enc.clone()), k);
        let v = verify_opened(open(&path, k).unwrap(), None, &Job::default(), Depth::Stream).unwrap();
        assert_eq!((v.size, v.file_digest, v.tar_digest), (f.size, f.file_digest, f.tar_digest));
        assert_eq!(v.sha256, crate::engine::digest::sha256_hex(&fs::read(&path).unwrap()));
        assert_ne!(f.file_digest, f.tar_digest);
        // One byte changed in one file: a different stream.
        let mut flows = fs::read(src.join("flows.json")).unwrap();
        flows[0] ^= 1;
        fs::write(src.join("flows.json"), &flows).unwrap();
        let g = write_finished(&t.path().join(format!("e{i}.hdbk")), &src, &header(comp, enc.clone()), k);
        assert_ne!(g.tar_digest, f.tar_digest);
        flows[0] ^= 1;
        fs::write(src.join("flows.json"), &flows).unwrap();
    }
}

#[test]
fn overlapped_verification_ends_when_the_writer_fails_or_is_cancelled() {
    use super::overlap::write_verified;
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let key = derive_key(b"correct horse", &encryption()).unwrap();
    let h = header(Compression::Zstd, Some(encryption()));
    let path = t.path().join("fail.hdbk");
    let Err(err) = write_verified(&path, fs::File::create(&path).unwrap(), &h, Some(&key), &Job::default(), |w| {
        w.add_file(&src.join("sub/big.bin"), "files/sub/big.bin")?;
        w.add_file(&src.join("missing"), "files/missing")
    }) else {
        panic!("a missing file must fail the backup")
    };
    assert!(err.to_string().contains("cannot read"), "{err}");
    let job = Job::default();
    job.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let Err(err) = write_verified(&path, fs::File::create(&path).unwrap(), &h, Some(&key), &job, |w| w.add_file(&src.join("sub/big.bin"), "files/sub/big.bin")) else {
        panic!("a cancelled backup must fail")
    };
    assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
}

#[test]
fn long_names_odd_sizes_and_a_shrunk_file_stay_valid_tar() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("long.hdbk");
    let long = format!("files/{}/{}.yaml", "d".repeat(90), "n".repeat(80));
    let mut w = ArchiveWriter::create(fs::File::create(&path).unwrap(), &header(Compression::Zstd, None), None, Job::default()).unwrap();
    w.add_reader(&long, &b"x"[..], 1, 0o644, 0).unwrap();
    w.add_reader("files/odd", &[7u8; 513][..], 513, 0o600, 0).unwrap();
    // Claims 1000 bytes, gives 10: stored as 10 bytes and 990 zeros, with a warning.
    w.add_reader("files/shrunk", &[9u8; 10][..], 1000, 0o600, 0).unwrap();
    let f = w.finish().unwrap();
    assert!(f.manifest.warnings.iter().any(|m| m.contains("files/shrunk shrank")), "{:?}", f.manifest.warnings);
    verify(&path, None, None, &Job::default()).unwrap();
    let out = t.path().join("out");
    fs::create_dir(&out).unwrap();
    extract(open(&path, None).unwrap(), &out, &Limits::default(), None, &Job::default(), None).unwrap();
    assert_eq!(fs::read(out.join(&long)).unwrap(), b"x");
    assert_eq!(fs::read(out.join("files/odd")).unwrap(), vec![7u8; 513]);
    let shrunk = fs::read(out.join("files/shrunk")).unwrap();
    assert_eq!((shrunk.len(), &shrunk[..10], shrunk[10..].iter().all(|b| *b == 0)), (1000, &[9u8; 10][..], true));
}

#[test]
fn a_restore_extraction_must_read_the_stream_its_verification_read() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let key = derive_key(b"correct horse", &encryption()).unwrap();
    let h = header(Compression::Zstd, Some(encryption()));
    let path = t.path().join("a.hdbk");
    write(&path, &src, &h, Some(&key));
    let v = verify(&path, Some(&key), None, &Job::default()).unwrap();
    let out = t.path().join("ok");
    fs::create_dir(&out).unwrap();
    let x = extract(open(&path, Some(&key)).unwrap(), &out, &Limits::default(), None, &Job::default(), Some(v.tar_digest)).unwrap();
    assert_eq!(x.files, 4);
    assert_eq!(fs::read(out.join("files/sub/big.bin")).unwrap(), fs::read(src.join("sub/big.bin")).unwrap());
    // Swapped for another valid archive (its own manifest agrees with it) after the check.
    fs::write(src.join("flows.json"), b"[{\"id\":\"other\"}]").unwrap();
    write(&path, &src, &h, Some(&key));
    let out = t.path().join("swapped");
    fs::create_dir(&out).unwrap();
    let Err(e) = extract(open(&path, Some(&key)).unwrap(), &out, &Limits::default(), None, &Job::default(), Some(v.tar_digest)) else {
        panic!("an archive swapped after its check must not be extracted")
    };
    assert!(e.to_string().contains("changed since it was verified"), "{e}");
}

#[test]
fn a_small_source_on_one_zstd_thread_archives_the_same_content() {
    // A source below ZSTD_THREADS_FROM skips zstd's workers; what is
    // archived must not depend on it.
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    tree(&src);
    let mut digests = Vec::new();
    for (i, expected) in [0, 1024, super::writer::ZSTD_THREADS_FROM].into_iter().enumerate() {
        let path = t.path().join(format!("hint{i}.hdbk"));
        let job = Job { expected_bytes: expected, ..Job::default() };
        let mut w = ArchiveWriter::create(fs::File::create(&path).unwrap(), &header(Compression::Zstd, None), None, job).unwrap();
        w.add_file(&src.join("sub/big.bin"), "files/sub/big.bin").unwrap();
        w.add_bytes("live/flows.json", b"[]", 0o600).unwrap();
        let f = w.finish().unwrap();
        verify(&path, None, None, &Job::default()).unwrap();
        let out = t.path().join(format!("out{i}"));
        fs::create_dir(&out).unwrap();
        extract(open(&path, None).unwrap(), &out, &Limits::default(), None, &Job::default(), None).unwrap();
        assert_eq!(fs::read(out.join("files/sub/big.bin")).unwrap(), fs::read(src.join("sub/big.bin")).unwrap());
        digests.push(f.manifest.entries.iter().map(|e| (e.path.clone(), e.size, e.sha256.clone())).collect::<Vec<_>>());
    }
    assert_eq!(digests[0].len(), 2);
    assert_eq!(digests[0], digests[1]);
    assert_eq!(digests[1], digests[2]);
}
