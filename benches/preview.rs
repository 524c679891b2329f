#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Preview latency (issue 18), end to end through `EngineHandle::preview`:
//! - a config edit whose unified diff covers a 1,000-line file (snapshot
//!   restore of `configuration.yaml`, 100 lines changed) — target ≤ 50 ms
//! - a bulk action over 100 devices: `server_exec` on `tag:fleet` with 100
//!   servers in the inventory — target ≤ 50 ms
//! - the diff alone (`preview::unified_diff`), for comparison
//!
//! Results and the comparison: docs/benchmarks.md, "AI previews (issue 18)".

use criterion::{Criterion, criterion_group, criterion_main};
use homedeck::engine::internals::servers::model::AuthMethod;
use homedeck::engine::preview::unified_diff;
use homedeck::engine::{Actor, BackupOutcome, Command, EngineHandle, EngineOptions, Frontend, Outcome};
use std::fmt::Write;

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

/// A configuration.yaml of `n` lines; every tenth line differs in `edited`.
fn config(n: usize, edited: bool) -> String {
    let mut s = String::new();
    for i in 0..n {
        let v = if edited && i % 10 == 0 { i * 7 + 1 } else { i };
        writeln!(s, "  sensor_{i}: {{ platform: template, value: {v} }}").unwrap();
    }
    s
}

fn previews(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = rt.block_on(async { EngineHandle::open(EngineOptions::new(dir.path().join("data")), &actor()).unwrap() });

    // A 1,000-line config file with a snapshot, then edited on disk.
    let file = dir.path().join("configuration.yaml");
    std::fs::write(&file, config(1000, false)).unwrap();
    let f = file.to_string_lossy().into_owned();
    let snapshot = rt.block_on(async {
        match e.execute(Command::BackupSnapshotWatch { file: f.clone() }, actor()).await.unwrap() {
            Outcome::Backup(BackupOutcome::BackupSnapshots { snapshots }) => snapshots[0].id,
            o => panic!("{o:?}"),
        }
    });
    std::fs::write(&file, config(1000, true)).unwrap();
    let restore = Command::BackupSnapshotRestore { id: snapshot };
    let p = rt.block_on(e.preview(restore.clone(), actor())).unwrap();
    assert_eq!(p.diff.as_deref().map(|d| d.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).count()), Some(100));
    c.bench_function("preview_config_diff_1000_lines", |b| b.iter(|| rt.block_on(e.preview(restore.clone(), actor())).unwrap()));

    let (old, new) = (config(1000, false), config(1000, true));
    c.bench_function("unified_diff_1000_lines", |b| b.iter(|| unified_diff("configuration.yaml", &old, &new).unwrap()));

    // 100 servers tagged fleet; the bulk exec's preview resolves and lists them.
    rt.block_on(async {
        for i in 0..100 {
            let add = Command::ServerAdd {
                name: format!("node{i:03}"),
                host: format!("10.0.{}.{}", i / 250, i % 250 + 1),
                port: Some(22),
                user: Some("ops".into()),
                auth: Some(AuthMethod::Agent),
                secret: None,
                key: None,
                key_passphrase: None,
                password: None,
                tags: Some("fleet".into()),
                site: Some(if i % 2 == 0 { "home".into() } else { "cabin".into() }),
            };
            e.execute(add, actor()).await.unwrap();
        }
    });
    let exec = Command::ServerExec { targets: "tag:fleet".into(), line: "apt-get -y upgrade".into(), shell: None, confirmed: None, timeout_secs: None };
    let p = rt.block_on(e.preview(exec.clone(), actor())).unwrap();
    assert_eq!(p.targets.len(), 100);
    c.bench_function("preview_bulk_exec_100_servers", |b| b.iter(|| rt.block_on(e.preview(exec.clone(), actor())).unwrap()));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = previews
}
criterion_main!(benches);
