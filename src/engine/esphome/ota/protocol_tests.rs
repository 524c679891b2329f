use super::*;

fn session(size: usize, password: Option<&str>) -> Session {
    let raw = Arc::new((0..size).map(|i| i as u8).collect::<Vec<u8>>());
    let gz = Arc::new(vec![0x1F, 0x8B, 1, 2, 3]);
    Session::new(raw, Some(gz), password.map(String::from), "ab".repeat(40))
}

fn sends(effects: &[Effect]) -> Vec<Vec<u8>> {
    effects.iter().filter_map(|e| if let Effect::Send(b) = e { Some(b.clone()) } else { None }).collect()
}

/// Drive a whole v2 session with SHA256 auth and compression offered.
#[test]
fn full_v2_session_with_sha256_and_compression() {
    let mut s = session(20_000, Some("pw"));
    assert_eq!(s.start(), vec![Effect::Send(MAGIC.to_vec()), Effect::Read(2)]);
    let e = s.feed(&[0x00, 0x02]).unwrap();
    assert_eq!(sends(&e), vec![vec![0x07]]);
    assert_eq!(s.feed(&[0x48]).unwrap(), vec![Effect::Read(1)]);
    assert_eq!(s.feed(&[0x01]).unwrap(), vec![Effect::Read(1)]); // server flags: compression
    assert!(s.compressed);
    assert_eq!(s.feed(&[0x02]).unwrap(), vec![Effect::Read(64)]);
    let nonce = "f".repeat(64);
    let e = s.feed(nonce.as_bytes()).unwrap();
    let reply = &sends(&e)[0];
    assert_eq!(reply.len(), 128);
    let cnonce = std::str::from_utf8(&reply[..64]).unwrap();
    let want = hash::<Sha256>(&[b"pw", nonce.as_bytes(), cnonce.as_bytes()]);
    assert_eq!(std::str::from_utf8(&reply[64..]).unwrap(), want);
    let e = s.feed(&[0x41]).unwrap();
    assert_eq!(sends(&e), vec![vec![0x00], vec![0, 0, 0, 5]], "ota type, then gzip size");
    let e = s.feed(&[0x42]).unwrap();
    assert_eq!(sends(&e)[0].len(), 32);
    let e = s.feed(&[0x43]).unwrap();
    assert!(e.contains(&Effect::Progress { sent: 5, total: 5 }));
    assert_eq!(s.feed(&[0x47]).unwrap(), vec![Effect::Read(1)]);
    assert_eq!(s.feed(&[0x44]).unwrap(), vec![Effect::Read(1)]);
    assert_eq!(s.feed(&[0x45]).unwrap(), vec![Effect::Send(vec![0]), Effect::Finished]);
    assert!(s.done());
}

#[test]
fn v1_md5_no_compression_sends_all_chunks() {
    let mut s = session(20_000, Some("pw"));
    s.start();
    s.feed(&[0x00, 0x01]).unwrap();
    s.feed(&[0x40]).unwrap();
    assert!(!s.compressed);
    assert_eq!(s.feed(&[0x01]).unwrap(), vec![Effect::Read(32)]);
    let e = s.feed("0123456789abcdef0123456789abcdef".as_bytes()).unwrap();
    assert_eq!(sends(&e)[0].len(), 64);
    let e = s.feed(&[0x41]).unwrap();
    assert_eq!(sends(&e), vec![20_000u32.to_be_bytes().to_vec()]);
    s.feed(&[0x42]).unwrap();
    let e = s.feed(&[0x43]).unwrap();
    let chunks = sends(&e);
    assert_eq!(chunks.iter().map(Vec::len).collect::<Vec<_>>(), vec![8192, 8192, 3616]);
    assert_eq!(e.last(), Some(&Effect::Read(1)));
}

#[test]
fn every_device_error_code_is_named() {
    for code in (0x80..=0x92).chain([0xFF]) {
        let mut s = session(10, None);
        s.start();
        let e = s.feed(&[code, 0]).unwrap_err();
        assert_eq!(e, OtaError::Device { code });
        assert!(device_error(code).is_some(), "0x{code:02X}");
        assert!(e.to_string().contains(&format!("0x{code:02X}")));
    }
    let mut s = session(10, Some("x"));
    s.start();
    s.feed(&[0, 2]).unwrap();
    s.feed(&[0x40]).unwrap();
    s.feed(&[0x02]).unwrap();
    s.feed("a".repeat(64).as_bytes()).unwrap();
    let e = s.feed(&[0x82]).unwrap_err().to_string();
    assert!(e.contains("password is wrong"), "{e}");
}

#[test]
fn auth_without_password_and_bad_answers() {
    let mut s = session(10, None);
    s.start();
    s.feed(&[0, 2]).unwrap();
    s.feed(&[0x40]).unwrap();
    assert_eq!(s.feed(&[0x02]).unwrap_err(), OtaError::PasswordRequired);

    let mut s = session(10, None);
    s.start();
    assert_eq!(s.feed(&[0, 9]).unwrap_err(), OtaError::UnsupportedVersion(9));
    let mut s = session(10, Some("p"));
    s.start();
    s.feed(&[0, 2]).unwrap();
    s.feed(&[0x40]).unwrap();
    s.feed(&[0x01]).unwrap();
    assert_eq!(s.feed(&[b'z'; 32]).unwrap_err(), OtaError::BadNonce);
    let mut s = session(10, None);
    assert_eq!(s.feed(&[0]).unwrap_err(), OtaError::OutOfTurn);
    assert_eq!(s.feed(&[]).unwrap_err(), OtaError::OutOfTurn);
}

/// Fuzz-ish: random device answers at every step end in an error or a
/// finished session, never a panic; whatever the device says, it can make us
/// read at most 64 bytes at a time (the SHA-256 nonce) and send no more than
/// the image plus a fixed 1 KiB of protocol (magic, features, auth, size,
/// MD5), so a hostile device cannot make a session grow.
#[test]
fn random_device_answers_never_panic() {
    const IMAGE: usize = 30_000;
    let mut x: u64 = 0x2545F4914F6CDD1D;
    for _ in 0..3000 {
        let mut s = session(IMAGE, Some("pw"));
        let mut effects = s.start();
        let mut sent = 0usize;
        for _ in 0..40 {
            for e in &effects {
                match e {
                    Effect::Send(b) => sent += b.len(),
                    Effect::Read(n) => assert!((1..=64).contains(n), "asked to read {n} bytes"),
                    Effect::Finished => {}
                    Effect::Progress { sent: done, total } => assert!(done <= total && *total as usize <= IMAGE, "{done}/{total}"),
                }
            }
            assert!(sent <= IMAGE + 1024, "sent {sent} bytes for a {IMAGE}-byte image");
            let Some(n) = effects.iter().find_map(|e| if let Effect::Read(n) = e { Some(*n) } else { None }) else {
                break;
            };
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bytes: Vec<u8> = (0..n).map(|i| (x >> ((i % 8) * 8)) as u8).collect();
            match s.feed(&bytes) {
                Ok(e) => effects = e,
                Err(_) => break,
            }
        }
    }
}
