#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! Audit log and store guarantees: every write audited (success or failure),
//! read-only refusal, filters and paging, retention, the data-dir lock,
//! schema versions, and durability across kill -9.

mod common;
use homedeck::engine::{AuditOutcome, VaultOutcome};
use chrono::{Duration, Utc};
use common::*;
use homedeck::engine::internals::audit::{self, AuditEntry, AuditQuery, Category, Severity, Status};
use homedeck::engine::internals::store::Store;
use homedeck::engine::{Actor, Command, EngineError, EngineOptions, Frontend, Outcome, SecretValue};

#[tokio::test(flavor = "multi_thread")]
async fn every_write_is_audited_success_or_failure() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    init(&e).await;
    add(&e, "a", "v").await;
    let _ = run(&e, Command::SecretRotate { name: "missing".into(), value: SecretValue::new("v") }).await;
    let _ = run(&e, Command::SecurityEventUpdate { id: 77, status: homedeck::engine::internals::security::SecurityStatus::Resolved, note: "x".into() }).await;
    let entries = audit_all(&e).await;
    let got: Vec<(&str, Status)> = entries.iter().map(|a| (a.action.as_str(), a.status)).collect();
    assert_eq!(
        got,
        [
            ("security_event_update", Status::Failure),
            ("secret_rotate", Status::Failure),
            ("secret_add", Status::Success),
            ("vault_init", Status::Success),
        ]
    );
    let rot = &entries[1];
    assert!(rot.error.as_deref().unwrap_or("").contains("missing"));
    assert_eq!(rot.resource.as_ref().unwrap().name.as_deref(), Some("missing"));
    assert_eq!(rot.actor.frontend, Frontend::Cli);
    let add = &entries[2];
    assert!(add.changes.iter().any(|c| c.field == "value" && c.after.as_deref() == Some("[redacted]")));
    // Reads that are not audited leave no entry.
    run(&e, Command::SecretList {}).await.unwrap();
    assert_eq!(audit_all(&e).await.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn readonly_refuses_writes_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = open(dir.path());
        init(&e).await;
    }
    let mut opts = EngineOptions::new(dir.path());
    opts.readonly = true;
    let e = open_when_free(opts);
    let err = run(&e, Command::SecretRevoke { name: "x".into(), reason: "r".into() }).await.unwrap_err();
    assert_eq!(err, EngineError::ReadOnly { command: "secret_revoke".into() });
    assert!(err.to_string().contains("--readonly"), "{err}");
    // Reads still work, including unlock and reveal.
    run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
    run(&e, Command::SecretList {}).await.unwrap();
    let refused = audit_all(&e).await.into_iter().find(|a| a.action == "secret_revoke").unwrap();
    assert_eq!(refused.status, Status::Failure);
}

