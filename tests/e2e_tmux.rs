#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! End to end: the real binary in a real terminal (tmux, 80×24). Init the
//! vault → add a secret → lock → unlock → reveal → the audit pane shows those
//! actions, and the secret value appears on screen only while revealed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PASS: &str = "tmux passphrase 42";
const VALUE: &str = "CANARY-e2e-4b1d";

/// What the pane runs: a line on the shell's screen, the console, then its
/// exit status and `stty -a` (is the terminal back in cooked mode with echo?).
const SHELL_AROUND: &str = "echo 'shell before homedeck'; \"$0\"; echo \"homedeck exited $?\"; stty -a; echo 'stty done'; exec sleep 3600";

/// A tmux server of our own; killed by its pid when the test ends.
struct Tmux {
    socket: String,
    pid: Option<u32>,
}

impl Tmux {
    fn start(root: &Path) -> Tmux {
        // One tmux server per test: the tests of this file run in parallel.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("homedeck-e2e-{}-{n}", std::process::id());
        let env = |k: &str, v: &Path| format!("{k}={}", v.display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"])
            .args(["env", "TERM=xterm-256color"])
            .arg(env("HOMEDECK_DATA_DIR", &root.join("data")))
            .arg(env("HOMEDECK_CONFIG_DIR", &root.join("config")))
            .arg(env("HOMEDECK_STATE_DIR", &root.join("state")))
            // A shell around the console, as a user has: after quitting, its
            // exit status and the terminal's mode show on the restored screen.
            .args(["sh", "-c", SHELL_AROUND])
            .arg(env!("CARGO_BIN_EXE_homedeck"))
            .status()
            .expect("tmux must be installed (tests/run.sh installs it)");
        assert!(status.success());
        let mut t = Tmux { socket, pid: None };
        let pid = t.tmux(&["display-message", "-p", "#{pid}"]);
        t.pid = pid.trim().parse().ok();
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", k]);
        }
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-l", s]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    /// Wait until the screen no longer shows `what` (the next frame is drawn).
    fn wait_gone(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if !s.contains(what) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what:?} to go; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Quit has ended the console and given the terminal back: the shell's
    /// own screen is there again (the alternate screen was left), the
    /// console exited 0, and the terminal is in cooked mode with echo on.
    fn assert_shell_restored(&self, console_text: &str) {
        // `stty -a` prints after the exit line: wait for the line after it,
        // or the check would race the shell.
        let s = self.wait_for("stty done");
        assert!(s.contains("homedeck exited 0"), "{s}");
        assert!(s.contains("shell before homedeck"), "the shell's screen was not restored:\n{s}");
        assert!(!s.contains(console_text), "the console is still on the screen:\n{s}");
        let words: Vec<&str> = s.split_whitespace().collect();
        for mode in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(words.contains(&mode), "terminal left without {mode} (still raw?):\n{s}");
        }
    }

