//! The notification tests' peers, started on 127.0.0.1 and stopped by
//! their pid when dropped: the webhook receiver (`tests/peers/notify_receiver.py`,
//! standard library) and aiosmtpd (`tests/peers/notify_smtp.py`, in the
//! venv `tests/peers/notify.sh` installs).
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn peers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// The venv with aiosmtpd (see tests/peers/notify.sh).
pub fn venv_python() -> PathBuf {
    let venv = std::env::var("HOMEDECK_NOTIFY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/homedeck-peers/notify-venv"));
    let py = venv.join("bin/python");
    assert!(py.exists(), "{} is missing: run tests/peers/notify.sh", py.display());
    py
}

/// Start `cmd`, read its first stdout line as JSON.
fn spawn(mut cmd: Command) -> (Child, Value) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).stdin(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer said {line:?}: {e}"));
    (child, v)
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// One plain HTTP/1.1 request with `Connection: close`; (status, body).
pub fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

pub struct Receiver {
    child: Child,
    pub port: u16,
}

impl Receiver {
    pub fn start() -> Receiver {
        Receiver::start_on(0)
    }

    /// On a given port (the crash test brings it up where the daemon was sending).
    pub fn start_on(port: u16) -> Receiver {
        let mut cmd = Command::new("python3");
        cmd.arg(peers().join("notify_receiver.py")).arg(port.to_string());
        let (child, v) = spawn(cmd);
        Receiver { child, port: v["port"].as_u64().unwrap() as u16 }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// ok, fail or hang.
    pub fn mode(&self, mode: &str) {
        assert_eq!(http(self.port, "POST", "/_mode", mode).0, 200);
    }

    pub fn received(&self) -> Vec<Value> {
        serde_json::from_str(&http(self.port, "GET", "/_received", "").1).unwrap()
    }

    pub fn attempts(&self) -> Vec<Value> {
        serde_json::from_str(&http(self.port, "GET", "/_attempts", "").1).unwrap()
    }

    /// Wait until at least `n` requests were acknowledged.
    pub fn wait_received(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let r = self.received();
            if r.len() >= n || Instant::now() > deadline {
                return r;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

pub struct Smtp {
    child: Child,
    pub port: u16,
    pub cert: String,
    pub out: tempfile::TempDir,
}

impl Smtp {
    /// `tls`: "none", "starttls" or "implicit"; `login`: (user, password) it requires.
    pub fn start(tls: &str, login: Option<(&str, &str)>) -> Smtp {
        let out = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(venv_python());
        cmd.arg(peers().join("notify_smtp.py")).arg(out.path());
        match tls {
            "starttls" => {
                cmd.arg("--starttls");
            }
            "implicit" => {
                cmd.arg("--implicit");
            }
            _ => {}
        }
        if let Some((u, p)) = login {
            cmd.args(["--user", u, "--password", p]);
        }
        let (child, v) = spawn(cmd);
        Smtp { child, port: v["port"].as_u64().unwrap() as u16, cert: v["cert"].as_str().unwrap().to_string(), out }
    }

    /// The messages received so far, parsed by Python's email package.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("msg-"))
            .collect();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    pub fn wait_messages(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}
