//! The daemon socket's frames, both ways: a 4-byte big-endian length, then
//! JSON. Read with the real `FrameReader` (tokio-util's length-delimited
//! codec, capped at 16 MiB) from streams of real frames — a client's hello,
//! requests, status and stop; a host's hello, responses, events, errors —
//! mutated; requests go on through `decode_command` as the host does.

use crate::support::{self, mutated, names_something};
use homedeck::daemon::codec::{FrameReader, ReadError};
use homedeck::daemon::protocol::{ClientFrame, HostKind, MAX_FRAME, ServerFrame, ServerHello, decode_command, parse_frontend};
use homedeck::engine::{EngineError, Outcome};
use proptest::prelude::*;
use serde_json::json;

fn framed(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

fn client_streams() -> Vec<Vec<u8>> {
    let frames: Vec<Vec<u8>> = [
        ClientFrame::Hello { protocol: 3, frontend: "cli".into(), events: true },
        ClientFrame::Request { id: 1, command: json!({"command": "secret_list"}) },
        ClientFrame::Request { id: 2, command: json!({"command": "vault_unlock", "passphrase": "correct horse battery staple"}) },
        ClientFrame::Request { id: 3, command: json!({"command": "wled_set", "name": "porch", "on": true, "bri": 128}) },
        ClientFrame::Status {},
        ClientFrame::Stop {},
        ClientFrame::Preview { id: 9, command: json!({ "command": "server_remove", "name": "nas" }) },
        ClientFrame::Tunnel { protocol: 3, frontend: "tui".into(), server: "nas".into(), socket: None, reattach: false },
    ]
    .iter()
    .map(|f| serde_json::to_vec(f).unwrap())
    .collect();
    let mut out: Vec<Vec<u8>> = frames.iter().map(|f| framed(std::slice::from_ref(f))).collect();
    out.push(framed(&frames));
    out
}

fn server_streams() -> Vec<Vec<u8>> {
    let hello = ServerHello {
        protocol: 3,
        pid: 4242,
        started_at: chrono::Utc::now(),
        version: "0.1.0".into(),
        host: HostKind::Daemon,
        readonly: false,
        audit_retention_days: 365,
    };
    let frames: Vec<Vec<u8>> = [
        ServerFrame::Hello(hello),
        ServerFrame::Response { id: 1, result: Ok(Outcome::done("vault unlocked")) },
        ServerFrame::Response { id: 2, result: Err(EngineError::VaultLocked) },
        ServerFrame::Response { id: 3, result: Err(EngineError::invalid("bri", "300", "0 to 255")) },
        ServerFrame::Previewed { id: 9, result: Err(EngineError::not_found("server", "nas")) },
        ServerFrame::Lagged { missed: 12 },
        ServerFrame::Error { message: "unknown front end \"x\" in hello".into() },
        ServerFrame::Stopping {},
        ServerFrame::Tunnel { result: Ok("/run/user/0/homedeck.sock".into()) },
    ]
    .iter()
    .map(|f| serde_json::to_vec(f).unwrap())
    .collect();
    let mut out: Vec<Vec<u8>> = frames.iter().map(|f| framed(std::slice::from_ref(f))).collect();
    out.push(framed(&frames));
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap()
}

/// Read every frame of `stream`; an error must say what was wrong.
fn read_all<T: serde::de::DeserializeOwned>(rt: &tokio::runtime::Runtime, stream: &[u8]) -> Result<Vec<T>, String> {
    rt.block_on(async {
        let mut r: FrameReader<&[u8], T> = FrameReader::new(stream);
        let mut out = Vec::new();
        loop {
            match r.next().await {
                Ok(f) => out.push(f),
                Err(ReadError::Closed) => return Ok(out),
                Err(ReadError::Bad(m)) => return Err(m),
                Err(ReadError::Io(e)) => return Err(format!("io: {e}")),
            }
        }
    })
}

proptest! {
    #![proptest_config(support::config(3000))]

    /// What a host reads from a client, and what it does with it.
    #[test]
    fn client_frames(stream in mutated(client_streams())) {
        let rt = runtime();
        match read_all::<ClientFrame>(&rt, &stream) {
            Ok(frames) => {
                for f in frames {
                    match f {
                        ClientFrame::Request { command, .. } | ClientFrame::Preview { command, .. } => {
                            if let Err(m) = decode_command(command) {
                                prop_assert!(names_something(&m, &["command"]), "{m:?}");
                            }
                        }
                        ClientFrame::Hello { frontend, .. } | ClientFrame::Tunnel { frontend, .. } => {
                            if let Err(m) = parse_frontend(&frontend) {
                                prop_assert!(m.contains("front end"), "{m:?}");
                            }
                        }
                        ClientFrame::Status {} | ClientFrame::Stop {} => {}
                    }
                }
            }
            Err(m) => prop_assert!(m.contains("frame") && !m.starts_with("io:"), "{m:?}"),
        }
    }

    /// What a client reads from its host.
    #[test]
    fn server_frames(stream in mutated(server_streams())) {
        let rt = runtime();
        if let Err(m) = read_all::<ServerFrame>(&rt, &stream) {
            prop_assert!(m.contains("frame") && !m.starts_with("io:"), "{m:?}");
        }
    }
}

/// A 4 GiB (or any over 16 MiB) length prefix is refused from the prefix
/// alone — the reader neither waits for nor allocates the body.
#[test]
fn huge_length_prefixes_are_refused() {
    let rt = runtime();
    for len in [u32::MAX, 1 << 31, MAX_FRAME as u32 + 1] {
        let mut stream = len.to_be_bytes().to_vec();
        stream.extend_from_slice(b"{\"frame\":\"stop\"}");
        let m = read_all::<ClientFrame>(&rt, &stream).unwrap_err();
        assert!(m.contains("frame refused") && m.contains(&MAX_FRAME.to_string()), "{m}");
    }
}
