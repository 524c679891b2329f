//! ESPHome native API framing: the plaintext frame reader (as the connection
//! drives it, over a stream cut into arbitrary reads), the Noise frame reader,
//! the server hello, the handshake answer and Noise data frames — each from
//! real frames (the messages homedeck reads from devices, a real snow
//! responder's handshake and data frames) mutated.

use crate::support::{self, mutated, names_something};
use homedeck::engine::internals::esphome::api::frame::{self, FrameError, MAX_FRAME};
use homedeck::engine::internals::esphome::api::messages as m;
use homedeck::engine::internals::esphome::api::noise::{self, HandshakeError, NoiseClient, PROLOGUE};
use proptest::prelude::*;
use prost::Message;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// Payloads of the messages a device sends homedeck (the peer's answers).
pub fn sample_messages() -> Vec<(u32, Vec<u8>)> {
    let hello = m::HelloResponse { api_version_major: 1, api_version_minor: 10, server_info: "porch (esphome v2024.6.1)".into(), name: "porch".into() };
    let info = m::DeviceInfoResponse {
        name: "porch".into(),
        mac_address: "AC:BC:32:89:0E:A9".into(),
        esphome_version: "2024.6.1".into(),
        compilation_time: "Jun 20 2024, 10:00:00".into(),
        model: "esp32dev".into(),
        friendly_name: "Porch".into(),
        webserver_port: 80,
        ..Default::default()
    };
    let entity = m::EntityHeader { object_id: "porch_light".into(), key: 0x1234_5678, name: "Porch light".into() };
    let log = m::SubscribeLogsResponse { level: 3, message: b"\x1b[0;32m[I][app]: Running through setup()\x1b[0m".to_vec() };
    let time = m::GetTimeResponse { epoch_seconds: 1_717_000_000 };
    vec![
        (m::HELLO_RESPONSE, hello.encode_to_vec()),
        (m::DEVICE_INFO_RESPONSE, info.encode_to_vec()),
        (15, entity.encode_to_vec()),
        (m::LIST_ENTITIES_DONE, vec![]),
        (m::SUBSCRIBE_LOGS_RESPONSE, log.encode_to_vec()),
        (m::GET_TIME_RESPONSE, time.encode_to_vec()),
        (m::PING_REQUEST, vec![]),
    ]
}

/// Plaintext streams: one frame each, and the whole conversation in one.
fn plain_streams() -> Vec<Vec<u8>> {
    let frames: Vec<Vec<u8>> = sample_messages().iter().map(|(t, p)| frame::encode_plain(*t, p)).collect();
    let mut all = frames.concat();
    all.extend(frame::encode_plain(m::SUBSCRIBE_LOGS_RESPONSE, &vec![b'x'; 300]));
    let mut out = frames;
    out.push(all);
    out
}

/// Read `stream` the way the connection does: bytes arrive in reads of the
/// given sizes, frames are decoded from the front of the buffer, and the
/// buffer grows only while a frame is incomplete.
fn read_plain(stream: &[u8], cuts: &[usize]) -> Result<Vec<(u32, usize)>, FrameError> {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    let (mut fed, mut cut) = (0, 0);
    loop {
        while let Some((t, range, used)) = frame::decode_plain(&buf)? {
            assert!(range.end <= used && used <= buf.len(), "{range:?} / {used} outside a {}-byte buffer", buf.len());
            assert!(range.len() <= MAX_FRAME);
            frames.push((t, range.len()));
            buf.drain(..used);
        }
        if fed == stream.len() {
            return Ok(frames);
        }
        let n = cuts.get(cut).copied().unwrap_or(usize::MAX).clamp(1, stream.len() - fed);
        cut += 1;
        buf.extend_from_slice(&stream[fed..fed + n]);
        fed += n;
        // What is held never exceeds one frame's worth plus a read.
        assert!(buf.len() <= MAX_FRAME + 16 + n, "{} bytes buffered", buf.len());
    }
}

fn check_frame_error(e: &FrameError, stream: &[u8]) {
    match e {
        FrameError::EncryptionRequired | FrameError::PlaintextDevice => {}
        // An authentication failure has no value to name: it says so.
        FrameError::Malformed(msg) => assert!(names_something(msg, &["varint", "indicator", "failed authentication"]), "{msg:?} names nothing ({stream:?})"),
    }
}

proptest! {
    #![proptest_config(support::config(3000))]

    #[test]
    fn plaintext_frame_reader(stream in mutated(plain_streams()), cuts in proptest::collection::vec(1usize..64, 0..8)) {
        if let Err(e) = read_plain(&stream, &cuts) {
            check_frame_error(&e, &stream);
        }
    }

    #[test]
    fn noise_frame_reader(stream in mutated(noise_streams())) {
        let mut at = 0;
        loop {
            match frame::decode_noise(&stream[at..]) {
                Ok(Some((range, used))) => {
                    prop_assert!(range.end <= used && at + used <= stream.len());
                    prop_assert!(range.len() <= MAX_FRAME);
                    at += used;
                }
                Ok(None) => break,
                Err(e) => {
                    check_frame_error(&e, &stream);
                    break;
                }
            }
        }
    }

    #[test]
    fn noise_server_hello(body in mutated(vec![b"\x01porch\x00AC:BC:32:89:0E:A9\x00".to_vec(), b"\x01old-firmware".to_vec()])) {
        match noise::parse_server_hello(&body) {
            // Whatever the device calls itself is shown without control characters, capped.
            Ok(h) => prop_assert!(h.name.chars().count() <= 120 && !h.name.chars().any(char::is_control), "{h:?}"),
            Err(e) => prop_assert!(names_something(&e.to_string(), &["protocol", "empty"]), "{e}"),
        }
    }

}

