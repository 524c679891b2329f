#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Lights benchmark from the lights issue: one full poll round of 1,000 WLED
//! peers on loopback (target ≤ 1 s), with bounded concurrency
//! (`POLL_CONCURRENCY` requests in flight) and steady memory (RSS printed
//! before and after the measured rounds).
//!
//! The peers are the in-test WLED peer (tests/lights_peer), serving the
//! 16.0.0 dump, in this same process: their CPU counts against homedeck's.

#[path = "../tests/lights_peer/mod.rs"]
mod lights_peer;

use homedeck::engine::LightsOutcome;
use criterion::{Criterion, criterion_group, criterion_main};
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, Outcome};
use lights_peer::{WledPeer, fixtures};
use std::time::{Duration, Instant};

const PEERS: usize = 1000;

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

pub fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0)))
        .unwrap_or(0)
}

fn poll_1000(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _peers) = rt.block_on(async {
        let dump = fixtures().join("wled/versions/16.0.0.json");
        let mut peers = Vec::with_capacity(PEERS);
        for i in 0..PEERS {
            peers.push(WledPeer::start_as(&dump, &format!("02{i:010x}")).await);
        }
        let engine = EngineHandle::open(EngineOptions::new(dir.path()), &actor()).unwrap();
        for (i, p) in peers.iter().enumerate() {
            engine
                .execute(Command::WledAdd { address: p.address(), name: Some(format!("wled-{i:04}")), site: None }, actor())
                .await
                .unwrap();
        }
        // Reopen: a fresh engine has no effect/palette lists cached yet.
        drop(engine);
        let engine = EngineHandle::open(EngineOptions::new(dir.path()), &actor()).unwrap();
        (engine, peers)
    });
    // A fresh process has no effect/palette lists yet: the first round reads /json.
    let rss_before = rss_kb();
    let t = Instant::now();
    let first = rt.block_on(engine.execute(Command::WledList {}, actor())).unwrap();
    let cold = t.elapsed();
    let Outcome::Lights(LightsOutcome::WledDevices { devices }) = first else { panic!() };
    assert_eq!(devices.iter().filter(|d| d.device.online).count(), PEERS);
    let mut g = c.benchmark_group("lights");
    g.sample_size(20).measurement_time(Duration::from_secs(30));
    g.bench_function("poll 1000 WLED peers (/json/si, 64 in flight)", |b| {
        b.iter(|| {
            let Outcome::Lights(LightsOutcome::WledDevices { devices }) = rt.block_on(engine.execute(Command::WledList {}, actor())).unwrap()
            else {
                panic!()
            };
            assert_eq!(devices.len(), PEERS);
        })
    });
    g.finish();
    println!(
        "first round (/json, lists not cached yet): {:.0} ms; RSS before rounds {} MB, after {} MB",
        cold.as_secs_f64() * 1000.0,
        rss_before / 1024,
        rss_kb() / 1024
    );
}

criterion_group!(benches, poll_1000);
criterion_main!(benches);
