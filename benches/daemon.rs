#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Daemon benchmarks from issue 14, the real release binary as the daemon
//! (`homedeck daemon`), measured from this process and from /proc:
//!
//! 1. command round trip, in-process `EngineHandle::execute` vs attached over
//!    the socket (`daemon::client::Client`): `secret_list` (200 secrets) and
//!    the first page of `audit_search`;
//! 2. the daemon idle for SECONDS with 20 servers, 50 ESPHome/WLED devices
//!    and 10 backup schedules: CPU share of one core, RSS;
//! 3. 100 in-process WLED peers (tests/lights_peer) each changing 10×/s,
//!    the daemon holding a live `/ws` connection to each, 5 attached
//!    clients counting the `WledLive` events they receive, and how long each
//!    takes to drain once the changes stop (how far it had fallen behind).
//!
//! Usage: cargo bench --bench daemon [-- SECONDS]   (benches/daemon.sh runs it)

#[path = "../tests/lights_peer/mod.rs"]
mod lights_peer;

use homedeck::daemon::client::{Client, Feed};
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Event, Frontend, LightsEvent, SecretValue};
use homedeck::engine::views::vault::SecretKind;
use lights_peer::{WledPeer, fixtures};
use std::path::Path;
use std::process::{Child, Command as Proc, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PASS: &str = "daemon bench passphrase";

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0) + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn clk_tck() -> f64 {
    Proc::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A `homedeck daemon` on `dir`, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn daemon(work: &Path, data: &Path) -> (Daemon, Client) {
    let child = Proc::new(env!("CARGO_BIN_EXE_homedeck"))
        .arg("daemon")
        .env("HOMEDECK_DATA_DIR", data)
        .env("HOMEDECK_CONFIG_DIR", work.join("config"))
        .env("HOMEDECK_STATE_DIR", work.join("state"))
        .env("HOMEDECK_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let d = Daemon(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(c) = Client::attach(data, Frontend::Cli, false, false).await {
            return (d, c);
        }
        assert!(Instant::now() < deadline, "the daemon did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn search() -> Command {
    Command::AuditSearch {
        category: None,
        min_severity: None,
        status: None,
        actor: None,
        resource: None,
        since: None,
        until: None,
        text: None,
        limit: Some(100),
        before: None,
    }
}

/// Median µs of `n` runs of each command through `run`.
async fn timings<F, Fut>(n: usize, mut run: F) -> (f64, f64)
where
    F: FnMut(Command) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut out = Vec::new();
    for make in [|| Command::SecretList {}, search as fn() -> Command] {
        for _ in 0..20 {
            run(make()).await;
        }
        let mut t = Vec::with_capacity(n);
        for _ in 0..n {
            let s = Instant::now();
            run(make()).await;
            t.push(s.elapsed().as_secs_f64() * 1e6);
        }
        out.push(median(t));
    }
    (out[0], out[1])
}

async fn round_trip(work: &Path) {
    let data = work.join("rt");
    {
        let e = EngineHandle::open(EngineOptions::new(&data), &actor()).unwrap();
        e.execute(Command::VaultInit { passphrase: SecretValue::new(PASS) }, actor()).await.unwrap();
        for i in 0..200 {
            let add = Command::SecretAdd { name: format!("s{i:03}"), kind: SecretKind::ApiKey, value: SecretValue::new(format!("v{i}")), rotation_days: None, note: None };
            e.execute(add, actor()).await.unwrap();
        }
        let (list, page) = timings(2000, |c| {
            let e = e.clone();
            async move {
                e.execute(c, actor()).await.unwrap();
            }
        })
        .await;
        println!("round trip in-process: secret_list {list:.0} µs, audit_search first page {page:.0} µs (medians of 2000)");
        drop(e);
    }
    let (_d, client) = daemon(work, &data).await;
    let client = Arc::new(client);
    let (list2, page2) = timings(2000, |c| {
        let client = client.clone();
        async move {
            client.execute(c).await.unwrap();
        }
    })
    .await;
    println!("round trip attached:   secret_list {list2:.0} µs, audit_search first page {page2:.0} µs (medians of 2000)");
}

fn seed_idle(rt: &tokio::runtime::Runtime, data: &Path, src: &Path) -> Vec<WledPeer> {
    std::fs::create_dir_all(src).unwrap();
    std::fs::write(src.join("configuration.yaml"), "name: Home\n").unwrap();
    rt.block_on(async {
        let dump = fixtures().join("wled/versions/16.0.0.json");
        let e = EngineHandle::open(EngineOptions::new(data), &actor()).unwrap();
        for i in 0..20u32 {
            // Unreachable (nothing listens): the poll's failure path, backed off.
            let add = Command::ServerAdd {
                name: format!("srv{i:02}"), host: "127.0.0.1".into(), port: Some(1 + i), user: Some("root".into()), auth: None,
                secret: None, key: None, key_passphrase: None, password: None, tags: None, site: None,
            };
            e.execute(add, actor()).await.unwrap();
        }
        for i in 0..25u16 {
            let add = Command::EsphomeAdd { name: format!("esp{i:02}"), host: "127.0.0.1".into(), port: Some(1 + i), key_secret: None, ota_port: None, ota_password_secret: None, platform: None, site: None };
            e.execute(add, actor()).await.unwrap();
        }
        let mut peers = Vec::new();
        for i in 0..25 {
            let p = WledPeer::start_as(&dump, &format!("03{i:010x}")).await;
            e.execute(Command::WledAdd { address: p.address(), name: Some(format!("wled{i:02}")), site: None }, actor()).await.unwrap();
            peers.push(p);
        }
        let source = Command::BackupSourceAdd {
            name: "conf".into(), kind: "dir".into(), path: Some(src.display().to_string()), live: None, login: None, exclude: None,
            exclude_db: None, encrypt: Some(false), key_secret: None, compression: None, repo: None, health: None, backup_password_secret: None,
            site: None,
        };
        e.execute(source, actor()).await.unwrap();
        for i in 0..10 {
            let add = Command::BackupScheduleAdd {
                name: format!("nightly{i}"), source: "conf".into(), cron: format!("{} 3 * * *", i * 5), tz: Some("UTC".into()),
                keep_last: Some(7), keep_hourly: None, keep_daily: None, keep_weekly: None, keep_monthly: None,
            };
            e.execute(add, actor()).await.unwrap();
        }
        peers
    })
}

fn idle(rt: &tokio::runtime::Runtime, work: &Path, secs: u64) {
    let data = work.join("idle");
    let _peers = seed_idle(rt, &data, &work.join("idle-src"));
    let (d, client) = rt.block_on(daemon(work, &data));
    drop(client);
    let pid = d.0.id();
    std::thread::sleep(Duration::from_secs(5));
    let (t0, start) = (cpu_ticks(pid), Instant::now());
    let mut rss = Vec::new();
    for _ in 0..secs {
        std::thread::sleep(Duration::from_secs(1));
        rss.push(status_kb(pid, "VmRSS:") as f64 / 1024.0);
    }
    let cpu = (cpu_ticks(pid) - t0) as f64 / clk_tck() / start.elapsed().as_secs_f64() * 100.0;
    let max = rss.iter().cloned().fold(0.0, f64::max);
    println!(
        "idle daemon, 20 servers + 25 ESPHome + 25 WLED + 10 schedules, {secs} s: CPU {cpu:.2} % of one core; RSS median {:.1} MB, max {max:.1} MB (peak {:.1} MB)",
        median(rss),
        status_kb(pid, "VmHWM:") as f64 / 1024.0
    );
}

fn main() {
    let secs: u64 = std::env::args().skip(1).find_map(|s| s.parse().ok()).unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let work = tempfile::tempdir().unwrap();
    rt.block_on(round_trip(work.path()));
    idle(&rt, work.path(), secs);
    events::run(&rt, work.path(), secs.min(30));
}

/// Part 3: 100 WLED peers changing 10×/s, the daemon holding their live
/// connections, 5 attached clients counting `WledLive`.
mod events {
    use super::*;

    const DEVICES: usize = 100;
    const HZ: u64 = 10;
    const CLIENTS: usize = 5;

    pub fn run(rt: &tokio::runtime::Runtime, work: &Path, secs: u64) {
        let data = work.join("events");
        let peers = rt.block_on(async {
            let dump = fixtures().join("wled/versions/16.0.0.json");
            let e = EngineHandle::open(EngineOptions::new(&data), &actor()).unwrap();
            let mut peers = Vec::new();
            for i in 0..DEVICES {
                let p = WledPeer::start_as(&dump, &format!("02{i:010x}")).await;
                e.execute(Command::WledAdd { address: p.address(), name: Some(format!("wled-{i:03}")), site: None }, actor()).await.unwrap();
                peers.push(p);
            }
            peers
        });
        let (d, first) = rt.block_on(daemon(work, &data));
        drop(first);
        // Every client: (WledLive events, lagged notices, last receipt).
        let start = Instant::now();
        let counters: Vec<Arc<(AtomicU64, AtomicU64, AtomicU64)>> = (0..CLIENTS).map(|_| Arc::new(Default::default())).collect();
        let mut clients = Vec::new();
        for c in &counters {
            let client = rt.block_on(Client::attach(&data, Frontend::Tui, true, false)).unwrap_or_else(|_| panic!("attach"));
            let mut feed = client.subscribe();
            let c = c.clone();
            rt.spawn(async move {
                while let Ok(f) = feed.recv().await {
                    match f {
                        Feed::Event(Event::Lights(LightsEvent::WledLive { .. })) => {
                            c.0.fetch_add(1, Ordering::Relaxed);
                            c.2.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
                        }
                        Feed::Lagged(n) => {
                            c.1.fetch_add(n, Ordering::Relaxed);
                        }
                        Feed::Event(_) => {}
                    }
                }
            });
            clients.push(client);
        }
        let sent = Arc::new(AtomicU64::new(0));
        let mut changers = Vec::new();
        for (i, p) in peers.iter().enumerate() {
            let (shared, sent) = (p.shared.clone(), sent.clone());
            changers.push(rt.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(1000 / HZ));
                let mut n: u64 = i as u64;
                loop {
                    tick.tick().await;
                    n += 1;
                    shared.change(&serde_json::json!({"bri": 1 + n % 250}));
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        std::thread::sleep(Duration::from_secs(5));
        let connected: usize = peers.iter().map(|p| p.shared.ws_connects.load(Ordering::Relaxed)).sum();
        let before: Vec<u64> = counters.iter().map(|c| c.0.load(Ordering::Relaxed)).collect();
        let (sent0, t0, cpu0) = (sent.load(Ordering::Relaxed), Instant::now(), cpu_ticks(d.0.id()));
        std::thread::sleep(Duration::from_secs(secs));
        let el = t0.elapsed().as_secs_f64();
        let cpu = (cpu_ticks(d.0.id()) - cpu0) as f64 / clk_tck() / el * 100.0;
        let sent_rate = (sent.load(Ordering::Relaxed) - sent0) as f64 / el;
        let rates: Vec<f64> = counters.iter().zip(&before).map(|(c, b)| (c.0.load(Ordering::Relaxed) - b) as f64 / el).collect();
        // Stop the changes; a client that had fallen behind keeps receiving
        // for as long as its backlog lasts.
        let stopped = start.elapsed().as_millis() as u64;
        for c in changers {
            c.abort();
        }
        std::thread::sleep(Duration::from_secs(3));
        let drains: Vec<i64> = counters.iter().map(|c| c.2.load(Ordering::Relaxed) as i64 - stopped as i64).collect();
        let lagged: u64 = counters.iter().map(|c| c.1.load(Ordering::Relaxed)).sum();
        println!(
            "events: {DEVICES} WLED peers ({connected} /ws connections to the daemon), {sent_rate:.0} changes/s sent; {CLIENTS} clients received WledLive/s: {}; median {:.0}/s; last event after the changes stopped (ms, ≤ 0 = none pending): {drains:?}; lagged notices: {lagged}; daemon CPU {cpu:.1} % of a core, RSS {:.1} MB",
            rates.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", "),
            median(rates.clone()),
            status_kb(d.0.id(), "VmRSS:") as f64 / 1024.0
        );
        drop(clients);
    }
}
