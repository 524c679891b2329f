//! Home Assistant Core 2024.3.3 deployed by homedeck with the venv runtime
//! over SSH to a real sshd on 127.0.0.1 (../shared/peers.md): create →
//! healthy → onboarding and a long-lived token → profile test → a state
//! change posted over REST arrives on the WebSocket view → config edit with
//! YAML and HA checks, revert → a service call → restart → the HA process is
//! killed and homedeck's supervisor restarts it → an upgrade to a version
//! that does not exist fails and leaves the old one running → an upgrade
//! that installs and switches to a real release (2024.3.2) which is not
//! healthy within its health timeout is switched back, old version and
//! config, healthy again → delete with a final config backup. One HA install serves the whole sequence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod deploy_backup_steps;
mod deploy_common;
mod tui_common;

use homedeck::engine::{DeployEvent, DeployOutcome, HaEvent, HaOutcome};
use common::run;
use crossterm::event::KeyCode;
use common::sshd::Sshd;
use deploy_common::*;
use homedeck::engine::internals::deploy::views::HealthState;
use homedeck::engine::views::ai::{ActionStatus, AiOutcome};
use homedeck::engine::{Command, EngineError, Event, Outcome, SecretValue};
use std::time::{Duration, Instant};

/// Settle and redraw until `ok(screen)` (engine work arrives on its own time).
async fn until(h: &mut tui_common::Harness, ok: impl Fn(&str) -> bool) -> String {
    for _ in 0..300 {
        h.settle().await;
        let s = h.screen(100, 30);
        if ok(&s) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("screen never matched:\n{}", h.screen(100, 30));
}

fn health_of(o: &Outcome) -> homedeck::engine::internals::deploy::views::Health {
    match o {
        Outcome::Deploy(DeployOutcome::Deployment { view }) => view.health.clone().expect("health"),
        o => panic!("unexpected {o:?}"),
    }
}

fn pid_of(h: &homedeck::engine::internals::deploy::views::Health) -> u32 {
    h.process.trim_start_matches("running (pid ").trim_end_matches(')').parse().unwrap_or_else(|_| panic!("no pid in {:?}", h.process))
}

async fn status(e: &homedeck::engine::EngineHandle) -> homedeck::engine::internals::deploy::views::Health {
    health_of(&run(e, Command::DeployStatus { name: "home".into() }).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn home_assistant_lifecycle_over_ssh() {
    let wheels = wheelhouse();
    let tmp = tempfile::tempdir().unwrap();
    let d = Sshd::start(&tmp.path().join("sshd"));
    let e = engine(tmp.path());
    server(&e, &d).await;
    let root = tmp.path().join("deployments");
    let _reaper = Reaper(root.clone());
    let mut events = e.subscribe();

    let started = Instant::now();
    let o = run(&e, create("home", &root, &wheels)).await.unwrap();
    let h = health_of(&o);
    let Outcome::Deploy(DeployOutcome::Deployment { view }) = &o else { unreachable!() };
    let dep = view.deployment.clone();
    eprintln!("create → healthy in {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(h.state, HealthState::Running, "{h:?}");
    assert_eq!(h.version.as_deref(), Some("2024.3.3"));
    assert!(dep.port == 8123 || (8200..=8300).contains(&dep.port), "{}", dep.port);
    assert!(dep.base_dir.starts_with(&root.display().to_string()));
    let mut saw_pip = false;
    while let Ok(ev) = events.try_recv() {
        if let Event::Deploy(DeployEvent::DeployProgress { step, .. }) = ev {
            saw_pip |= step == "pip install";
        }
    }
    assert!(saw_pip, "pip install progress was streamed");
    let config = std::fs::read_to_string(format!("{}/configuration.yaml", dep.config_dir)).unwrap();
    assert!(!config.contains("default_config"), "{config}");
    let base = format!("http://127.0.0.1:{}", dep.port);

    // A second deployment cannot take the same port.
    let mut same = create("twin", &root, &wheels);
    if let Command::DeployCreate { port, .. } = &mut same {
        *port = Some(dep.port);
    }
    let err = run(&e, same).await.unwrap_err().to_string();
    assert!(err.contains("deployment home has it"), "{err}");

    let token = onboard(&base).await;
    let bad = run(
        &e,
        Command::HaAdd { name: "wrong".into(), url: Some(base.clone()), token_secret: None, token: Some(SecretValue::new("not-a-token")), deployment: None, site: None },
    )
    .await;
    bad.unwrap();
    let err = run(&e, Command::HaTest { name: "wrong".into() }).await.unwrap_err().to_string();
    assert!(err.contains("refused the access token (HTTP 401"), "{err}");
    assert!(!err.contains("not-a-token"), "the token never appears in errors: {err}");
    run(
        &e,
        Command::HaAdd { name: "home".into(), url: None, token_secret: None, token: Some(SecretValue::new(token.clone())), deployment: Some("home".into()), site: None },
    )
    .await
    .unwrap();
    let states: serde_json::Value =
        reqwest::Client::new().get(format!("{base}/api/states")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    match run(&e, Command::HaTest { name: "home".into() }).await.unwrap() {
        Outcome::Ha(HaOutcome::HaTested { report }) => {
            assert_eq!(report.version, "2024.3.3");
            assert_eq!(report.location_name, "home");
            assert_eq!(report.entity_count, states.as_array().unwrap().len());
            assert!(report.entity_count >= 1, "{report:?}");
        }
        o => panic!("unexpected {o:?}"),
    }
    let full = status(&e).await;
    assert_eq!((full.state, full.api.as_str()), (HealthState::Running, "ok"), "{full:?}");

    let mut rx = e.subscribe();
    run(&e, Command::HaWatch { name: "home".into(), filter: Some("sensor.homedeck_*".into()) }).await.unwrap();
    let posted = reqwest::Client::new()
        .post(format!("{base}/api/states/sensor.homedeck_probe"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"state": "42", "attributes": {"friendly_name": "Probe"}}))
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_success());
    let ev = expect_event(&mut rx, 15, |ev| matches!(ev, Event::Ha(HaEvent::HaState { state, .. }) if state.entity_id == "sensor.homedeck_probe")).await;
    let Event::Ha(HaEvent::HaState { state, .. }) = ev else { unreachable!() };
    assert_eq!((state.state.as_str(), state.friendly_name.as_str()), ("42", "Probe"));
    run(&e, Command::HaUnwatch { name: "home".into() }).await.unwrap();

    let original = match run(&e, Command::DeployConfigRead { name: "home".into(), path: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeployConfig { file }) => file.content,
        o => panic!("unexpected {o:?}"),
    };
    assert_eq!(original, config);
    let broken = format!("{original}input_boolean:\n  porch: [oops\n");
    let err = run(&e, Command::DeployConfigWrite { name: "home".into(), path: None, content: broken, check: None }).await.unwrap_err();
    assert!(matches!(err, EngineError::Invalid { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("line") && msg.contains("nothing was uploaded"), "{msg}");
    assert_eq!(std::fs::read_to_string(format!("{}/configuration.yaml", dep.config_dir)).unwrap(), original);
    let invalid = original.replace("http:\n", "http:\n  bogus_option: 1\n");
    let bogus_line = invalid.lines().position(|l| l.contains("bogus_option")).unwrap() as u32 + 1;
    match run(&e, Command::DeployConfigWrite { name: "home".into(), path: None, content: invalid, check: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeployConfigSaved { check: Some(c), .. }) => {
            assert!(!c.ok, "{c:?}");
            assert!(c.problems.iter().any(|p| p.line == Some(bogus_line) && p.message.contains("bogus_option")), "{c:?}");
        }
        o => panic!("unexpected {o:?}"),
    }
    match run(&e, Command::DeployConfigRevert { name: "home".into(), path: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeployConfigSaved { check: Some(c), .. }) => assert!(c.ok, "{c:?}"),
        o => panic!("unexpected {o:?}"),
    }
    assert_eq!(std::fs::read_to_string(format!("{}/configuration.yaml", dep.config_dir)).unwrap(), original);
    let with_switch = format!("{original}input_boolean:\n  homedeck_porch:\n    name: Porch\n");
    match run(&e, Command::DeployConfigWrite { name: "home".into(), path: None, content: with_switch, check: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeployConfigSaved { check: Some(c), .. }) => assert!(c.ok, "{c:?}"),
        o => panic!("unexpected {o:?}"),
    }

    drop(e);
    let mut h = tui_common::Harness::at(&tmp.path().join("data")).await;
    h.key(KeyCode::Char('2')).await;
    let s = until(&mut h, |s| s.contains("● unknown")).await;
    assert!(s.contains("home"), "with the vault locked homedeck cannot log in to probe:\n{s}");
    h.exec(Command::VaultUnlock { passphrase: SecretValue::new(common::PASS) }).await;
    h.driver.key(crossterm::event::KeyEvent::new(KeyCode::Char('r'), crossterm::event::KeyModifiers::CONTROL));
    let s = until(&mut h, |s| s.contains("● running")).await;
    assert!(s.contains("home") && s.contains("2024.3.3") && s.contains(&dep.port.to_string()) && s.contains("box"), "{s}");
    h.enter().await;
    let s = until(&mut h, |s| s.contains("process  running (pid")).await;
    assert!(s.contains("homedeck supervisor") && s.contains(&dep.config_dir[..20]), "{s}");
    h.key(KeyCode::Char('l')).await;
    let s = until(&mut h, |s| s.contains("homedeck-supervisor: starting Home Assistant")).await;
    assert!(s.contains("following"), "{s}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('e')).await;
    let s = until(&mut h, |s| s.contains("homedeck_porch:")).await;
    assert!(s.contains("configuration.yaml") && s.contains("server_port"), "{s}");
    h.key(KeyCode::Esc).await;
    drop(h);
    let e = engine(tmp.path());
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(common::PASS) }).await.unwrap();

    // The restart goes through the assistant (issue 18): the offline
    // interpreter proposes the engine's own deploy_restart with its
    // preview, nothing runs until it is confirmed, and the run is audited
    // as USER@ai.
    let before = pid_of(&status(&e).await);
    let reply = match run(&e, Command::AiAsk { conversation: None, text: "restart home".into(), context: None }).await.unwrap() {
        Outcome::Ai(AiOutcome::Reply { reply }) => *reply,
        o => panic!("unexpected {o:?}"),
    };
    let proposal = reply.proposals.first().unwrap_or_else(|| panic!("no proposal: {reply:?}"));
    assert_eq!((proposal.name.as_str(), proposal.status), ("deploy_restart", ActionStatus::Proposed), "{reply:?}");
    assert!(!proposal.preview.is_empty(), "a proposal carries its preview");
    assert_eq!(pid_of(&status(&e).await), before, "nothing ran before the confirm");
    let done = match run(&e, Command::AiConfirm { proposal: proposal.id, typed: None }).await.unwrap() {
        Outcome::Ai(AiOutcome::Action { action }) => *action,
        o => panic!("unexpected {o:?}"),
    };
    assert_eq!(done.status, ActionStatus::Done, "{done:?}");
    let h = status(&e).await;
    assert_eq!(h.state, HealthState::Running);
    assert_ne!(pid_of(&h), before);
    let call = |confirmed| Command::HaCall {
        name: "home".into(),
        service: "input_boolean.turn_on".into(),
        entity: Some("input_boolean.homedeck_porch".into()),
        data: None,
        confirmed,
    };
    let err = run(&e, call(None)).await.unwrap_err();
    assert!(matches!(err, EngineError::ConfirmationRequired { .. }), "{err:?}");
    match run(&e, call(Some(true))).await.unwrap() {
        Outcome::Ha(HaOutcome::HaCalled { changed, .. }) => {
            assert!(changed.iter().any(|s| s.entity_id == "input_boolean.homedeck_porch" && s.state == "on"), "{changed:?}")
        }
        o => panic!("unexpected {o:?}"),
    }

    let e = Box::pin(console_entity_view(e, tmp.path(), &base, &token)).await;

    let mut logs = e.subscribe();
    run(&e, Command::DeployLogs { name: "home".into(), lines: Some(5), follow: Some(true) }).await.unwrap();
    let victim = pid_of(&status(&e).await);
    assert!(std::process::Command::new("kill").arg("-9").arg(victim.to_string()).status().unwrap().success());
    expect_event(&mut logs, 30, |ev| matches!(ev, Event::Deploy(DeployEvent::DeployLog { line, .. }) if line.contains("exited with status 137; restarting"))).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let again = loop {
        let h = status(&e).await;
        if h.state == HealthState::Running && pid_of(&h) != victim {
            break h;
        }
        assert!(Instant::now() < deadline, "HA did not come back after kill: {h:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert!(again.restarts.unwrap_or(0) >= 1, "{again:?}");
    run(&e, Command::DeployLogsStop { name: "home".into() }).await.unwrap();
    match run(&e, Command::DeployLogs { name: "home".into(), lines: Some(400), follow: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeployLogs { lines, .. }) => assert!(lines.iter().any(|l| l.contains("homedeck-supervisor: starting Home Assistant")), "{lines:?}"),
        o => panic!("unexpected {o:?}"),
    }

    let err =
        run(&e, Command::DeployUpgrade { name: "home".into(), version: "2099.1.0".into(), health_timeout: None }).await.unwrap_err().to_string();
    assert!(err.contains("installing 2099.1.0 failed") && err.contains("stays on 2024.3.3"), "{err}");
    let after = status(&e).await;
    assert_eq!((after.state, after.version.as_deref()), (HealthState::Running, Some("2024.3.3")), "{after:?}");
    assert!(!std::path::Path::new(&format!("{}/venvs/2099.1.0", dep.base_dir)).exists());
    let snaps: Vec<_> = std::fs::read_dir(format!("{}/snapshots", dep.base_dir)).unwrap().collect();
    assert_eq!(snaps.len(), 1, "the pre-upgrade config snapshot was taken");
    // Boxed: the test future would otherwise outgrow the test thread's stack.
    Box::pin(upgrade_rolls_back_after_switch(&e, &dep)).await;

    deploy_backup_steps::ha_config_restore_restarts_the_deployment(&e, &dep).await;
    let port = dep.port;
    let report = match run(&e, Command::DeployRemove { name: "home".into(), keep_backup: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::DeploymentRemoved { report }) => report,
        o => panic!("unexpected {o:?}"),
    };
    let local = report.backup_local.expect("local backup");
    let listing = std::process::Command::new("tar").arg("-tzf").arg(&local).output().unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains("./configuration.yaml"), "{listing:?}");
    assert!(std::path::Path::new(&report.backup_remote.unwrap()).exists());
    assert!(!std::path::Path::new(&dep.base_dir).exists());
    assert!(!listening(port), "HA still listens on {port}");
    assert!(matches!(run(&e, Command::DeployStatus { name: "home".into() }).await, Err(EngineError::NotFound { .. })));

    // Every action is in the audit log, failures included.
    let audit = common::audit_all(&e).await;
    assert!(
        audit.iter().any(|a| a.action == "deploy_restart" && a.actor.to_string().ends_with("@ai")),
        "the assistant's restart is audited as USER@ai"
    );
    for (action, ok) in [("deploy_create", true), ("deploy_restart", true), ("deploy_upgrade", false), ("deploy_remove", true), ("ha_call", true), ("deploy_config_write", false)] {
        assert!(
            audit.iter().any(|a| a.action == action && (a.status == homedeck::engine::internals::audit::Status::Success) == ok),
            "no {action} ({ok}) in the audit log"
        );
    }
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains(&token), "the long-lived token never reaches the audit log");
}

/// The new version is really installed (2024.3.2 and its dependencies
/// from the wheelhouse tests/peers/homeassistant.sh builds: its constraints
/// file is identical to 2024.3.3's), switched to and started, but it gets a 3 s health timeout —
/// far less than Home Assistant needs to import and bind its port — so the
/// upgrade must stop it, put 2024.3.3 and the pre-upgrade config back and
/// start that again. (Reinstalling 2024.3.3 itself is refused: venvs are per
/// version, so it would be installed over the running one.) While the new
/// version is being health-checked the test looks at the server: the venv
/// link points at 2024.3.2 and its Home Assistant process is alive.
async fn upgrade_rolls_back_after_switch(e: &homedeck::engine::EngineHandle, dep: &homedeck::engine::internals::deploy::model::Deployment) {
    const NEW: &str = "2024.3.2";
    let wheels = wheelhouse();
    let has_wheel = std::fs::read_dir(&wheels).unwrap().any(|f| f.unwrap().file_name().to_string_lossy().starts_with(&format!("homeassistant-{NEW}-")));
    assert!(has_wheel, "Home Assistant {NEW} is not in the wheelhouse {}: tests/peers/homeassistant.sh puts it there", wheels.display());
    let config = std::path::Path::new(&dep.config_dir);
    let yaml_before = std::fs::read_to_string(config.join("configuration.yaml")).unwrap();
    let ha_version_before = std::fs::read_to_string(config.join(".HA_VERSION")).unwrap();
    let pid_before = pid_of(&status(e).await);
    let snaps_before = std::fs::read_dir(dep.snapshot_dir()).unwrap().count();
    let mut rx = e.subscribe();
    let link = dep.data_volume.clone();
    let hass_pid = format!("{}/hass.pid", dep.run_dir());
    // Watches the progress events for the first health check of the new version.
    let observer = async move {
        let mut steps = Vec::new();
        let mut seen_new = None;
        loop {
            match tokio::time::timeout(Duration::from_secs(900), rx.recv()).await {
                Ok(Ok(Event::Deploy(DeployEvent::DeployProgress { deployment, step, line }))) if deployment == "home" => {
                    if step == "health" && seen_new.is_none() {
                        let target = std::fs::read_link(&link).map(|p| p.display().to_string()).unwrap_or_default();
                        let pid = std::fs::read_to_string(&hass_pid).unwrap_or_default();
                        let alive = std::path::Path::new(&format!("/proc/{}", pid.trim())).exists() && !pid.trim().is_empty();
                        seen_new = Some((target, alive, line.clone()));
                    }
                    steps.push(step);
                }
                Ok(Ok(Event::Deploy(DeployEvent::DeploymentsChanged))) if steps.iter().any(|s| s == "restore config") && steps.last().map(String::as_str) == Some("health") => {
                    return (steps, seen_new)
                }
                Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
                _ => return (steps, seen_new),
            }
        }
    };
    let upgrade = run(e, Command::DeployUpgrade { name: "home".into(), version: NEW.into(), health_timeout: Some(3) });
    let (result, (steps, seen_new)) = tokio::join!(upgrade, observer);
    let err = result.unwrap_err().to_string();
    assert!(err.contains(&format!("{NEW} did not come up healthy")) && err.contains("was not healthy within"), "{err}");
    assert!(err.contains("rolled back to 2024.3.3 with the config from") && err.contains("healthy again"), "{err}");
    // It got as far as a switch: installed, activated, started, then restored.
    for step in ["pip install", "activate", "start", "restore config"] {
        assert!(steps.iter().any(|s| s == step), "no {step} step in {steps:?}");
    }
    assert_eq!(steps.iter().filter(|s| *s == "activate").count(), 2, "switched there and back: {steps:?}");
    let (target, alive, line) = seen_new.expect("a health check of the new version");
    assert!(target.ends_with(&format!("venvs/{NEW}")), "the venv link pointed at {target} during the new version's health check");
    assert!(alive, "Home Assistant {NEW} was running during its health check ({line})");
    // Back on the old version, healthy, with the pre-upgrade config.
    let after = status(e).await;
    assert_eq!((after.state, after.version.as_deref()), (HealthState::Running, Some("2024.3.3")), "{after:?}");
    assert_ne!(pid_of(&after), pid_before, "the old version was started again");
    let stored = match run(e, Command::DeployList { health: None }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::Deployments { deployments }) => deployments.into_iter().find(|v| v.deployment.name == "home").unwrap().deployment,
        o => panic!("unexpected {o:?}"),
    };
    assert_eq!(stored.version, "2024.3.3");
    assert!(stored.status_reason.contains("rolled back"), "{}", stored.status_reason);
    assert!(std::fs::read_link(&dep.data_volume).unwrap().display().to_string().ends_with("venvs/2024.3.3"));
    assert!(!std::path::Path::new(&dep.venv_for(NEW)).exists(), "the new version's venv was not removed: {err}");
    assert_eq!(std::fs::read_to_string(config.join("configuration.yaml")).unwrap(), yaml_before);
    assert_eq!(std::fs::read_to_string(config.join(".HA_VERSION")).unwrap(), ha_version_before, "the config dir is the pre-upgrade one");
    assert_eq!(std::fs::read_dir(dep.snapshot_dir()).unwrap().count(), snaps_before + 1, "a second pre-upgrade snapshot");
}

/// The console's live entity view on the real HA: `v` lists the connection
/// profiles, ↵ watches one (WebSocket state_changed), a state posted over
/// REST appears without any refresh, `/` filters, ↵ on an entity opens the
/// service-call screen, ↵ there asks for confirmation and `y` calls it —
/// the state changes in HA and the call is audited. Runs in a console on
/// the same data dir (the engine is handed over and reopened after).
async fn console_entity_view(
    e: homedeck::engine::EngineHandle,
    dir: &std::path::Path,
    base: &str,
    token: &str,
) -> homedeck::engine::EngineHandle {
    let calls_before = common::audit_all(&e).await.iter().filter(|a| a.action == "ha_call").count();
    drop(e);
    let mut h = tui_common::Harness::at(&dir.join("data")).await;
    h.exec(Command::VaultUnlock { passphrase: SecretValue::new(common::PASS) }).await;
    h.key(KeyCode::Char('2')).await;
    h.key(KeyCode::Char('v')).await;
    let s = until(&mut h, |s| s.contains("Home Assistant profiles · 2") && s.contains("wrong")).await;
    assert!(s.contains(base), "{s}");
    h.key(KeyCode::Char('/')).await;
    h.typ("home").await;
    h.enter().await;
    h.enter().await;
    let s = until(&mut h, |s| s.contains("Entities · home") && s.contains("input_boolean.homedeck_porch") && s.contains("· live")).await;
    assert!(!s.contains("sensor.homedeck_live"), "{s}");
    // Live: a state posted over REST shows up on its own.
    let posted = reqwest::Client::new()
        .post(format!("{base}/api/states/sensor.homedeck_live"))
        .bearer_auth(token)
        .json(&serde_json::json!({"state": "77", "attributes": {"friendly_name": "Live probe"}}))
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_success());
    let row = |s: &str, id: &str| s.lines().find(|l| l.contains(id)).unwrap_or_default().to_string();
    until(&mut h, |s| row(s, "sensor.homedeck_live").contains("77") && row(s, "sensor.homedeck_live").contains("Live probe")).await;
    // Filter, then the service-call screen and its confirmation.
    h.key(KeyCode::Char('/')).await;
    h.typ("porch").await;
    h.enter().await;
    let s = until(&mut h, |s| s.contains("/porch")).await;
    assert!(!s.contains("sensor.homedeck_live") && row(&s, "input_boolean.homedeck_porch").contains(" on "), "{s}");
    h.enter().await;
    let s = until(&mut h, |s| s.contains("Call a service · home")).await;
    assert!(s.contains("input_boolean.toggle") && s.contains("input_boolean.turn_off"), "{s}");
    h.enter().await;
    let s = until(&mut h, |s| s.contains("Call input_boolean.toggle on input_boolean.homedeck_porch")).await;
    assert!(s.contains("It is now on"), "{s}");
    h.key(KeyCode::Char('y')).await;
    let s = until(&mut h, |s| s.contains("Entities · home") && row(s, "input_boolean.homedeck_porch").contains(" off ")).await;
    assert!(s.contains("called input_boolean.toggle"), "{s}");
    let state: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/states/input_boolean.homedeck_porch"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["state"], "off", "{state}");
    h.key(KeyCode::Esc).await;
    until(&mut h, |s| s.contains("Home Assistant profiles")).await;
    h.key(KeyCode::Esc).await;
    drop(h);
    let e = engine(dir);
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(common::PASS) }).await.unwrap();
    let calls = common::audit_all(&e).await.into_iter().filter(|a| a.action == "ha_call").collect::<Vec<_>>();
    assert_eq!(calls.len(), calls_before + 1, "the console's call is audited");
    e
}
