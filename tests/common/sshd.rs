//! A real OpenSSH server on 127.0.0.1, started per test with its own host
//! key, client key and config (../shared/peers.md), stopped by pid on drop.
#![allow(dead_code)]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";

/// Install openssh-server if it is missing (CI runs on a fresh machine).
pub fn ensure_installed() {
    if Path::new(SSHD).exists() {
        return;
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server")
        .status()
        .expect("run apt-get");
    assert!(status.success() && Path::new(SSHD).exists(), "openssh-server is needed: run tests/peers/sshd.sh");
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn keygen(path: &Path, passphrase: &str) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "homedeck-test", "-f"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// `SHA256:…` of a public key file, as ssh-keygen prints it.
pub fn fingerprint(pubkey: &Path) -> String {
    let out = Command::new("ssh-keygen").arg("-lf").arg(pubkey).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).unwrap().to_string()
}

pub struct Sshd {
    pub dir: PathBuf,
    pub port: u16,
    pub client_key: PathBuf,
    pub host_key: PathBuf,
    child: Option<Child>,
    log: PathBuf,
}

impl Sshd {
    /// Start with a fresh host key and a client key in `authorized_keys`.
    pub fn start(dir: &Path) -> Sshd {
        Self::start_with(dir, free_port(), "")
    }

    pub fn start_with(dir: &Path, port: u16, extra_config: &str) -> Sshd {
        ensure_installed();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::create_dir_all("/run/sshd").ok();
        let host_key = dir.join("host_ed25519_key");
        if !host_key.exists() {
            keygen(&host_key, "");
        }
        let client_key = dir.join("client_key");
        if !client_key.exists() {
            keygen(&client_key, "");
            std::fs::copy(client_key.with_extension("pub"), dir.join("authorized_keys")).unwrap();
        }
        let config = format!(
            "ListenAddress 127.0.0.1\nHostKey {hk}\nPidFile {d}/sshd.pid\nAuthorizedKeysFile {d}/authorized_keys\n\
             UsePAM no\nStrictModes no\nPermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n\
             MaxSessions 100\nMaxStartups 100:30:200\nSubsystem sftp internal-sftp\nLogLevel VERBOSE\n{extra_config}\n",
            hk = host_key.display(),
            d = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        let log = dir.join(format!("sshd-{port}.log"));
        let mut s = Sshd { dir: dir.to_path_buf(), port, client_key, host_key, child: None, log };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(self.dir.join("sshd_config"))
            .arg("-p")
            .arg(self.port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not listen on {}: {}", self.port, self.log_text());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
        // Its session children die with their connections.
    }

    /// Stop like a machine going away: the listener and every session it
    /// started (found by parent pid under /proc, killed by pid), so open
    /// connections drop too.
    pub fn stop_hard(&mut self) {
        if let Some(c) = &self.child {
            let mut pids = vec![c.id()];
            let mut i = 0;
            while i < pids.len() {
                let parent = pids[i];
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
                    let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
                    let ppid = stat.rfind(')').and_then(|i| stat[i + 2..].split_whitespace().nth(1)).and_then(|p| p.parse::<u32>().ok());
                    if ppid == Some(parent) && !pids.contains(&pid) {
                        pids.push(pid);
                    }
                }
                i += 1;
            }
            for pid in pids.iter().skip(1) {
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
        }
        self.stop();
    }

    /// Restart on the same port, optionally with a brand-new host key.
    pub fn restart(&mut self, new_host_key: bool) {
        self.stop();
        if new_host_key {
            keygen(&self.host_key, "");
        }
        self.spawn();
    }

    pub fn host_fingerprint(&self) -> String {
        fingerprint(&self.host_key.with_extension("pub"))
    }

    pub fn client_key_text(&self) -> String {
        std::fs::read_to_string(&self.client_key).unwrap()
    }

    /// `server_add NAME` for this sshd: 127.0.0.1, this user, the client
    /// key stored in the vault.
    pub fn server_add(&self, name: &str) -> homedeck::engine::Command {
        homedeck::engine::Command::ServerAdd {
            name: name.into(),
            host: "127.0.0.1".into(),
            port: Some(u32::from(self.port)),
            user: Some(me()),
            auth: None,
            secret: None,
            key: Some(homedeck::engine::SecretValue::new(self.client_key_text())),
            key_passphrase: None,
            password: None,
            tags: None,
            site: None,
        }
    }

    pub fn log_text(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// How many logins sshd accepted so far.
    pub fn logins(&self) -> usize {
        self.log_text().matches("Accepted publickey for").count()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The user the tests run as (sshd as root accepts any user; as a normal
/// user only that one).
pub fn me() -> String {
    std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
        String::from_utf8_lossy(&Command::new("id").arg("-un").output().unwrap().stdout).trim().to_string()
    })
}

pub fn is_root() -> bool {
    String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout).trim() == "0"
}

/// A local user with a password and a login shell (root only). Idempotent.
pub fn ensure_user(name: &str, password: &str, shell: &str) {
    assert!(is_root(), "creating test user {name} needs root");
    let exists = Command::new("id").arg(name).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success();
    if !exists {
        let ok = Command::new("useradd").args(["-m", "-s", shell, name]).status().unwrap().success();
        assert!(ok, "useradd {name}");
    } else {
        Command::new("usermod").args(["-s", shell, name]).status().unwrap();
    }
    let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    chpasswd.stdin.take().unwrap().write_all(format!("{name}:{password}\n").as_bytes()).unwrap();
    assert!(chpasswd.wait().unwrap().success(), "chpasswd {name}");
}
