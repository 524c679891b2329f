//! The real binary in a throw-away home (data, config and state dirs, a
//! passphrase file, trace logging), and the greps canary tests run over
//! everything it wrote. Shared by every domain's canary test.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct CliEnv {
    pub root: PathBuf,
    /// Extra environment, e.g. SSH_AUTH_SOCK.
    pub extra: Vec<(String, String)>,
}

impl CliEnv {
    pub fn new(root: &Path) -> CliEnv {
        CliEnv { root: root.to_path_buf(), extra: Vec::new() }
    }

    /// Run `homedeck ARGS`, feeding `stdin` if given, with trace logging on.
    pub fn cmd(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let r = &self.root;
        let mut c = Command::new(env!("CARGO_BIN_EXE_homedeck"));
        c.args(args)
            .env("HOMEDECK_DATA_DIR", r.join("data"))
            .env("HOMEDECK_CONFIG_DIR", r.join("config"))
            .env("HOMEDECK_STATE_DIR", r.join("state"))
            .env("HOMEDECK_PASSPHRASE_FILE", r.join("pass"))
            .env("HOMEDECK_NEW_PASSPHRASE_FILE", r.join("pass"))
            .env("HOMEDECK_LOG", "trace")
            .envs(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }
}

/// `homedeck` on the throw-away home at `root`, as a newcomer's shell has
/// it: no trace logging, no backup password file from the environment,
/// stdin closed. For tests that set their own arguments and stdio.
pub fn homedeck(root: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_homedeck"));
    c.env("HOMEDECK_DATA_DIR", root.join("data"))
        .env("HOMEDECK_CONFIG_DIR", root.join("config"))
        .env("HOMEDECK_STATE_DIR", root.join("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", root.join("pass"))
        .env_remove("HOMEDECK_BACKUP_PASSWORD_FILE")
        .stdin(Stdio::null());
    c
}

/// stdout then stderr, as one text.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Every regular file below `dir` (sockets such as events.sock are skipped).
pub fn regular_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                stack.push(e.path());
            } else if kind.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}
