//! A console of the real binary in a tmux server of the test's own, for
//! tests that watch what a person would see.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own running the console; killed by pid at the end.
pub struct Tmux {
    socket: String,
    pid: Option<u32>,
}

impl Tmux {
    /// The console on `root`'s data dir in a `size` (columns, rows)
    /// terminal; `pass_file`: with HOMEDECK_PASSPHRASE_FILE set.
    pub fn start(root: &Path, name: &str, size: (u16, u16), pass_file: bool) -> Tmux {
        let socket = format!("homedeck-daemon-{name}-{}", std::process::id());
        let env = |k: &str, v: &Path| format!("{k}={}", v.display());
        let (x, y) = (size.0.to_string(), size.1.to_string());
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", &x, "-y", &y])
            .args(["env", "TERM=xterm-256color"])
            .arg(env("HOMEDECK_DATA_DIR", &root.join("data")))
            .arg(env("HOMEDECK_CONFIG_DIR", &root.join("config")))
            .arg(env("HOMEDECK_STATE_DIR", &root.join("state")));
        if pass_file {
            cmd.arg(env("HOMEDECK_PASSPHRASE_FILE", &root.join("pass")));
        }
        let status = cmd
            .arg(env!("CARGO_BIN_EXE_homedeck"))
            .status()
            .expect("tmux must be installed (tests/run.sh installs it)");
        assert!(status.success());
        let mut t = Tmux { socket, pid: None };
        t.pid = t.tmux(&["display-message", "-p", "#{pid}"]).trim().parse().ok();
        t
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(what, |s| s.contains(what))
    }

    /// Until the screen satisfies `ok` (within 20 s); `what` names it.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what:?}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