    /// Wait until the screen shows `what` (Argon2 takes a moment).
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(what) {
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

#[test]
fn init_add_lock_unlock_reveal_then_audit() {
    let root = tempfile::tempdir().unwrap();
    let t = Tmux::start(root.path());
    // The console opens on the Overview; at 80 columns the other tabs show
    // three letters.
    t.wait_for("0:Overview 1:Ser");
    t.keys(&["6"]);
    t.wait_for("not initialised");

    // Create the vault: passphrase twice.
    t.keys(&["i"]);
    t.wait_for("Create the vault");
    t.text(PASS);
    t.keys(&["Enter"]);
    t.text(PASS);
    t.keys(&["Enter"]);
    t.wait_for("Vault: unlocked");

    // Add a secret: name, type (token), value, rotation, note.
    t.keys(&["a"]);
    t.wait_for("Add a secret");
    t.text("ha-token");
    t.keys(&["Enter", "Right", "Right", "Enter"]);
    t.text(VALUE);
    // Once every character has been drawn (as a bullet), the value is not on screen.
    let s = t.wait_for(&"•".repeat(VALUE.chars().count()));
    assert!(!s.contains(VALUE), "value shown while typing:\n{s}");
    t.keys(&["Enter", "Enter", "Enter"]);
    let s = t.wait_for("ha-token");
    assert!(s.contains("token"), "{s}");

    // Lock, then unlock.
    t.keys(&["L"]);
    t.wait_for("Vault: locked");
    t.keys(&["u"]);
    t.wait_for("Unlock the vault");
    t.text(PASS);
    t.keys(&["Enter"]);
    t.wait_for("Vault: unlocked");

    // Reveal shows the value; any key hides it again.
    t.keys(&["r"]);
    t.wait_for(VALUE);
    t.keys(&["j"]);
    t.wait_gone(VALUE);

    // The audit pane lists all of it, newest first, and never the value.
    t.keys(&["7"]);
    let s = t.wait_for("secret_reveal");
    for action in ["vault_init", "secret_add", "vault_lock", "vault_unlock", "secret_reveal"] {
        assert!(s.contains(action), "{action} missing from the audit pane:\n{s}");
    }
    assert!(!s.contains(VALUE), "value on the audit pane:\n{s}");
    let reveal_row = s.lines().position(|l| l.contains("secret_reveal")).unwrap();
    let init_row = s.lines().position(|l| l.contains("vault_init")).unwrap();
    assert!(reveal_row < init_row, "newest first:\n{s}");

    // Quit restores the shell.
    t.keys(&["q"]);
    t.assert_shell_restored("Vault: unlocked");
}

/// A newcomer's first minutes (issue 15), in the real binary at 80×24 with
/// a keymap.toml that moves quit to `Q`: the first screen says where to
/// start and `i` creates the vault from it; a long error wraps instead of
/// being cut and `m` keeps it in full; help opens on the pane's keys.
#[test]
fn a_newcomer_starts_from_the_first_screen() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::write(root.path().join("config/keymap.toml"), "[global]\nquit = [\"Q\"]\n").unwrap();
    let t = Tmux::start(root.path());
    // The status bar is drawn last: waiting for it means the frame is whole
    // (a capture taken mid-draw showed the welcome cut off).
    let s = t.wait_for("Q quit");
    assert!(s.contains("Welcome to homedeck") && s.contains("create the vault") && s.contains("Q quit") && !s.contains("q quit"), "{s}");

    t.keys(&["i"]);
    let s = t.wait_for("Create the vault");
    assert!(s.contains("at least 8 characters"), "{s}");
    t.text(PASS);
    t.keys(&["Enter"]);
    t.text(PASS);
    t.keys(&["Enter"]);
    t.wait_for("vault created and unlocked");
    t.keys(&["1"]);
    t.wait_for("Only this machine");

    // Lights: `a` adds here too; a device that does not answer gives a
    // long error, wrapped onto the status rows.
    t.keys(&["4"]);
    t.wait_for("No lights yet");
    t.keys(&["a"]);
    t.wait_for("Add a light");
    t.keys(&["Down"]);
    t.text("127.0.0.1:9");
    t.keys(&["Enter", "Enter", "Enter"]); // name, site, submit
    let s = t.wait_for("did not answer");
    let status: Vec<&str> = s.lines().rev().take(3).collect();
    assert!(status.iter().any(|l| l.contains("unreachable") || l.contains("refused")), "the error is cut:\n{s}");
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["m"]);
    let s = t.wait_for("Messages");
    assert!(s.contains("Lights") && s.contains("wled_add: WLED at 127.0.0.1:9"), "{s}");
    t.keys(&["Escape"]);
    t.wait_gone("Messages");

    t.keys(&["?"]);
    let s = t.wait_for("Help");
    assert!(s.contains("[lights]") && s.contains("wled_add"), "{s}");
    t.keys(&["Escape"]);
    t.wait_gone("[lights]");
    t.keys(&["Q"]);
    t.assert_shell_restored("Q quit");
}
