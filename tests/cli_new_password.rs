#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! A new backup password is typed twice on a real terminal (issue 15 item 4):
//! `homedeck backup create` runs in a tmux pane of the test's own (a real
//! pty, so rpassword reads /dev/tty as it would for a person). Two different
//! entries are refused with a message saying so and nothing is archived or
//! catalogued; two equal entries make an archive that opens with exactly
//! that password.

#[path = "common/cli_env.rs"]
mod cli_env;

use cli_env::{homedeck, text};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PASS: &str = "correct horse battery staple";

fn secret_file(path: &Path, text: &str) {
    std::fs::write(path, format!("{text}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// `homedeck backup create files` in a tmux pane; the pane stays after the
/// command ends (remain-on-exit) so its last words can be read. The tmux
/// server is ours alone and killed by pid.
struct Pane {
    socket: String,
    pid: Option<u32>,
}

impl Pane {
    fn start(root: &Path, name: &str) -> Pane {
        Pane::run(root, name, "backup create files")
    }

    /// `homedeck ARGS` on a real terminal, its exit code printed after it.
    fn run(root: &Path, name: &str, args: &str) -> Pane {
        let socket = format!("homedeck-newpw-{name}-{}", std::process::id());
        let env = |k: &str, v: &Path| format!("{k}={}", v.display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30"])
            .args(["env", "-u", "HOMEDECK_BACKUP_PASSWORD_FILE", "-u", "HOMEDECK_PASSPHRASE_FILE", "TERM=xterm-256color"])
            .arg(env("HOMEDECK_DATA_DIR", &root.join("data")))
            .arg(env("HOMEDECK_CONFIG_DIR", &root.join("config")))
            .arg(env("HOMEDECK_STATE_DIR", &root.join("state")))
            // The vault's passphrase from a file, where there is one (not
            // for `vault init` on a fresh dir, which must ask).
            .args(root.join("pass").exists().then(|| env("HOMEDECK_PASSPHRASE_FILE", &root.join("pass"))))
            // The exit code is printed so the test can tell refusal from success.
            .args(["sh", "-c", &format!("{} {args}; echo \"exit=$?\"; exec sleep 600", env!("CARGO_BIN_EXE_homedeck"))])
            .status()
            .expect("tmux must be installed (tests/run.sh installs it)");
        assert!(status.success());
        let mut p = Pane { socket, pid: None };
        p.pid = p.tmux(&["display-message", "-p", "#{pid}"]).trim().parse().ok();
        p
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    /// Until the screen holds `what` `times` times (within 20 s).
    fn wait_for(&self, what: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.matches(what).count() >= times {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what:?} ×{times}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Type `line` and Enter once the `nth` prompt containing `prompt` is shown.
    fn answer(&self, prompt: &str, nth: usize, line: &str) {
        self.wait_for(prompt, nth);
        self.tmux(&["send-keys", "-l", line]);
        self.tmux(&["send-keys", "Enter"]);
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// A vault and an encrypted `dir` source named `files` with one file.
fn home() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    secret_file(&t.path().join("pass"), PASS);
    let o = homedeck(t.path()).args(["vault", "init"]).env("HOMEDECK_NEW_PASSPHRASE_FILE", t.path().join("pass")).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "the only file").unwrap();
    let o = homedeck(t.path()).args(["backup", "source", "add", "files", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "true"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    t
}

fn catalog(root: &Path) -> Vec<serde_json::Value> {
    let o = homedeck(root).args(["--json", "backup", "list"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.get("entries").unwrap_or(&v);
    list.as_array().cloned().unwrap_or_else(|| panic!("backup list --json is not a list: {v}"))
}

/// Every regular file in the repository directory (archives and their parts).
fn repo_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("data").join("backups")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().display().to_string());
            }
        }
    }
    out
}

#[test]
fn two_different_new_backup_passwords_are_refused_and_nothing_is_created() {
    let t = home();
    let before = repo_files(t.path());
    let pane = Pane::start(t.path(), "differ");
    pane.answer("Backup password:", 1, "first try 1");
    pane.answer("Backup password (again):", 1, "first try 2");
    let screen = pane.wait_for("exit=", 1);
    assert!(screen.contains("The archive cannot be opened without this password"), "the warning comes first:\n{screen}");
    assert!(screen.contains("the two backup password entries differ") && screen.contains("no archive"), "unclear refusal:\n{screen}");
    assert!(!screen.contains("exit=0"), "a mismatch must fail:\n{screen}");
    assert!(!screen.contains("first try"), "typed passwords were echoed:\n{screen}");
    assert_eq!(catalog(t.path()).len(), 0, "a backup was catalogued");
    assert_eq!(repo_files(t.path()), before, "something was written to the repository");
}

#[test]
fn two_equal_new_backup_passwords_make_an_archive_that_opens_with_it() {
    let t = home();
    let pane = Pane::start(t.path(), "equal");
    pane.answer("Backup password:", 1, "same twice 7");
    pane.answer("Backup password (again):", 1, "same twice 7");
    let screen = pane.wait_for("exit=", 1);
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(!screen.contains("same twice"), "typed passwords were echoed:\n{screen}");
    let list = catalog(t.path());
    assert_eq!(list.len(), 1, "{list:?}");
    // The archive opens with the typed password, and not with another.
    let id = list[0].get("id").map(|v| v.to_string()).unwrap();
    let pw = t.path().join("pw");
    secret_file(&pw, "same twice 7");
    let o = homedeck(t.path()).args(["backup", "verify", &id]).env("HOMEDECK_BACKUP_PASSWORD_FILE", &pw).output().unwrap();
    assert!(o.status.success(), "verify with the typed password: {}", text(&o));
    secret_file(&pw, "same twice 8");
    let o = homedeck(t.path()).args(["backup", "verify", &id]).env("HOMEDECK_BACKUP_PASSWORD_FILE", &pw).output().unwrap();
    assert!(!o.status.success(), "verify with another password passed: {}", text(&o));
}

/// `vault init` on a terminal says the 8-character minimum before it asks,
/// not only after a passphrase too short (issue 15 item 14), asks twice,
/// and echoes nothing typed.
#[test]
fn vault_init_says_the_minimum_before_it_asks() {
    let t = tempfile::tempdir().unwrap();
    let pane = Pane::run(t.path(), "init", "vault init");
    let screen = pane.wait_for("New vault passphrase:", 1);
    let hint = screen.find("at least 8 characters").unwrap_or_else(|| panic!("no minimum said before the prompt:\n{screen}"));
    assert!(hint < screen.find("New vault passphrase:").unwrap(), "the minimum comes after the prompt:\n{screen}");
    pane.answer("New vault passphrase:", 1, "long enough 42");
    pane.answer("New vault passphrase (again):", 1, "long enough 42");
    let screen = pane.wait_for("exit=", 1);
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(!screen.contains("long enough"), "the passphrase was echoed:\n{screen}");
}
