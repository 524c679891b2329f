#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Engine benchmarks from the foundation issue:
//! - audit query (one category, one week) over 1,000,000 entries (≤ 50 ms)
//! - vault unlock (≤ 1 s) and reveal of one secret after unlock (≤ 1 ms)
//!
//! The 1M-entry db is generated once under target/homedeck-bench/ and reused.

use homedeck::engine::VaultOutcome;
use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use homedeck::engine::internals::audit::{self, AuditEntry, Category, Resource, Severity, Status};
use homedeck::engine::internals::store::Store;
use homedeck::engine::internals::vault::SecretKind;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, Outcome, SecretValue};
use std::path::{Path, PathBuf};

const N: u64 = 1_000_000;
const PASS: &str = "benchmark passphrase";

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

fn bench_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/homedeck-bench").join(name)
}

/// One year of entries, spread evenly, cycling through the categories.
fn seed_audit(dir: &Path) {
    if dir.join("seeded").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir, &actor()).expect("open bench store");
    let start = Utc::now() - Duration::days(365);
    let step = Duration::days(365).num_microseconds().unwrap_or(1) / N as i64;
    for i in 0..N {
        let e = AuditEntry {
            id: i,
            time: start + Duration::microseconds(step * i as i64),
            actor: actor(),
            action: "secret_reveal".into(),
            category: Category::ALL[(i % 5) as usize],
            severity: if i.is_multiple_of(50) { Severity::High } else { Severity::Info },
            status: if i.is_multiple_of(20) { Status::Failure } else { Status::Success },
            resource: Some(Resource::new("secret", Some(i.to_string()), Some(format!("secret-{}", i % 1000)))),
            description: format!("revealed secret \"secret-{}\"", i % 1000),
            changes: vec![],
            error: None,
        };
        audit::append(&store, &e).expect("append");
    }
    store.flush().expect("flush");
    std::fs::write(dir.join("seeded"), b"1").expect("marker");
}

fn audit_queries(c: &mut Criterion) {
    let dir = bench_dir("audit-1m");
    seed_audit(&dir);
    let store = Store::open(&dir, &actor()).expect("open");
    let week = |limit| audit::AuditQuery {
        category: Some(Category::Secret),
        since: Some(Utc::now() - Duration::days(7)),
        limit,
        ..Default::default()
    };
    let page = audit::query(&store, &week(100)).expect("query");
    let all = audit::query(&store, &week(10_000)).expect("query");
    eprintln!("one week of `secret`: first page {} entries, total {:?}; full result {} entries", page.entries.len(), page.total, all.entries.len());
    let mut g = c.benchmark_group("audit_1m");
    g.sample_size(30);
    g.bench_function("category_week_first_page_100_with_total", |b| b.iter(|| audit::query(&store, &week(100))));
    g.bench_function("category_week_all_entries", |b| b.iter(|| audit::query(&store, &week(10_000))));
    g.bench_function("newest_page_no_filter", |b| {
        b.iter(|| audit::query(&store, &audit::AuditQuery { limit: 100, ..Default::default() }))
    });
    g.finish();
}

fn vault(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let tmp = tempfile::tempdir().expect("tmp");
    let engine = rt.block_on(async {
        let e = EngineHandle::open(EngineOptions::new(tmp.path()), &actor()).expect("engine");
        e.execute(Command::VaultInit { passphrase: SecretValue::new(PASS) }, actor()).await.expect("init");
        for i in 0..1000 {
            let add = Command::SecretAdd {
                name: format!("s{i}"),
                kind: SecretKind::ApiKey,
                value: SecretValue::new(format!("value-{i}")),
                rotation_days: None,
                note: None,
            };
            e.execute(add, actor()).await.expect("add");
        }
        e
    });
    let mut g = c.benchmark_group("vault");
    g.sample_size(10);
    g.bench_function("unlock_argon2id_64MiB_t3", |b| {
        b.iter(|| {
            rt.block_on(async {
                engine.execute(Command::VaultLock {}, actor()).await.expect("lock");
                engine.execute(Command::VaultUnlock { passphrase: SecretValue::new(PASS) }, actor()).await.expect("unlock")
            })
        })
    });
    g.finish();
    let mut g = c.benchmark_group("vault");
    g.sample_size(200);
    g.bench_function("reveal_one_of_1000", |b| {
        b.iter(|| {
            rt.block_on(async {
                match engine.execute(Command::SecretReveal { name: "s500".into() }, actor()).await {
                    Ok(Outcome::Vault(VaultOutcome::Revealed { value, .. })) => value.len(),
                    other => panic!("{other:?}"),
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, audit_queries, vault);
criterion_main!(benches);
