//! Backups of a homedeck deployment's Home Assistant config dir, run inside
//! the deploy lifecycle test (tests/deploy_ha.rs) against its running HA:
//! an `ha_config` source on the deployment's server and config dir is
//! backed up, configuration.yaml is edited on the server, and the restore
//! restarts the deployment (new pid) and waits for it healthy, with the
//! file back. A restore whose health command fails rolls the files back and
//! restarts HA again on them.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use homedeck::engine::{BackupOutcome, DeployOutcome};
use homedeck::engine::internals::deploy::model::Deployment;
use homedeck::engine::internals::deploy::views::{Health, HealthState};
use homedeck::engine::{Actor, Command, EngineHandle, Frontend, Outcome};

// Standalone too (cargo builds every tests/*.rs as a crate; alone it has no
// test of its own), so it does not lean on the `common` module.
async fn run(e: &EngineHandle, c: Command) -> Result<Outcome, homedeck::engine::EngineError> {
    e.execute(c, Actor { user: "tester".into(), frontend: Frontend::Cli }).await
}

fn source(name: &str, dep: &Deployment, health: Option<&str>) -> Command {
    Command::BackupSourceAdd {
        name: name.into(),
        kind: "ha_config".into(),
        path: Some(format!("{}:{}", dep.server, dep.config_dir)),
        live: None,
        login: None,
        exclude: None,
        exclude_db: Some(true),
        encrypt: Some(false),
        key_secret: None,
        compression: None,
        repo: None,
        health: health.map(str::to_string),
        backup_password_secret: None,
        site: None,
    }
}

async fn health(e: &EngineHandle, dep: &Deployment) -> Health {
    match run(e, Command::DeployStatus { name: dep.name.clone() }).await.unwrap() {
        Outcome::Deploy(DeployOutcome::Deployment { view }) => view.health.expect("health"),
        o => panic!("unexpected {o:?}"),
    }
}

fn pid(h: &Health) -> u32 {
    h.process.trim_start_matches("running (pid ").trim_end_matches(')').parse().unwrap_or_else(|_| panic!("no pid in {:?}", h.process))
}

async fn backup(e: &EngineHandle, source: &str) -> u64 {
    match run(e, Command::BackupCreate { source: source.into(), password: None }).await.unwrap() {
        Outcome::Backup(BackupOutcome::BackupCreated { entry }) => entry.id,
        o => panic!("unexpected {o:?}"),
    }
}

fn restore(id: u64, confirmed: bool) -> Command {
    Command::BackupRestore { id: Some(id), file: None, target: None, only: None, password: None, confirmed: Some(confirmed) }
}

/// Back up the running deployment's config dir, edit it remotely, restore:
/// HA is restarted through the deploy domain and healthy, the file is back.
/// Boxed so the lifecycle test's own future does not grow by these steps.
pub async fn ha_config_restore_restarts_the_deployment(e: &EngineHandle, dep: &Deployment) {
    Box::pin(steps(e, dep)).await
}

async fn steps(e: &EngineHandle, dep: &Deployment) {
    let conf = format!("{}/configuration.yaml", dep.config_dir);
    run(e, source("ha-home", dep, None)).await.unwrap();
    let id = backup(e, "ha-home").await;
    let original = std::fs::read_to_string(&conf).unwrap();
    let edited = format!("{original}\n# edited on the server after the backup\n");
    std::fs::write(&conf, &edited).unwrap();
    let Outcome::Backup(BackupOutcome::BackupPreview { preview }) = run(e, restore(id, false)).await.unwrap() else { panic!("preview") };
    assert_eq!(preview.changed, vec!["configuration.yaml"], "{preview:?}");
    let before = pid(&health(e, dep).await);
    let Outcome::Backup(BackupOutcome::BackupRestored { restarted, .. }) = run(e, restore(id, true)).await.unwrap() else { panic!("restored") };
    assert_eq!(restarted.as_deref(), Some(dep.name.as_str()), "the deployment was restarted");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), original, "configuration.yaml is back");
    let h = health(e, dep).await;
    assert_eq!(h.state, HealthState::Running, "{h:?}");
    let restored_pid = pid(&h);
    assert_ne!(restored_pid, before, "a new Home Assistant process");

    // A failing check after the restart: files rolled back, HA restarted on them.
    run(e, source("ha-home-check", dep, Some("test -f no-such-marker"))).await.unwrap();
    let id2 = backup(e, "ha-home-check").await;
    std::fs::write(&conf, &edited).unwrap();
    let err = run(e, restore(id2, true)).await.unwrap_err().to_string();
    assert!(err.contains("rolled back") && err.contains("restarted on the previous files and is healthy"), "{err}");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), edited, "the edit is back after the rollback");
    let h = health(e, dep).await;
    assert_eq!(h.state, HealthState::Running, "{h:?}");
    assert_ne!(pid(&h), restored_pid, "restarted again after the rollback");
    // Leave the deployment's config as the lifecycle test expects it.
    std::fs::write(&conf, &original).unwrap();
}
