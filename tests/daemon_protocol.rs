#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Bad clients against a real daemon: another protocol version, garbage, an
//! oversize length prefix, an unknown command, an unknown front end, a second
//! hello. Each gets a clear error frame and is disconnected, and the daemon
//! keeps serving everyone else. A client that stops reading does not hold up
//! the others, and is told what it missed when it reads again.

mod daemon_common;
use daemon_common::*;
use homedeck::daemon::client::Client;
use homedeck::engine::{Command, Frontend};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

fn frame(body: &[u8]) -> Vec<u8> {
    let mut f = (body.len() as u32).to_be_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

fn connect(home: &Home) -> UnixStream {
    let s = UnixStream::connect(home.socket()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Read one frame's JSON; `None` at EOF.
fn read_frame(s: &mut UnixStream) -> Option<serde_json::Value> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut body).unwrap();
    Some(serde_json::from_slice(&body).unwrap())
}

fn hello(s: &mut UnixStream, protocol: u32, frontend: &str, events: bool) -> serde_json::Value {
    let h = serde_json::json!({"frame": "hello", "protocol": protocol, "frontend": frontend, "events": events});
    s.write_all(&frame(h.to_string().as_bytes())).unwrap();
    read_frame(s).unwrap()
}

/// The error frame, then the server hangs up.
fn error_then_eof(s: &mut UnixStream) -> String {
    let f = read_frame(s).expect("an error frame");
    assert_eq!(f["frame"], "error", "{f}");
    assert!(read_frame(s).is_none(), "still connected after the error");
    f["message"].as_str().unwrap().to_string()
}

fn still_serving(home: &Home) {
    let (ok, out, err) = home.hd(&["vault", "status"]);
    assert!(ok, "the daemon stopped serving: {err}");
    assert!(out.to_lowercase().contains("vault"), "{out}");
}

#[test]
fn bad_clients_get_a_clear_error_and_the_daemon_serves_on() {
    let home = Home::new();
    let _d = home.daemon();

    // Another protocol version: both versions named.
    let mut s = connect(&home);
    let f = hello(&mut s, 999, "cli", false);
    assert_eq!(f["frame"], "error", "{f}");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("protocol 1") && m.contains("protocol 999"), "{m}");
    assert!(read_frame(&mut s).is_none());
    still_serving(&home);

    // Garbage where the hello should be.
    let mut s = connect(&home);
    s.write_all(&frame(b"GET / HTTP/1.1")).unwrap();
    let m = error_then_eof(&mut s);
    assert!(m.contains("not a valid message") && m.contains("GET / HTTP/1.1"), "{m}");
    still_serving(&home);

    // A length prefix far over the limit: refused from the prefix alone.
    let mut s = connect(&home);
    s.write_all(&[0x7f, 0xff, 0xff, 0xff]).unwrap();
    let m = error_then_eof(&mut s);
    assert!(m.contains("16777216"), "{m}");
    still_serving(&home);

    // An unknown front end.
    let mut s = connect(&home);
    let f = hello(&mut s, 1, "daemon", false);
    assert_eq!(f["frame"], "error");
    assert!(f["message"].as_str().unwrap().contains("\"daemon\""), "{f}");

    // An unknown command after a good hello.
    let mut s = connect(&home);
    let f = hello(&mut s, 1, "cli", false);
    assert_eq!(f["frame"], "hello", "{f}");
    assert_eq!(f["host"], "daemon");
    let req = serde_json::json!({"frame": "request", "id": 1, "command": {"command": "launch_rockets"}});
    s.write_all(&frame(req.to_string().as_bytes())).unwrap();
    let m = error_then_eof(&mut s);
    assert!(m.contains("unknown command \"launch_rockets\""), "{m}");

    // A good request on a raw connection works, and the answer carries its id.
    let mut s = connect(&home);
    assert_eq!(hello(&mut s, 1, "cli", false)["frame"], "hello");
    let req = serde_json::json!({"frame": "request", "id": 42, "command": {"command": "secret_list"}});
    s.write_all(&frame(req.to_string().as_bytes())).unwrap();
    let f = read_frame(&mut s).unwrap();
    assert_eq!(f["frame"], "response");
    assert_eq!(f["id"], 42);
    assert_eq!(f["result"]["Ok"]["outcome"], "secrets", "{f}");
    // The engine's exact error crosses the wire, typed.
    let req = serde_json::json!({"frame": "request", "id": 43, "command": {"command": "secret_show", "name": "nope"}});
    s.write_all(&frame(req.to_string().as_bytes())).unwrap();
    let f = read_frame(&mut s).unwrap();
    assert_eq!(f["id"], 43);
    assert_eq!(f["result"]["Err"]["kind"], "not_found", "{f}");
    still_serving(&home);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_never_stalls_the_others() {
    let home = Home::new();
    let _d = home.daemon();
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");

    // Attached for events, then never reads.
    let mut slow = connect(&home);
    assert_eq!(hello(&mut slow, 1, "tui", true)["frame"], "hello");

    // Meanwhile another client runs thousands of audited commands (each one
    // an audit event and a vault event for every subscriber).
    let fast = Client::attach(&home.data(), Frontend::Cli, false, false).await.map_err(|e| format!("{e:?}")).unwrap();
    let started = Instant::now();
    let mut runs = Vec::new();
    for _ in 0..8 {
        let c = fast.clone();
        runs.push(tokio::spawn(async move {
            for _ in 0..400 {
                c.execute(Command::VaultLock {}).await.unwrap();
            }
        }));
    }
    for r in runs {
        r.await.unwrap();
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "3,200 commands took {took:?}");

    // The slow client reads at last: what fit in its queue, then `lagged`.
    let deadline = Instant::now() + Duration::from_secs(30);
    let missed = loop {
        let f = tokio::task::block_in_place(|| read_frame(&mut slow)).expect("still connected");
        if f["frame"] == "lagged" {
            break f["missed"].as_u64().unwrap();
        }
        assert_eq!(f["frame"], "event", "{f}");
        assert!(Instant::now() < deadline, "never told it lagged");
    };
    assert!(missed > 0);
}

/// An error the engine gives as free text (`EngineError::Other`, here a
/// WLED address nobody answers on) reads the same attached as in-process,
/// with the same exit code: it is not lost on the way over the socket.
#[test]
fn a_free_text_engine_error_reads_the_same_attached_as_in_process() {
    let home = Home::new();
    let in_process = home.env.cmd(&["wled", "add", "127.0.0.1:9"], None);
    let in_err = String::from_utf8_lossy(&in_process.stderr).into_owned();
    assert!(in_err.contains("did not answer"), "{in_err}");
    let _d = home.daemon();
    let attached = home.env.cmd(&["wled", "add", "127.0.0.1:9"], None);
    let att_err = String::from_utf8_lossy(&attached.stderr).into_owned();
    assert_eq!(att_err, in_err);
    assert_eq!(attached.status.code(), in_process.status.code());
    // The daemon served it and serves on.
    assert!(!att_err.contains("went away") && !att_err.contains("not attached"), "{att_err}");
    still_serving(&home);
}
