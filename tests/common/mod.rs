//! Helpers shared by the integration tests.
#![allow(dead_code)]

use homedeck::engine::AuditOutcome;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, Outcome, SecretValue};
use homedeck::engine::internals::vault::SecretKind;
use std::path::Path;

pub const PASS: &str = "correct horse battery staple";

pub fn cli() -> Actor {
    Actor { user: "tester".into(), frontend: Frontend::Cli }
}

pub fn open(dir: &Path) -> EngineHandle {
    EngineHandle::open(EngineOptions::new(dir), &cli()).expect("open engine")
}

pub fn open_with(opts: EngineOptions) -> EngineHandle {
    EngineHandle::open(opts, &cli()).expect("open engine")
}

/// Open `dir` again once the engine dropped just before has let go of its
/// lock (its last tasks end on their own time): retries while the answer is
/// "busy", for at most 20 s, instead of sleeping a guessed while.
pub fn open_when_free(opts: EngineOptions) -> EngineHandle {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match EngineHandle::open(opts.clone(), &cli()) {
            Ok(e) => return e,
            Err(homedeck::engine::EngineError::Busy { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("open engine: {e}"),
        }
    }
}

pub async fn run(e: &EngineHandle, c: Command) -> Result<Outcome, homedeck::engine::EngineError> {
    e.execute(c, cli()).await
}

pub async fn init(e: &EngineHandle) {
    run(e, Command::VaultInit { passphrase: SecretValue::new(PASS) }).await.expect("init");
}

pub async fn add(e: &EngineHandle, name: &str, value: &str) {
    run(
        e,
        Command::SecretAdd {
            name: name.into(),
            kind: SecretKind::ApiKey,
            value: SecretValue::new(value),
            rotation_days: None,
            note: None,
        },
    )
    .await
    .expect("add secret");
}

/// `audit_search` with no filters.
pub fn search(limit: Option<u32>) -> Command {
    Command::AuditSearch {
        category: None,
        min_severity: None,
        status: None,
        actor: None,
        resource: None,
        since: None,
        until: None,
        text: None,
        limit,
        before: None,
    }
}

pub async fn audit_all(e: &EngineHandle) -> Vec<homedeck::engine::internals::audit::AuditEntry> {
    match run(e, search(Some(10_000)))
    .await
    .expect("audit search")
    {
        Outcome::Audit(AuditOutcome::AuditPage { page }) => page.entries,
        o => panic!("unexpected {o:?}"),
    }
}
pub mod sshd;

/// Unlock the vault and add the test sshd `d` as server `name` (key login
/// as this user), checked once with `server_test`.
pub async fn add_test_server(e: &EngineHandle, name: &str, d: &sshd::Sshd) {
    run(e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.expect("unlock");
    run(e, d.server_add(name)).await.expect("server add");
    run(e, Command::ServerTest { name: name.into() }).await.expect("server test");
}
pub mod cli_env;
