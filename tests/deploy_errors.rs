//! The ways a deployment fails before Home Assistant runs, each against the
//! real sshd: an unreachable server, a port something on the server already
//! listens on, no such python, no Docker engine, a Home Assistant version
//! pip cannot find (the half-made install is removed), a cancelled install
//! (cleaned up too), and input that never reaches a shell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod deploy_common;

use homedeck::engine::{DeployEvent, DeployOutcome};
use common::run;
use common::sshd::{self, Sshd};
use deploy_common::*;
use homedeck::engine::internals::deploy::DeployOptions;
use homedeck::engine::{Command, EngineOptions, Event, Outcome};
use std::net::TcpListener;
use std::time::Duration;

fn with(c: Command, f: impl FnOnce(&mut Command)) -> Command {
    let mut c = c;
    f(&mut c);
    c
}

async fn no_deployments(e: &homedeck::engine::EngineHandle) {
    match run(e, Command::DeployList { health: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::Deployments { deployments }) => assert!(deployments.is_empty(), "{deployments:?}"),
        o => panic!("unexpected {o:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_clear_and_leave_nothing_behind() {
    let wheels = wheelhouse();
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    let free = sshd::free_port();
    let mut opts = EngineOptions::new(tmp.path().join("data"));
    opts.deploy = DeployOptions { port_range: format!("{busy_port},{free}"), ..Default::default() };
    let e = common::open_with(opts);
    server(&e, &d).await;
    let root = tmp.path().join("deployments");
    let _reaper = Reaper(root.clone());
    let base = create("home", &root, &wheels);

    // Input that a shell would read as code is refused before any connection.
    for (field, cmd) in [
        ("version", with(base.clone(), |c| if let Command::DeployCreate { version, .. } = c { *version = "1; touch /tmp/pwned".into() })),
        ("deployment name", with(base.clone(), |c| if let Command::DeployCreate { name, .. } = c { *name = "a b".into() })),
        ("config_dir", with(base.clone(), |c| if let Command::DeployCreate { config_dir, .. } = c { *config_dir = Some("relative/dir".into()) })),
        ("runtime", with(base.clone(), |c| if let Command::DeployCreate { runtime, .. } = c { *runtime = Some("podman".into()) })),
    ] {
        let err = run(&e, cmd).await.unwrap_err().to_string();
        assert!(err.contains(&format!("invalid {field}")), "{field}: {err}");
    }

    // An unreachable server.
    let dead = sshd::free_port();
    run(&e, Command::ServerAdd {
        name: "gone".into(), host: "127.0.0.1".into(), port: Some(u32::from(dead)), user: Some(sshd::me()), auth: None,
        secret: None, key: Some(homedeck::engine::SecretValue::new(d.client_key_text())), key_passphrase: None,
        password: None, tags: None, site: None,
    })
    .await
    .unwrap();
    let err = run(&e, with(base.clone(), |c| if let Command::DeployCreate { server, .. } = c { *server = "gone".into() })).await.unwrap_err().to_string();
    assert!(err.contains("cannot reach server gone") && err.contains("connection refused"), "{err}");

    // A port something on the server listens on (not a deployment: the server's own socket table says so).
    let err = run(&e, with(base.clone(), |c| if let Command::DeployCreate { port, .. } = c { *port = Some(busy_port) })).await.unwrap_err().to_string();
    assert!(err.contains(&format!("already listens on {busy_port}")), "{err}");

    // No such python.
    let err = run(&e, with(base.clone(), |c| if let Command::DeployCreate { python, .. } = c { *python = Some("/nonexistent/python3.11".into()) })).await.unwrap_err().to_string();
    assert!(err.contains("/nonexistent/python3.11 was not found"), "{err}");

    // The docker runtime with no usable Docker engine on the server.
    let err = run(&e, with(base.clone(), |c| if let Command::DeployCreate { runtime, .. } = c { *runtime = Some("docker".into()) })).await.unwrap_err().to_string();
    let has_cli = std::process::Command::new("sh").arg("-c").arg("command -v docker").output().unwrap().status.success();
    if has_cli {
        assert!(err.contains("cannot reach a Docker engine"), "{err}");
    } else {
        assert!(err.contains("docker CLI is not installed"), "{err}");
    }
    no_deployments(&e).await;

    // pip cannot find the version: the venv made so far is removed, and the record.
    let err = run(&e, with(base.clone(), |c| if let Command::DeployCreate { version, .. } = c { *version = "2099.1.1".into() })).await.unwrap_err().to_string();
    assert!(err.contains("homeassistant==2099.1.1"), "{err}");
    assert!(err.contains("cleaned up: removed"), "{err}");
    assert!(!root.join("home").exists(), "the half-made install was removed");
    no_deployments(&e).await;

    // A cancelled install: the automatic port skips the one the server listens on; cancel cleans up.
    let mut rx = e.subscribe();
    let e2 = e.clone();
    let create = tokio::spawn(async move { run(&e2, create_cmd(base)).await });
    expect_event(&mut rx, 60, |ev| matches!(ev, Event::Deploy(DeployEvent::DeployProgress { step, .. }) if step == "pip install")).await;
    match run(&e, Command::DeployList { health: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::Deployments { deployments }) => assert_eq!(deployments[0].deployment.port, free, "{busy_port} is taken on the server"),
        o => panic!("unexpected {o:?}"),
    }
    run(&e, Command::DeployCancel { name: "home".into() }).await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(60), create).await.unwrap().unwrap().unwrap_err().to_string();
    assert!(err.contains("cancelled") && err.contains("cleaned up"), "{err}");
    assert!(!root.join("home").exists());
    no_deployments(&e).await;
    drop(busy);

    let audit = common::audit_all(&e).await;
    let failed = audit.iter().filter(|a| a.action == "deploy_create" && a.status == homedeck::engine::internals::audit::Status::Failure).count();
    assert!(failed >= 8, "every failed create is audited ({failed})");
}

fn create_cmd(c: Command) -> Command {
    c
}