fn entry(id: u64, days_ago: i64, cat: Category, sev: Severity, text: &str) -> AuditEntry {
    AuditEntry {
        id,
        time: Utc::now() - Duration::days(days_ago) - Duration::seconds(id as i64),
        actor: Actor { user: if id.is_multiple_of(2) { "alice".into() } else { "bob".into() }, frontend: Frontend::Tui },
        action: "secret_add".into(),
        category: cat,
        severity: sev,
        status: if id.is_multiple_of(3) { Status::Failure } else { Status::Success },
        resource: Some(audit::Resource::new("secret", Some(id.to_string()), Some(format!("s{id}")))),
        description: text.into(),
        changes: vec![],
        error: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_paging_and_cleanup() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), &cli()).unwrap();
        for i in 0..300u64 {
            let cat = if i.is_multiple_of(2) { Category::Vault } else { Category::Secret };
            let sev = if i.is_multiple_of(10) { Severity::High } else { Severity::Info };
            let text = if i == 123 { "needle in the log" } else { "routine" };
            audit::append(&store, &entry(i, (i / 10) as i64, cat, sev, text)).unwrap();
        }
        store.flush().unwrap();
    }
    let s = Store::open(dir.path(), &cli()).unwrap();
    let q = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery { limit: 1000, ..Default::default() };
        f(&mut q);
        audit::query(&s, &q).unwrap()
    };
    let all = q(&|_| {});
    assert_eq!(all.entries.len(), 300);
    assert_eq!(all.total, None, "no category: counting would scan the whole log");
    assert!(all.entries.windows(2).all(|w| w[0].time >= w[1].time), "newest first");
    let vault = q(&|q| q.category = Some(Category::Vault));
    assert_eq!(vault.entries.len(), 150);
    assert_eq!(vault.total, Some(150));
    assert!(vault.entries.iter().all(|e| e.category == Category::Vault));
    let week = q(&|q| {
        q.category = Some(Category::Secret);
        q.since = Some(Utc::now() - Duration::days(7));
    });
    assert_eq!(week.entries.len(), 35, "ids 1,3..69 are secret and within 7 days");
    let high = q(&|q| q.min_severity = Some(Severity::High));
    assert_eq!(high.entries.len(), 30);
    assert_eq!(high.total, None, "not cheap to count with entry filters");
    let fails = q(&|q| q.status = Some(Status::Failure));
    assert_eq!(fails.entries.len(), 100);
    assert_eq!(q(&|q| q.actor = Some("ALICE".into())).entries.len(), 150);
    assert_eq!(q(&|q| q.resource = Some("s123".into())).entries.len(), 1);
    let needle = q(&|q| q.text = Some("NEEDLE".into()));
    assert_eq!(needle.entries.len(), 1);
    assert_eq!(needle.entries[0].id, 123);
    let until = q(&|q| q.until = Some(Utc::now() - Duration::days(25)));
    assert!(until.entries.iter().all(|e| e.time <= Utc::now() - Duration::days(25)));
    assert_eq!(until.entries.len(), 50);

    // Paging: 7 pages of 45 cover all 300 exactly once, in order.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = audit::query(&s, &AuditQuery { limit: 45, before: before.clone(), ..Default::default() }).unwrap();
        seen.extend(page.entries.iter().map(|e| e.id));
        match page.next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 300);
    assert_eq!(seen, all.entries.iter().map(|e| e.id).collect::<Vec<_>>());
    let bad = audit::query(&s, &AuditQuery { before: Some("zz".into()), ..Default::default() }).unwrap_err();
    assert!(bad.to_string().contains("\"zz\""), "{bad}");

    // Retention: entries older than 20 days go, with their index keys.
    let removed = audit::cleanup(&s, Utc::now() - Duration::days(20)).unwrap();
    assert_eq!(removed, 100);
    assert_eq!(q(&|_| {}).entries.len(), 200);
    assert_eq!(q(&|q| q.category = Some(Category::Vault)).total, Some(100));
    assert_eq!(s.tree(audit::BY_CATEGORY).unwrap().len(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_search_command_validates_times() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path());
    let mut c = search(None);
    if let Command::AuditSearch { since, .. } = &mut c {
        *since = Some("last tuesday".into());
    }
    let err = run(&e, c).await.unwrap_err().to_string();
    assert!(err.contains("since") && err.contains("\"last tuesday\""), "{err}");
    let Outcome::Audit(AuditOutcome::AuditPage { page }) = run(&e, search(None)).await.unwrap() else { panic!() };
    assert!(page.entries.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn second_opener_is_told_who_holds_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let _first = open(dir.path());
    let err = homedeck::engine::EngineHandle::open(EngineOptions::new(dir.path()), &cli()).err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, EngineError::Busy { .. }));
    assert!(msg.contains(&format!("pid {}", std::process::id())) && msg.contains("tester via cli"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_versions_migrate_up_and_refuse_newer() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path(), &cli()).unwrap();
        audit::append(&s, &entry(1, 0, Category::Vault, Severity::Info, "x")).unwrap();
        // Pretend this db predates versioning and lost its index.
        s.meta.remove(b"schema_version").unwrap();
        s.tree(audit::BY_CATEGORY).unwrap().clear().unwrap();
        s.flush().unwrap();
    }
    {
        let s = Store::open(dir.path(), &cli()).unwrap();
        assert_eq!(homedeck::engine::internals::store::migrate::stored_version(&s).unwrap(), 1);
        assert_eq!(s.tree(audit::BY_CATEGORY).unwrap().len(), 1, "migration rebuilt the index");
        s.meta.insert(b"schema_version", &99u32.to_be_bytes()).unwrap();
        s.flush().unwrap();
    }
    let err = Store::open(dir.path(), &cli()).err().unwrap().to_string();
    assert!(err.contains("schema version 99") && err.contains("newer homedeck"), "{err}");
}

/// The child half of the kill -9 test: run writes, announce each success,
/// then wait to be killed. Ignored: only `kill9_right_after_success_loses_nothing`
/// runs it (by name, with `--ignored`), so it never counts as a pass alone.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "the child of kill9_right_after_success_loses_nothing, run by it"]
async fn kill9_child() {
    let dir = std::env::var("HOMEDECK_KILL9_DIR").expect("HOMEDECK_KILL9_DIR: run by kill9_right_after_success_loses_nothing");
    let e = open(std::path::Path::new(&dir));
    init(&e).await;
    for i in 0..5 {
        add(&e, &format!("s{i}"), "value").await;
        println!("SUCCESS s{i}");
    }
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
}

#[test]
fn kill9_right_after_success_loses_nothing() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "kill9_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env("HOMEDECK_KILL9_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut said = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        let done = line.contains("SUCCESS s4");
        said.push(line);
        if done {
            break;
        }
    }
    assert!(said.iter().any(|l| l.contains("SUCCESS s4")), "the child never acknowledged its writes:\n{}", said.join("\n"));
    // SIGKILL, no chance to flush anything.
    std::process::Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let e = open(dir.path());
        let Outcome::Vault(VaultOutcome::Secrets { secrets }) = run(&e, Command::SecretList {}).await.unwrap() else { panic!() };
        assert_eq!(secrets.len(), 5);
        run(&e, Command::VaultUnlock { passphrase: SecretValue::new(PASS) }).await.unwrap();
        let Outcome::Vault(VaultOutcome::Revealed { value, .. }) = run(&e, Command::SecretReveal { name: "s4".into() }).await.unwrap() else {
            panic!()
        };
        assert_eq!(value.expose(), "value");
        assert_eq!(audit_all(&e).await.iter().filter(|a| a.action == "secret_add").count(), 5);
    });
}
