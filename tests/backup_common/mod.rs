//! Helpers of the backups tests: command builders and a child process guard.
#![allow(dead_code)]

use homedeck::engine::BackupOutcome;
use homedeck::engine::internals::backup::model::CatalogEntry;
use homedeck::engine::{Command, EngineHandle, Outcome, SecretValue};
use std::path::Path;

pub fn source_add(name: &str, kind: &str, path: &Path) -> Command {
    Command::BackupSourceAdd {
        name: name.into(),
        kind: kind.into(),
        path: Some(path.to_string_lossy().into_owned()),
        live: None,
        login: None,
        exclude: None,
        exclude_db: None,
        encrypt: None,
        key_secret: None,
        compression: None,
        repo: None,
        health: None,
        backup_password_secret: None,
        site: None,
    }
}

/// Set fields of a `BackupSourceAdd`.
pub fn with(mut c: Command, f: impl FnOnce(&mut Command)) -> Command {
    f(&mut c);
    c
}

pub async fn create(e: &EngineHandle, source: &str, password: Option<&str>) -> CatalogEntry {
    match super::common::run(e, Command::BackupCreate { source: source.into(), password: password.map(SecretValue::new) }).await {
        Ok(Outcome::Backup(BackupOutcome::BackupCreated { entry })) => entry,
        other => panic!("backup of {source}: {other:?}"),
    }
}

pub fn restore(id: u64, password: Option<&str>, confirmed: bool) -> Command {
    Command::BackupRestore { id: Some(id), file: None, target: None, only: None, password: password.map(SecretValue::new), confirmed: Some(confirmed) }
}

/// A child process killed (SIGKILL) and reaped on drop.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Wait until `f` is true or panic after `secs`.
pub fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

/// A tree shaped like a config dir.
pub fn config_tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("packages")).unwrap();
    std::fs::write(dir.join("configuration.yaml"), "homeassistant:\n  name: Home\n").unwrap();
    std::fs::write(dir.join("automations.yaml"), "- id: a1\n  alias: lights\n").unwrap();
    std::fs::write(dir.join("secrets.yaml"), "api_key: supersecretcanary\n").unwrap();
    std::fs::write(dir.join("packages/p.yaml"), "x: 1\n").unwrap();
    std::fs::write(dir.join("home-assistant_v2.db"), vec![7u8; 100_000]).unwrap();
}
