#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Servers against real OpenSSH servers on loopback: key, password and
//! passphrase-protected keys from the vault, first-use pinning, a changed
//! host key, every connection error, health from the real /proc, bulk exec,
//! cancellation, adversarial quoting, connection reuse and SFTP.

mod common;

use homedeck::engine::{AuditOutcome, ServersEvent, ServersOutcome};
use common::sshd::{self, Sshd};
use common::{PASS, run};
use homedeck::engine::internals::servers::ServerOptions;
use homedeck::engine::internals::servers::health::types::HealthState;
use homedeck::engine::{Command, EngineError, EngineHandle, EngineOptions, Event, Outcome, SecretValue};
use std::path::Path;
use std::time::Duration;

fn engine(dir: &Path) -> EngineHandle {
    let mut opts = EngineOptions::new(dir.join("data"));
    opts.servers = ServerOptions { connect_timeout: Duration::from_secs(3), ..Default::default() };
    common::open_with(opts)
}

async fn vault(e: &EngineHandle) {
    common::init(e).await;
}

fn add_cmd(name: &str, port: u16) -> Command {
    Command::ServerAdd {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(u32::from(port)),
        user: Some(sshd::me()),
        auth: None,
        secret: None,
        key: None,
        key_passphrase: None,
        password: None,
        tags: None,
        site: None,
    }
}

async fn add_key_server(e: &EngineHandle, name: &str, d: &Sshd, tags: Option<&str>) {
    let mut c = add_cmd(name, d.port);
    if let Command::ServerAdd { key, tags: t, .. } = &mut c {
        *key = Some(SecretValue::new(d.client_key_text()));
        *t = tags.map(String::from);
    }
    run(e, c).await.unwrap();
}

fn exec_cmd(targets: &str, line: &str) -> Command {
    Command::ServerExec { targets: targets.into(), line: line.into(), shell: None, confirmed: None, timeout_secs: Some(30) }
}

