//! A password-keyed source that names a vault secret as its password
//! (`backup_password_secret`): runs given no password — as a scheduled run
//! is — use the secret, read as a `use:` in its access history; a locked
//! vault says VaultLocked; the password never reaches the audit log, the
//! log files or an outcome. Part of the `backups` test crate.

use super::backup_common::*;
use super::common::cli_env::{CliEnv, contains, regular_files};
use super::common::{self, PASS, run};
use homedeck::engine::{BackupOutcome, Command, EngineError, Outcome, VaultOutcome};
use std::fs;

const CANARY: &str = "CANARY-backup-pw-5d1e9b07";

fn with_secret(c: Command, secret: &str) -> Command {
    with(c, |c| {
        if let Command::BackupSourceAdd { backup_password_secret, .. } = c {
            *backup_password_secret = Some(secret.into());
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_secret_runs_without_a_password_and_never_leaks() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("conf");
    config_tree(&src);
    let e = common::open(&t.path().join("data"));
    common::init(&e).await;
    common::add(&e, "backup-pw", CANARY).await;
    let mut outcomes = Vec::new();
    // Checked at add time: the secret exists, and it is not mixed with key_secret.
    let err = run(&e, with_secret(source_add("conf", "dir", &src), "no-such-pw")).await.unwrap_err().to_string();
    assert!(err.contains("no-such-pw"), "{err}");
    let both = with(with_secret(source_add("conf", "dir", &src), "backup-pw"), |c| {
        if let Command::BackupSourceAdd { key_secret, .. } = c {
            *key_secret = Some("backup-pw".into());
        }
    });
    assert!(matches!(run(&e, both).await, Err(EngineError::Invalid { .. })));
    outcomes.push(run(&e, with_secret(source_add("conf", "dir", &src), "backup-pw")).await.unwrap());

    // No password given: create, verify and restore take it from the vault.
    let b = create(&e, "conf", None).await;
    assert!(b.encrypted() && b.key.as_ref().is_some_and(|k| k.to_string() == "password"), "{b:?}");
    outcomes.push(run(&e, Command::BackupVerify { id: Some(b.id), password: None }).await.unwrap());
    fs::write(src.join("automations.yaml"), "- id: broken\n").unwrap();
    outcomes.push(run(&e, restore(b.id, None, true)).await.unwrap());
    assert_eq!(fs::read_to_string(src.join("automations.yaml")).unwrap(), "- id: a1\n  alias: lights\n");
    // The archive is keyed by the password itself: the same password given by hand opens it.
    outcomes.push(run(&e, Command::BackupVerify { id: Some(b.id), password: Some(homedeck::engine::SecretValue::new(CANARY)) }).await.unwrap());
    let Outcome::Vault(VaultOutcome::Secret { history, .. }) = run(&e, Command::SecretShow { name: "backup-pw".into() }).await.unwrap() else {
        panic!("secret_show")
    };
    let uses: Vec<&str> = history.iter().map(|h| h.action.as_str()).filter(|a| a.starts_with("use:")).collect();
    assert!(uses.iter().any(|a| a.contains("backup conf")) && uses.iter().any(|a| a.contains("verify backup")), "{uses:?}");

    // Locked vault: VaultLocked (what the scheduler records as waiting for unlock).
    run(&e, Command::VaultLock {}).await.unwrap();
    let locked = run(&e, Command::BackupCreate { source: "conf".into(), password: None }).await;
    assert!(matches!(locked, Err(EngineError::VaultLocked)), "{locked:?}");
    run(&e, Command::VaultUnlock { passphrase: homedeck::engine::SecretValue::new(PASS) }).await.unwrap();
    assert!(matches!(run(&e, Command::BackupList { source: None }).await.unwrap(), Outcome::Backup(BackupOutcome::BackupCatalog { entries }) if entries.len() == 2));

    let audit = serde_json::to_string(&common::audit_all(&e).await).unwrap();
    assert!(audit.contains("backup_create") && !audit.contains(CANARY), "the password reached the audit log");
    let json = serde_json::to_string(&outcomes).unwrap();
    assert!(!json.contains(CANARY), "the password reached an outcome");
}

/// The real binary with trace logging: `--backup-password-secret` on the
/// command line, a create and a verify with no prompt, then every file it
/// wrote (log files, sled, the archive) and its output grepped.
#[test]
fn cli_password_secret_never_reaches_logs_or_output() {
    let root = tempfile::tempdir().unwrap();
    let env = CliEnv::new(root.path());
    fs::write(root.path().join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(root.path().join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    let src = root.path().join("conf");
    config_tree(&src);
    let src_arg = src.to_string_lossy().into_owned();
    let mut outputs = Vec::new();
    for (args, stdin) in [
        (vec!["vault", "init"], None),
        (vec!["secret", "add", "backup-pw", "--kind", "password"], Some(CANARY)),
        (vec!["backup", "source", "add", "conf", "--kind", "dir", "--path", src_arg.as_str(), "--backup-password-secret", "backup-pw"], None),
        (vec!["--json", "backup", "create", "conf"], None),
        (vec!["--json", "backup", "verify", "1"], None),
        (vec!["--json", "audit", "search", "--limit", "1000"], None),
    ] {
        let o = env.cmd(&args, stdin);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        outputs.push((args.join(" "), o));
    }
    let created = String::from_utf8_lossy(&outputs[3].1.stdout).into_owned();
    assert!(created.contains("backup_created") && created.contains("password"), "{created}");
    for (label, o) in &outputs {
        assert!(!contains(&o.stdout, CANARY) && !contains(&o.stderr, CANARY), "the password leaked in the output of `{label}`");
    }
    let files = regular_files(root.path());
    assert!(files.iter().any(|p| p.to_string_lossy().contains("state")), "trace logging wrote nothing: {files:?}");
    for f in files {
        assert!(!contains(&fs::read(&f).unwrap(), CANARY), "the password found in clear in {}", f.display());
    }
}
