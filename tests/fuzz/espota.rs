//! espota2 (ESPHome's OTA protocol): the device's replies, as the session
//! state machine reads them. Samples are the replies of whole real sessions
//! (v2 with SHA-256 auth and compression, v1 with MD5 auth, no auth),
//! mutated; the session reads exactly what it asks for from the stream.

use crate::support::{self, mutated, names_something};
use homedeck::engine::internals::esphome::ota::protocol::{Effect, Session};
use proptest::prelude::*;
use std::sync::Arc;

const IMAGE: usize = 20_000;

fn session(password: Option<&str>) -> Session {
    let raw = Arc::new((0..IMAGE).map(|i| i as u8).collect::<Vec<u8>>());
    let gz = Arc::new(vec![0x1F, 0x8B, 1, 2, 3]);
    Session::new(raw, Some(gz), password.map(String::from), "ab".repeat(40))
}

/// Everything a device says in three whole sessions.
fn transcripts() -> Vec<Vec<u8>> {
    let v2_sha256 = [&[0x00, 0x02, 0x48, 0x01, 0x02][..], "f".repeat(64).as_bytes(), &[0x41, 0x42, 0x43, 0x47, 0x44, 0x45]].concat();
    let v1_md5 = [&[0x00, 0x01, 0x40, 0x01][..], "0123456789abcdef0123456789abcdef".as_bytes(), &[0x41, 0x42, 0x43, 0x44, 0x45]].concat();
    let no_auth = vec![0x00, 0x02, 0x48, 0x00, 0x00, 0x42, 0x43, 0x47, 0x44, 0x45];
    vec![v2_sha256, v1_md5, no_auth]
}

proptest! {
    #![proptest_config(support::config(4000))]

    /// Never a panic; whatever the device says, it can make us read at most
    /// 64 bytes at a time and send no more than the image and 1 KiB of
    /// protocol; progress never passes the total; errors name the byte.
    #[test]
    fn device_replies(replies in mutated(transcripts()), with_password in any::<bool>()) {
        let mut s = session(with_password.then_some("pw"));
        let mut effects = s.start();
        let (mut at, mut sent) = (0usize, 0usize);
        loop {
            let mut read = None;
            for e in &effects {
                match e {
                    Effect::Send(b) => sent += b.len(),
                    Effect::Read(n) => {
                        prop_assert!((1..=64).contains(n), "asked to read {n} bytes");
                        read = Some(*n);
                    }
                    Effect::Progress { sent: done, total } => prop_assert!(done <= total && *total as usize <= IMAGE, "{done}/{total}"),
                    Effect::Finished => {}
                }
            }
            prop_assert!(sent <= IMAGE + 1024, "sent {sent} bytes for a {IMAGE}-byte image");
            let Some(n) = read else { break };
            if at + n > replies.len() {
                break;
            }
            match s.feed(&replies[at..at + n]) {
                Ok(e) => effects = e,
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(names_something(&msg, &["password", "nonce", "turn", "version"]), "{msg:?}");
                    break;
                }
            }
            at += n;
        }
    }
}

#[test]
fn the_transcripts_are_whole_sessions() {
    // The samples are real: unmutated, the first two finish a session.
    for (t, pw) in transcripts().into_iter().zip([Some("pw"), Some("pw")]) {
        let mut s = session(pw);
        let mut effects = s.start();
        let mut at = 0;
        while let Some(n) = effects.iter().find_map(|e| if let Effect::Read(n) = e { Some(*n) } else { None }) {
            effects = s.feed(&t[at..at + n]).unwrap();
            at += n;
        }
        assert!(effects.contains(&Effect::Finished), "{effects:?}");
        assert_eq!(at, t.len());
    }
}