// Each case runs a real X25519 handshake (slow unoptimised): fewer cases
// in the suite, a million in benches/fuzz.sh.
proptest! {
    #![proptest_config(support::config(150))]

    /// A real handshake answer (from a snow responder to this very client),
    /// mutated: it completes only when it is unchanged.
    #[test]
    fn noise_handshake_answer(edits in proptest::collection::vec(support::edit(), 1..6)) {
        let (client, answer, _) = session();
        let bad = support::apply(&answer, &edits);
        match client.finish(&bad) {
            Ok(_) => prop_assert_eq!(bad, answer, "a changed handshake answer was accepted"),
            Err(HandshakeError::Rejected(r)) => prop_assert!(!r.chars().any(char::is_control) && r.chars().count() <= 120, "{r:?}"),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Data frames of an established session, mutated: only an unchanged
    /// frame opens; a well-sealed frame with a wrong inner length is refused
    /// naming both lengths.
    #[test]
    fn noise_data_frames(which in 0usize..7, edits in proptest::collection::vec(support::edit(), 1..6), inner_edits in proptest::collection::vec(support::edit(), 0..3)) {
        let (client, answer, mut responder) = session();
        let mut transport = client.finish(&answer).unwrap();
        let msgs = sample_messages();
        let (t, payload) = &msgs[which];
        let mut plain = (*t as u16).to_be_bytes().to_vec();
        plain.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        plain.extend_from_slice(payload);
        let plain = support::apply(&plain, &inner_edits);
        let mut buf = vec![0u8; MAX_FRAME];
        let n = responder.write_message(&plain, &mut buf).unwrap();
        let sealed = buf[..n].to_vec();
        let bad = support::apply(&sealed, &edits);
        match transport.open(&bad) {
            Ok((got_t, got)) => {
                prop_assert_eq!(&bad, &sealed, "a changed frame decrypted");
                prop_assert_eq!(frame::split_noise_plain(&plain).unwrap(), (got_t, got.as_slice()));
            }
            Err(e) => {
                check_frame_error(&e, &bad);
                if bad == sealed {
                    // Authentic, but the message inside is not well formed.
                    prop_assert!(frame::split_noise_plain(&plain).is_err(), "{e}");
                }
            }
        }
    }
}

fn responder() -> snow::HandshakeState {
    let psk = noise::decode_psk(KEY).unwrap();
    snow::Builder::new("Noise_NNpsk0_25519_ChaChaPoly_SHA256".parse().unwrap())
        .psk(0, &psk)
        .unwrap()
        .prologue(PROLOGUE)
        .unwrap()
        .build_responder()
        .unwrap()
}

/// A fresh client, the device's real answer to its opening message, and
/// the device's side of the session that answer sets up (for data frames).
fn session() -> (NoiseClient, Vec<u8>, snow::TransportState) {
    let mut c = NoiseClient::new(KEY).unwrap();
    let open = c.opening().unwrap();
    let mut r = responder();
    let mut buf = [0u8; 256];
    // Skip the empty client hello frame (3 bytes), the frame header (3) and the indicator (1).
    r.read_message(&open[7..], &mut buf).unwrap();
    let n = r.write_message(&[], &mut buf).unwrap();
    let mut answer = vec![0];
    answer.extend_from_slice(&buf[..n]);
    (c, answer, r.into_transport_mode().unwrap())
}

/// Noise-framed streams: the server hello, a handshake answer, data frames.
fn noise_streams() -> Vec<Vec<u8>> {
    let (_, answer, _) = session();
    let hello = frame::encode_noise(b"\x01porch\x00AC:BC:32:89:0E:A9\x00").unwrap();
    let hs = frame::encode_noise(&answer).unwrap();
    let data = frame::encode_noise(&[0x5a; 120]).unwrap();
    vec![hello.clone(), hs.clone(), [hello, hs, data.clone(), data].concat()]
}

/// A 4 GiB (or any) claim is refused from the prefix alone: the largest a
/// plaintext varint can say is 2^28 − 1, and that is refused before any
/// payload is awaited or allocated.
#[test]
fn huge_length_prefixes_are_refused_not_awaited() {
    for len in [MAX_FRAME as u32 + 1, 1 << 24, (1 << 28) - 1] {
        let mut f = vec![0x00];
        frame::put_varint(&mut f, len);
        f.push(0x01);
        let e = frame::decode_plain(&f).unwrap_err();
        assert!(e.to_string().contains(&len.to_string()), "{e}");
    }
    // Five varint bytes (what a 4 GiB length would take) are refused as such.
    let e = frame::decode_plain(&[0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).unwrap_err();
    assert!(e.to_string().contains("varint longer than 4 bytes"), "{e}");
}