async fn test_server(e: &EngineHandle, name: &str) -> Result<Outcome, EngineError> {
    run(e, Command::ServerTest { name: name.into() }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_from_vault_pins_on_first_use_and_refuses_a_changed_host_key() {
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    add_key_server(&e, "nas", &d, None).await;

    let Outcome::Servers(ServersOutcome::ServerTested { report }) = test_server(&e, "nas").await.unwrap() else { panic!() };
    let first = d.host_fingerprint();
    assert!(report.pinned_now);
    assert_eq!(report.host_key.as_deref(), Some(format!("ssh-ed25519 {first}").as_str()));
    assert!(report.banner.starts_with("SSH-2.0-OpenSSH"), "{}", report.banner);
    assert!(report.kernel.starts_with("Linux"), "{}", report.kernel);
    assert!(!report.os.is_empty());
    // The pin is stored and shown.
    let Outcome::Servers(ServersOutcome::Server { detail }) = run(&e, Command::ServerShow { name: "nas".into() }).await.unwrap() else { panic!() };
    assert_eq!(detail.view.server.host_key.as_ref().unwrap().fingerprint, first);

    // The machine is "reinstalled": same address, new host key.
    d.restart(true);
    let second = d.host_fingerprint();
    assert_ne!(first, second);
    let err = test_server(&e, "nas").await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, EngineError::HostKeyMismatch { .. }), "{msg}");
    assert!(msg.contains(&first) && msg.contains(&second), "{msg}");
    // Raised once as a security event, however often it is met.
    let _ = test_server(&e, "nas").await;
    let Outcome::Audit(AuditOutcome::SecurityEvents { events }) = run(&e, Command::SecurityEventList { status: None, limit: None }).await.unwrap() else { panic!() };
    let mismatches: Vec<_> = events.iter().filter(|ev| ev.kind == "host_key_mismatch").collect();
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].evidence.get("presented"), Some(&second));

    // Trust refuses a fingerprint other than the one presented, then accepts.
    let wrong = run(&e, Command::ServerTrust { name: "nas".into(), fingerprint: Some(first.clone()) }).await.unwrap_err();
    assert!(wrong.to_string().contains(&second), "{wrong}");
    run(&e, Command::ServerTrust { name: "nas".into(), fingerprint: Some(second.clone()) }).await.unwrap();
    test_server(&e, "nas").await.unwrap();
    let audit = common::audit_all(&e).await;
    let trusted = audit.iter().find(|a| a.action == "server_trust" && a.status == homedeck::engine::internals::audit::Status::Success).unwrap();
    assert!(trusted.changes.iter().any(|c| c.after.as_deref() == Some(second.as_str())));
    assert!(audit.iter().any(|a| a.action == "server_host_key_pinned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_auth_and_auth_failures() {
    if !sshd::is_root() {
        panic!("password auth needs a test user: run the tests as root (CI does)");
    }
    sshd::ensure_user("hdpass", "s3cret-pass-word", "/bin/sh");
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    let mut c = add_cmd("pw", d.port);
    if let Command::ServerAdd { user, password, .. } = &mut c {
        *user = Some("hdpass".into());
        *password = Some(SecretValue::new("s3cret-pass-word"));
    }
    run(&e, c).await.unwrap();
    let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) = run(&e, exec_cmd("pw", "id -un")).await.unwrap() else { panic!() };
    assert!(results[0].ok(), "{:?}", results[0]);
    assert_eq!(results[0].output_tail.trim(), "hdpass");

    // A wrong password: auth failure naming user, server and method.
    let mut c = add_cmd("pw-wrong", d.port);
    if let Command::ServerAdd { user, password, .. } = &mut c {
        *user = Some("hdpass".into());
        *password = Some(SecretValue::new("not-it"));
    }
    run(&e, c).await.unwrap();
    let err = test_server(&e, "pw-wrong").await.unwrap_err();
    assert!(matches!(err, EngineError::AuthFailed { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("hdpass@pw-wrong") && msg.contains("password"), "{msg}");

    // A key the server does not know.
    let stranger = tmp.path().join("stranger");
    sshd::keygen(&stranger, "");
    let mut c = add_cmd("wrong-key", d.port);
    if let Command::ServerAdd { key, .. } = &mut c {
        *key = Some(SecretValue::new(std::fs::read_to_string(&stranger).unwrap()));
    }
    run(&e, c).await.unwrap();
    let err = test_server(&e, "wrong-key").await.unwrap_err();
    assert!(err.to_string().contains("authentication failed") && err.to_string().contains("publickey"), "{err}");

    // A login shell that refuses commands.
    sshd::ensure_user("hdnologin", "nologin-pass-1", "/usr/sbin/nologin");
    let mut c = add_cmd("nologin", d.port);
    if let Command::ServerAdd { user, password, .. } = &mut c {
        *user = Some("hdnologin".into());
        *password = Some(SecretValue::new("nologin-pass-1"));
    }
    run(&e, c).await.unwrap();
    let Outcome::Servers(ServersOutcome::Health { reports }) = run(&e, Command::ServerHealth { name: Some("nologin".into()) }).await.unwrap() else { panic!() };
    assert_eq!(reports[0].state, HealthState::Down);
    assert!(reports[0].reasons[0].contains("login shell refuses commands"), "{:?}", reports[0].reasons);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_timeout_and_dns_errors_say_which() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path());
    vault(&e).await;
    // Refused: nothing listens.
    run(&e, add_cmd("gone", sshd::free_port())).await.unwrap();
    let err = test_server(&e, "gone").await.unwrap_err().to_string();
    assert!(err.contains("connection refused") && err.contains("gone"), "{err}");
    // Timeout: something accepts but never speaks SSH.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    run(&e, add_cmd("mute", silent.local_addr().unwrap().port())).await.unwrap();
    let err = test_server(&e, "mute").await.unwrap_err().to_string();
    assert!(err.contains("no SSH banner within 3 s"), "{err}");
    drop(silent);
    // DNS failure: resolved inside an empty network namespace, so the
    // query cannot leave this machine.
    let data = tmp.path().join("dns");
    let bin = env!("CARGO_BIN_EXE_homedeck");
    let add = std::process::Command::new(bin)
        .args(["server", "add", "ghost", "--host", "ghost.invalid", "--agent"])
        .env("HOMEDECK_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let out = std::process::Command::new("unshare")
        .args(["--net", bin, "server", "test", "ghost"])
        .env("HOMEDECK_DATA_DIR", &data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("cannot resolve host \"ghost.invalid\"") && stderr.contains("DNS failure"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_numbers_come_from_the_real_proc() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    add_key_server(&e, "box", &d, None).await;
    let Outcome::Servers(ServersOutcome::Health { reports }) = run(&e, Command::ServerHealth { name: None }).await.unwrap() else { panic!() };
    assert_eq!(reports.len(), 2, "local and box");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let total: u64 = meminfo.lines().next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    // The CPUs online, as the kernel reports them (what `getconf` on the server reads too;
    // available_parallelism would count only this process's affinity).
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap();
    let cores: u32 = online.trim().split(',').map(|r| match r.split_once('-') {
        Some((a, b)) => b.parse::<u32>().unwrap() - a.parse::<u32>().unwrap() + 1,
        None => 1,
    }).sum();
    for r in &reports {
        let s = r.sample.as_ref().unwrap_or_else(|| panic!("{} has no sample: {:?}", r.server, r.reasons));
        assert_eq!(s.mem_total_kb, total, "{}", r.server);
        assert_eq!(s.cores, cores, "{}: cores online per /sys/devices/system/cpu/online ({})", r.server, online.trim());
        assert!(s.cpu_pct.is_some_and(|c| (0.0..=100.0).contains(&c)), "{}: {:?}", r.server, s.cpu_pct);
        assert!(s.procs > 1 && s.uptime_secs > 0);
        assert!(s.disks.iter().any(|d| d.mount == "/"), "{:?}", s.disks);
        assert_ne!(r.state, HealthState::Down);
    }
    // History: a point per minute, shown by `server show`.
    let Outcome::Servers(ServersOutcome::Server { detail }) = run(&e, Command::ServerShow { name: "box".into() }).await.unwrap() else { panic!() };
    assert_eq!(detail.history.len(), 1);
    assert!(detail.view.cpu_hour.last().unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_exec_on_three_servers_reuses_one_connection_each() {
    let tmp = tempfile::tempdir().unwrap();
    let servers: Vec<Sshd> = (0..3).map(|i| Sshd::start(&tmp.path().join(format!("sshd{i}")))).collect();
    let e = engine(tmp.path());
    vault(&e).await;
    for (i, d) in servers.iter().enumerate() {
        add_key_server(&e, &format!("s{i}"), d, Some("rack")).await;
    }
    let mut events = e.subscribe();
    let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) =
        run(&e, Command::ServerExec { targets: "tag:rack".into(), line: "echo $SSH_CONNECTION".into(), shell: Some(true), confirmed: None, timeout_secs: None })
            .await
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(results.len(), 3);
    for (i, r) in results.iter().enumerate() {
        assert!(r.ok(), "{r:?}");
        // Each answer came from its own sshd: the port is in SSH_CONNECTION.
        assert!(r.output_tail.trim().ends_with(&servers[i].port.to_string()), "{}", r.output_tail);
    }
    let mut streamed = 0;
    while let Ok(ev) = events.try_recv() {
        if matches!(ev, Event::Servers(ServersEvent::ExecOutput { .. })) {
            streamed += 1;
        }
    }
    assert!(streamed >= 3, "output is streamed as events");
    // More work over the same connections: health and a second run.
    run(&e, Command::ServerHealth { name: None }).await.unwrap();
    run(&e, exec_cmd("s0,s1,s2", "true")).await.unwrap();
    for d in &servers {
        assert_eq!(d.logins(), 1, "one SSH login per server: {}", d.log_text());
    }
    // After the server goes away and comes back, the next run redials.
    let mut servers = servers;
    servers[0].restart(false);
    let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) = run(&e, exec_cmd("s0", "true")).await.unwrap() else { panic!() };
    assert!(results[0].ok(), "{:?}", results[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adversarial_arguments_run_as_literal_words() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    add_key_server(&e, "box", &d, None).await;
    let mark = tmp.path().join("pwned");
    let m = mark.display().to_string();
    let words = [
        format!("; touch {m}1"),
        format!("$(touch {m}2)"),
        format!("`touch {m}3`"),
        format!("' ; touch {m}4 ; '"),
        format!("\" ; touch {m}5 ; \""),
        format!("x\ntouch {m}6"),
        format!("&& touch {m}7 || |"),
    ];
    let mut argv = vec!["printf".to_string(), "<%s>\\n".to_string()];
    argv.extend(words.iter().cloned());
    let line = homedeck::engine::internals::servers::quote::join(&argv);
    for target in ["box", "local"] {
        let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) = run(&e, exec_cmd(target, &line)).await.unwrap() else { panic!() };
        assert!(results[0].ok(), "{:?}", results[0]);
        let expected: String = words.iter().map(|w| format!("<{w}>\n")).collect();
        assert_eq!(results[0].output_tail, expected, "{target}");
    }
    for i in 1..=7 {
        assert!(!Path::new(&format!("{m}{i}")).exists(), "payload {i} ran");
    }
    // Names and tags with metacharacters never get stored.
    let mut c = add_cmd("ok", d.port);
    if let Command::ServerAdd { tags, .. } = &mut c {
        *tags = Some("a,$(reboot)".into());
    }
    let err = run(&e, c).await.unwrap_err().to_string();
    assert!(err.contains("invalid tag") && err.contains("$(reboot)"), "{err}");
    let err = run(&e, exec_cmd("box;id", "true")).await.unwrap_err().to_string();
    assert!(err.contains("box;id"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_can_be_cancelled_and_the_remote_process_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    add_key_server(&e, "box", &d, None).await;
    let marker = format!("{}.5", 40 + std::process::id() % 50);
    let mut events = e.subscribe();
    let e2 = e.clone();
    let line = format!("sleep {marker}");
    let job = tokio::spawn(async move { run(&e2, exec_cmd("box", &line)).await });
    let run_id = loop {
        if let Ok(Event::Servers(ServersEvent::ExecStarted { run, .. })) = events.recv().await {
            break run;
        }
    };
    // Wait until the remote sleep really runs, then cancel.
    let pgrep = || std::process::Command::new("pgrep").args(["-f", &format!("sleep {marker}")]).output().unwrap().status.success();
    for _ in 0..200 {
        if pgrep() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(pgrep(), "remote sleep started");
    run(&e, Command::ServerExecCancel { run: run_id }).await.unwrap();
    let done = tokio::time::timeout(Duration::from_secs(10), job).await;
    assert!(done.is_ok(), "run did not end after cancel: {}", d.log_text());
    let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) = done.unwrap().unwrap().unwrap() else { panic!() };
    assert!(results[0].status.cancelled, "{:?}", results[0]);
    for _ in 0..100 {
        if !pgrep() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!pgrep(), "the remote process was stopped: {}", d.log_text());
    let err = run(&e, Command::ServerExecCancel { run: run_id }).await.unwrap_err().to_string();
    assert!(err.contains("no running command run"), "{err}");
    // Dangerous commands want confirmation first.
    let err = run(&e, exec_cmd("box", "rm -rf /tmp/nothing-here")).await.unwrap_err();
    assert!(matches!(err, EngineError::ConfirmationRequired { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sftp_put_and_get_round_trip_with_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    vault(&e).await;
    add_key_server(&e, "box", &d, None).await;
    let src = tmp.path().join("src.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    let remote = tmp.path().join("remote.bin").display().to_string();
    let back = tmp.path().join("back.bin");
    let mut events = e.subscribe();
    let Outcome::Servers(ServersOutcome::Transferred { report }) = run(&e, Command::ServerPut { name: "box".into(), local: src.display().to_string(), remote: remote.clone() }).await.unwrap() else { panic!() };
    assert_eq!(report.bytes, data.len() as u64);
    run(&e, Command::ServerGet { name: "box".into(), remote: remote.clone(), local: back.display().to_string() }).await.unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), data);
    let mut last = 0;
    while let Ok(ev) = events.try_recv() {
        if let Event::Servers(ServersEvent::TransferProgress { done, total, .. }) = ev {
            assert_eq!(total, data.len() as u64);
            last = done;
        }
    }
    assert_eq!(last, data.len() as u64);
    let err = run(&e, Command::ServerGet { name: "box".into(), remote: "/no/such/file".into(), local: back.display().to_string() }).await.unwrap_err();
    assert!(err.to_string().contains("/no/such/file"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_imports_a_passphrase_key_and_an_ssh_config() {
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    // A passphrase-protected client key, authorised too.
    let enc = tmp.path().join("enc_key");
    sshd::keygen(&enc, "key-pass-123");
    let mut auth = std::fs::read_to_string(d.dir.join("authorized_keys")).unwrap();
    auth.push_str(&std::fs::read_to_string(enc.with_extension("pub")).unwrap());
    std::fs::write(d.dir.join("authorized_keys"), auth).unwrap();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(&pass, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let kpass = tmp.path().join("kpass");
    std::fs::write(&kpass, "key-pass-123\n").unwrap();
    std::fs::set_permissions(&kpass, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let data = tmp.path().join("data");
    let bin = env!("CARGO_BIN_EXE_homedeck");
    let hd = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .args(args)
            .env("HOMEDECK_DATA_DIR", &data)
            .env("HOMEDECK_PASSPHRASE_FILE", &pass)
            .env("HOMEDECK_NEW_PASSPHRASE_FILE", &pass)
            .env("HOMEDECK_KEY_PASSPHRASE_FILE", &kpass)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    assert!(hd(&["vault", "init"]).0);
    let port = d.port.to_string();
    let (ok, out) = hd(&["server", "add", "enc", "--host", "127.0.0.1", "--port", &port, "--user", &sshd::me(), "--key-file", enc.to_str().unwrap()]);
    assert!(ok, "{out}");
    let (ok, out) = hd(&["server", "test", "enc"]);
    assert!(ok && out.contains("pinned now"), "{out}");
    // The vault holds the key, not in the clear.
    let (_, list) = hd(&["secret", "list"]);
    assert!(list.contains("server/enc/key"), "{list}");

    let cfg = tmp.path().join("ssh_config");
    std::fs::write(
        &cfg,
        format!(
            "Host cfgbox other\n  HostName 127.0.0.1\n  Port {port}\n  IdentityFile {}\nHost *.lan\n  User x\nHost *\n  User {}\nHost bad;name\n  HostName 1.2.3.4\n",
            d.client_key.display(),
            sshd::me()
        ),
    )
    .unwrap();
    let (ok, out) = hd(&["server", "import-ssh-config", "--file", cfg.to_str().unwrap(), "--dry-run"]);
    assert!(ok && out.contains("would add") && out.contains("dry run"), "{out}");
    let (ok, out) = hd(&["server", "import-ssh-config", "--file", cfg.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("cfgbox") && out.contains("added") && out.contains("skipped"), "{out}");
    let (ok, out) = hd(&["server", "exec", "cfgbox,other", "--", "echo", "hi there"]);
    assert!(ok, "{out}");
    assert!(out.contains("cfgbox | hi there") && out.contains("other | hi there"), "{out}");
    let (ok, out) = hd(&["--json", "server", "list"]);
    assert!(ok && out.contains("\"outcome\": \"servers\""), "{out}");
}
