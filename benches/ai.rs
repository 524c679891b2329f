#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! The offline interpreter's latency (issue 18, target ≤ 1 ms a request):
//! the requests the issue names against an inventory of 50 servers, 100
//! deployments, 150 lights, 40 backup sources and 300 ESPHome devices,
//! each interpreted 2,000 times; prints the median and p99 per request.
//!
//! Run: `cargo bench --bench ai`. Medians go in docs/benchmarks.md.

use homedeck::engine::internals::ai::offline::{Inventory, interpret};
use std::time::Instant;

fn main() {
    let inv = Inventory {
        servers: (0..50).map(|i| format!("server-{i}")).collect(),
        deployments: (0..100).map(|i| (format!("ha-{i}"), format!("server-{}", i % 50))).collect(),
        lights: (0..150).map(|i| format!("light-{i}")).collect(),
        sources: (0..40).map(|i| format!("source-{i}")).collect(),
        esphome: (0..300).map(|i| format!("esp-{i}")).collect(),
    };
    let requests = [
        "restart ha-17", "upgrade ha-3 to 2025.1.2", "show me the logs of ha-42", "back up source-7 now",
        "verify backup 12", "turn light-120 to 30 %", "light-5 preset evening", "run uptime on all servers",
        "what is down?", "which secrets are due for rotation", "what happened in the last hour?",
        "back up source-1 now and turn light-2 off", "make me a sandwich",
    ];
    let mut all = Vec::new();
    for r in requests {
        let mut times: Vec<f64> = (0..2000)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(interpret(std::hint::black_box(r), None, &inv));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{:<48} median {:>8.1} µs  p99 {:>8.1} µs", r, times[times.len() / 2], times[times.len() * 99 / 100]);
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!("all requests: median {:.1} µs, p99 {:.1} µs (target ≤ 1000 µs)", all[all.len() / 2], all[all.len() * 99 / 100]);
}
