#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The audit log says what happened (issue 15, item 3): a remote command
//! that exits 1 is a failure with its exit code, a cancelled run is
//! `cancelled`, a restore preview is `backup_restore_preview` and one the
//! operator declines with `n` is `backup_restore_decline` / `declined` —
//! never a successful `backup_restore`. Real OpenSSH server, real binary,
//! a real terminal (script(1)) for the y/n question.

mod common;

use common::sshd::{self, Sshd};
use homedeck::engine::{Command, Event, ServersEvent};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let pass = dir.path().join("pass");
        std::fs::write(&pass, format!("{}\n", common::PASS)).unwrap();
        std::fs::set_permissions(&pass, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
        let h = Home { dir };
        h.ok(&["vault", "init"]);
        h
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homedeck"));
        c.env("HOMEDECK_DATA_DIR", self.path("data"))
            .env("HOMEDECK_CONFIG_DIR", self.path("config"))
            .env("HOMEDECK_STATE_DIR", self.path("state"))
            .env("HOMEDECK_PASSPHRASE_FILE", self.path("pass"))
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "homedeck {args:?}: {text}");
        text
    }

    /// Audit entries of `action`, newest first, as `audit search --json` gives them.
    fn audit(&self, action: &str) -> Vec<serde_json::Value> {
        let o = self.run(&["--json", "audit", "search", action, "--limit", "500"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
        v["page"]["entries"].as_array().unwrap().iter().filter(|e| e["action"] == action).cloned().collect()
    }
}

fn add_server(h: &Home, d: &Sshd) {
    let key = d.dir.join("client_key");
    let port = d.port.to_string();
    h.ok(&["server", "add", "box", "--host", &format!("127.0.0.1:{port}"), "--user", &sshd::me(), "--key-file", key.to_str().unwrap()]);
}

#[test]
fn a_remote_command_that_exits_1_is_audited_as_a_failure_with_its_exit_code() {
    let h = Home::new();
    let d = Sshd::start(&h.path("sshd"));
    add_server(&h, &d);
    h.ok(&["server", "exec", "box", "--", "true"]);
    let o = h.run(&["server", "exec", "box", "--", "sh", "-c", "exit 1"]);
    assert!(!o.status.success(), "a failed remote command fails the CLI too");
    // (Each CLI run first meets the locked vault, audited as that failure, unlocks and runs.)
    let entries: Vec<_> = h.audit("server_exec").into_iter().filter(|e| !e["error"].as_str().unwrap_or("").contains("vault is locked")).collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (failed, ok) = (&entries[0], &entries[1]);
    assert_eq!(ok["status"], "success", "{ok}");
    assert_eq!(failed["status"], "failure", "{failed}");
    assert!(failed["error"].as_str().unwrap().contains("box: exit 1"), "{failed}");
    // And the CLI's table says so.
    let table = h.ok(&["audit", "search", "server_exec", "--status", "failure"]);
    assert!(table.contains("failure") && table.contains("box: exit 1"), "{table}");
    // Run numbers go on across processes.
    let a = h.ok(&["--json", "server", "exec", "box", "--", "true"]);
    let b = h.ok(&["--json", "server", "exec", "box", "--", "true"]);
    let run = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap()["run"].as_u64().unwrap();
    assert!(run(&b) > run(&a) && run(&a) >= 3, "{a}\n{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_is_audited_as_cancelled() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = common::open(&tmp.path().join("data"));
    common::init(&e).await;
    let add = Command::ServerAdd {
        name: "box".into(),
        host: "127.0.0.1".into(),
        port: Some(u32::from(d.port)),
        user: Some(sshd::me()),
        auth: None,
        secret: None,
        key: Some(homedeck::engine::SecretValue::new(d.client_key_text())),
        key_passphrase: None,
        password: None,
        tags: None,
        site: None,
    };
    common::run(&e, add).await.unwrap();
    let mut events = e.subscribe();
    let e2 = e.clone();
    let line = format!("sleep {}.7", 40 + std::process::id() % 50);
    let exec = Command::ServerExec { targets: "box".into(), line, shell: None, confirmed: None, timeout_secs: Some(60) };
    let job = tokio::spawn(async move { common::run(&e2, exec).await });
    let run = loop {
        if let Ok(Event::Servers(ServersEvent::ExecStarted { run, .. })) = events.recv().await {
            break run;
        }
    };
    // Once the remote command has started (its channel is open), cancel it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    common::run(&e, Command::ServerExecCancel { run }).await.unwrap();
    tokio::time::timeout(Duration::from_secs(15), job).await.expect("the run ended").unwrap().unwrap();
    let page = common::run(&e, common::search(Some(50))).await.unwrap();
    let homedeck::engine::Outcome::Audit(homedeck::engine::AuditOutcome::AuditPage { page }) = page else { panic!() };
    let exec = page.entries.iter().find(|x| x.action == "server_exec").expect("server_exec audited");
    assert_eq!(exec.status.as_str(), "cancelled", "{exec:?}");
    assert!(exec.error.as_deref().unwrap_or("").contains("box: cancelled"), "{exec:?}");
}

/// `homedeck ARGS` on a real terminal (script(1)), answering `answer`.
fn on_a_terminal(h: &Home, args: &str, answer: &str) -> String {
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_homedeck"));
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &line, "/dev/null"])
        .env("HOMEDECK_DATA_DIR", h.path("data"))
        .env("HOMEDECK_CONFIG_DIR", h.path("config"))
        .env("HOMEDECK_STATE_DIR", h.path("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", h.path("pass"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    // script(1) passes stdin to the terminal; the question waits for it.
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    stdin.write_all(answer.as_bytes()).unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_declined_restore_preview_is_not_a_restore() {
    let h = Home::new();
    let src = h.path("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a.txt"), "one").unwrap();
    h.ok(&["backup", "source", "add", "files", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "false"]);
    h.ok(&["backup", "create", "files"]);
    std::fs::write(src.join("a.txt"), "two").unwrap();

    let said = on_a_terminal(&h, "backup restore 1", "n\n");
    assert!(said.contains("Go ahead?") || said.contains("[y/N]"), "{said}");
    assert!(said.contains("not restored"), "{said}");
    assert_eq!(std::fs::read_to_string(src.join("a.txt")).unwrap(), "two", "nothing was restored");
    assert!(h.audit("backup_restore").is_empty(), "a declined preview was logged as a restore: {:?}", h.audit("backup_restore"));
    let preview = h.audit("backup_restore_preview");
    assert_eq!(preview.len(), 1, "{preview:?}");
    assert_eq!((preview[0]["status"].as_str(), preview[0]["severity"].as_str()), (Some("success"), Some("info")), "{}", preview[0]);
    let declined = h.audit("backup_restore_decline");
    assert_eq!(declined.len(), 1, "{declined:?}");
    assert_eq!(declined[0]["status"], "declined", "{}", declined[0]);
    assert!(declined[0]["description"].as_str().unwrap().contains("backup #1 declined"), "{}", declined[0]);

    // Said yes, it is a restore, and a successful one.
    let said = on_a_terminal(&h, "backup restore 1", "y\n");
    assert!(said.contains("restored"), "{said}");
    assert_eq!(std::fs::read_to_string(src.join("a.txt")).unwrap(), "one");
    let restore = h.audit("backup_restore");
    assert_eq!(restore.len(), 1, "{restore:?}");
    assert_eq!(restore[0]["status"], "success");
    // The status filter knows the new words.
    let o = h.ok(&["--json", "audit", "search", "--status", "declined"]);
    assert!(o.contains("backup_restore_decline"), "{o}");
}
