#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Console start-up: open the engine on a data dir holding 100,000 audit
//! entries and 1,000 secrets, load every pane and draw the first full frame
//! (80×24, TestBackend). Target ≤ 50 ms. `benches/console.sh` measures the
//! real binary in tmux as well (process start → first full frame, idle RSS
//! and CPU).
//!
//! `HOMEDECK_BENCH_SEED_ONLY=1` seeds the data dir and exits (for the script).

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use homedeck::config::Config;
use homedeck::engine::internals::audit::{self, AuditEntry, Category, Resource, Severity, Status};
use homedeck::engine::internals::store::Store;
use homedeck::engine::internals::vault::SecretKind;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, SecretValue};
use homedeck::tui::keymap::Keymap;
use homedeck::tui::theme::Theme;
use homedeck::tui::{App, Driver};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};

const AUDIT: u64 = 100_000;
const SECRETS: u32 = 1_000;
pub const PASS: &str = "benchmark passphrase";

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Tui }
}

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/homedeck-bench/console-100k")
}

fn seed(dir: &Path, rt: &tokio::runtime::Runtime) {
    if dir.join("seeded").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    {
        let store = Store::open(dir, &actor()).expect("store");
        let start = Utc::now() - Duration::days(90);
        for i in 0..AUDIT {
            let e = AuditEntry {
                id: i,
                time: start + Duration::seconds((i * 77) as i64),
                actor: actor(),
                action: "secret_reveal".into(),
                category: Category::ALL[(i % 5) as usize],
                severity: Severity::Info,
                status: Status::Success,
                resource: Some(Resource::new("secret", Some(i.to_string()), Some(format!("s{}", i % 1000)))),
                description: format!("revealed secret \"s{}\"", i % 1000),
                changes: vec![],
                error: None,
            };
            audit::append(&store, &e).expect("append");
        }
        store.flush().expect("flush");
    }
    rt.block_on(async {
        let e = EngineHandle::open(EngineOptions::new(dir), &actor()).expect("engine");
        e.execute(Command::VaultInit { passphrase: SecretValue::new(PASS) }, actor()).await.expect("init");
        for i in 0..SECRETS {
            let add = Command::SecretAdd {
                name: format!("secret-{i:04}"),
                kind: SecretKind::ALL[(i % 5) as usize],
                value: SecretValue::new(format!("value-{i}")),
                rotation_days: (i % 3 == 0).then_some(30),
                note: None,
            };
            e.execute(add, actor()).await.expect("add");
        }
    });
    std::fs::write(dir.join("seeded"), b"1").expect("marker");
}

/// Open, load every pane, draw: what a user waits for before the first full screen.
async fn first_frame(dir: &Path) -> usize {
    let engine = EngineHandle::open(EngineOptions::new(dir), &actor()).expect("engine");
    let app = App::new(Theme::builtin("dark").unwrap(), Keymap::default(), &Config::default(), false);
    let mut driver = Driver::new(engine, actor(), app);
    driver.start();
    driver.settle().await;
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    driver.draw(&mut term).unwrap();
    term.backend().buffer().content.len()
}

fn console(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = data_dir();
    seed(&dir, &rt);
    if std::env::var_os("HOMEDECK_BENCH_SEED_ONLY").is_some() {
        eprintln!("seeded {}", dir.display());
        std::process::exit(0);
    }
    let mut g = c.benchmark_group("console");
    g.sample_size(30);
    g.bench_function("open_load_first_full_frame_100k_audit_1k_secrets", |b| {
        b.iter(|| rt.block_on(first_frame(&dir)))
    });
    g.finish();
}

criterion_group!(benches, console);
criterion_main!(benches);
