//! `homedeck daemon` as a real process on a temp data dir, and the real CLI
//! beside it. The daemon is killed by its pid when the guard drops.
#![allow(dead_code)]

#[path = "../common/cli_env.rs"]
pub mod cli_env;
pub mod mcp_venv;
pub mod tmux;

use cli_env::CliEnv;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PASS: &str = "daemon test passphrase 7";

pub struct Home {
    pub dir: tempfile::TempDir,
    pub env: CliEnv,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pass"), format!("{PASS}\n")).unwrap();
        std::fs::set_permissions(dir.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
        let env = CliEnv::new(dir.path());
        Home { dir, env }
    }

    /// Every file homedeck wrote under the home (logs, store), as lossy
    /// text: where a canary must not be.
    pub fn everything_written(&self) -> String {
        let mut all = String::new();
        for p in cli_env::regular_files(self.dir.path()) {
            if let Ok(bytes) = std::fs::read(&p) {
                all.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        all
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn socket(&self) -> PathBuf {
        self.data().join("homedeck.sock")
    }

    /// `homedeck ARGS` → (success, stdout, stderr).
    pub fn hd(&self, args: &[&str]) -> (bool, String, String) {
        self.hd_in(args, None)
    }

    pub fn hd_in(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        let o: Output = self.env.cmd(args, stdin);
        (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    }

    /// Start `homedeck daemon` and wait until it answers on its socket.
    pub fn daemon(&self) -> Daemon {
        let child = self.spawn(&["daemon"]);
        let d = Daemon { child: Some(child) };
        self.wait_serving(Duration::from_secs(20));
        d
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        let r = self.dir.path();
        Command::new(env!("CARGO_BIN_EXE_homedeck"))
            .args(args)
            .env("HOMEDECK_DATA_DIR", r.join("data"))
            .env("HOMEDECK_CONFIG_DIR", r.join("config"))
            .env("HOMEDECK_STATE_DIR", r.join("state"))
            .env("HOMEDECK_PASSPHRASE_FILE", r.join("pass"))
            .env("HOMEDECK_NEW_PASSPHRASE_FILE", r.join("pass"))
            .envs(self.env.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Until `daemon status --json` says running.
    pub fn wait_serving(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let (_, out, _) = self.hd(&["daemon", "status", "--json"]);
            if out.contains("\"running\": true") {
                return;
            }
            assert!(Instant::now() < deadline, "the daemon did not come up: {out}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn status(&self) -> serde_json::Value {
        let (ok, out, err) = self.hd(&["daemon", "status", "--json"]);
        assert!(ok, "{err}");
        serde_json::from_str(&out).unwrap()
    }
}

pub struct Daemon {
    pub child: Option<Child>,
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Wait for the process to end (it was asked to stop); its stderr.
    pub fn wait(&mut self, within: Duration) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the daemon did not stop within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status, err)
    }

    pub fn signal(&self, sig: &str) {
        Command::new("kill").args(["-s", sig, &self.pid().to_string()]).status().unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}
