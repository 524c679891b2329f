#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Alert rule evaluation per health round (issue 16): the default rules
//! over 100 servers (5 down, 10 over the disk limit) and 500 devices (300
//! ESPHome, 150 WLED, 50 FPP; 20 offline), evaluated and applied to a real
//! sled store in steady state (the alerts already open are counted, none
//! opens or resolves). Reading the facts from the store is not included:
//! the facts are built in memory.
//!
//! Run: `cargo bench --bench alerts`. Medians go in docs/benchmarks.md.

use chrono::Utc;
use homedeck::engine::Actor;
use homedeck::engine::internals::alerts::evaluate::evaluate;
use homedeck::engine::internals::alerts::facts::{DeviceFact, Facts, ServerFact};
use homedeck::engine::internals::alerts::lifecycle::{Pending, apply};
use homedeck::engine::internals::alerts::rules::{AlertKind, Rule, Selector};
use homedeck::engine::internals::audit::Severity;
use homedeck::engine::internals::servers::health::types::{Disk, HealthReport, HealthState, Sample};
use homedeck::engine::internals::store::Store;
use std::time::Instant;

fn rules() -> Vec<Rule> {
    let kinds = [
        (AlertKind::ServerDown, None),
        (AlertKind::ServerDegraded, None),
        (AlertKind::DiskOver, Some(90.0)),
        (AlertKind::LoadOver, Some(8.0)),
        (AlertKind::MemoryOver, Some(95.0)),
        (AlertKind::EsphomeOffline, None),
        (AlertKind::WledOffline, None),
        (AlertKind::FppOffline, None),
    ];
    kinds
        .iter()
        .map(|(k, th)| Rule {
            name: k.as_str().replace('_', "-"),
            kind: *k,
            targets: Selector::all(),
            threshold: *th,
            for_secs: 0,
            severity: k.default_severity(),
            routes: Vec::new(),
            min_severity: Severity::Info,
            enabled: true,
        })
        .collect()
}

fn facts() -> Facts {
    let now = Utc::now();
    let mut f = Facts::default();
    for i in 0..100 {
        let disk = if i % 10 == 0 { 95.0 } else { 40.0 };
        let state = if i % 20 == 0 { HealthState::Down } else if disk > 90.0 { HealthState::Degraded } else { HealthState::Up };
        let sample = Sample {
            time: now,
            cpu_pct: Some(10.0),
            mem_total_kb: 8_000_000,
            mem_used_kb: 2_000_000,
            swap_total_kb: 0,
            swap_used_kb: 0,
            load: [0.5, 0.4, 0.3],
            uptime_secs: 1000,
            procs: 100,
            cores: 4,
            disks: vec![Disk { fs: "/dev/sda1".into(), mount: "/".into(), size_kb: 100, used_kb: disk as u64, pct: disk }],
        };
        let report = HealthReport { server: format!("s{i}"), time: now, state, reasons: vec![], sample: (state != HealthState::Down).then_some(sample), probe_ms: 5 };
        f.servers.push(ServerFact { name: format!("s{i}"), tags: vec!["prod".into()], site: Some("house".into()), report: Some(report) });
    }
    let dev = |i: usize| DeviceFact { name: format!("d{i}"), site: None, online: !i.is_multiple_of(25), last_seen: Some(now), last_error: None };
    f.esphome = (0..300).map(dev).collect();
    f.wled = (300..450).map(dev).collect();
    f.fpp = (450..500).map(dev).collect();
    f
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &Actor::engine()).unwrap();
    let (rules, facts) = (rules(), facts());
    let mut pending = Pending::new();
    // First round opens the alerts; the measured rounds are steady state.
    let opened = apply(&store, &rules, evaluate(&rules, &facts, Utc::now()), &mut pending, Utc::now()).unwrap();
    let mut times = Vec::new();
    for _ in 0..51 {
        let t = Instant::now();
        let findings = evaluate(&rules, &facts, Utc::now());
        let changes = apply(&store, &rules, findings, &mut pending, Utc::now()).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(changes.is_empty());
    }
    let mut eval_only = Vec::new();
    for _ in 0..51 {
        let t = Instant::now();
        std::hint::black_box(evaluate(&rules, &facts, Utc::now()));
        eval_only.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    eval_only.sort_by(f64::total_cmp);
    println!("alerts open: {}", opened.len());
    println!("round (evaluate + apply to sled), 100 servers + 500 devices: median {:.3} ms", times[times.len() / 2]);
    println!("evaluate only: median {:.3} ms", eval_only[eval_only.len() / 2]);
}
