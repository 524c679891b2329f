#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Lights benchmark from the lights issue: CPU and RSS of homedeck with live
//! `/ws` connections to 100 WLED devices whose state changes 10 times a
//! second each (1,000 changes/s in all).
//!
//! The peers run in this process; homedeck is the real release binary in
//! its own process, measured from /proc: first `homedeck wled watch --json`
//! (every change printed as a JSON line, counted here to show it keeps up),
//! then the console in tmux at 80×24 on the Lights pane.
//!
//! Usage: cargo bench --bench lights_ws [-- SECONDS]

#[path = "../tests/lights_peer/mod.rs"]
mod lights_peer;

use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend};
use lights_peer::{WledPeer, fixtures};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Proc, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const DEVICES: usize = 100;
const HZ: u64 = 10;

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name: utime is the 14th field, stime the 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0) + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn clk_tck() -> f64 {
    Proc::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
}

/// CPU share of one core and RSS (median and max of 1 s samples) over `secs`.
fn measure(pid: u32, secs: u64) -> (f64, u64, u64) {
    let t0 = cpu_ticks(pid);
    let start = Instant::now();
    let mut rss = Vec::new();
    for _ in 0..secs {
        std::thread::sleep(Duration::from_secs(1));
        rss.push(rss_kb(pid));
    }
    let cpu = (cpu_ticks(pid) - t0) as f64 / clk_tck() / start.elapsed().as_secs_f64() * 100.0;
    rss.sort_unstable();
    (cpu, rss[rss.len() / 2], *rss.last().unwrap_or(&0))
}

fn main() {
    let secs: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let bin = env!("CARGO_BIN_EXE_homedeck");
    let peers = rt.block_on(async {
        let dump = fixtures().join("wled/versions/16.0.0.json");
        let mut peers = Vec::new();
        for i in 0..DEVICES {
            peers.push(WledPeer::start_as(&dump, &format!("02{i:010x}")).await);
        }
        let engine = EngineHandle::open(EngineOptions::new(&data), &actor()).unwrap();
        for (i, p) in peers.iter().enumerate() {
            engine.execute(Command::WledAdd { address: p.address(), name: Some(format!("wled-{i:03}")), site: None }, actor()).await.unwrap();
        }
        peers
    });
    // Every device changes brightness 10 times a second.
    for (i, p) in peers.iter().enumerate() {
        let shared = p.shared.clone();
        rt.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(1000 / HZ));
            let mut n: u64 = i as u64;
            loop {
                tick.tick().await;
                n += 1;
                shared.change(&serde_json::json!({"bri": 1 + n % 250}));
            }
        });
    }
    let env = |c: &mut Proc| {
        c.env("HOMEDECK_DATA_DIR", &data)
            .env("HOMEDECK_CONFIG_DIR", work.path().join("config"))
            .env("HOMEDECK_STATE_DIR", work.path().join("state"))
            .env("HOMEDECK_LOG", "warn");
    };

    // 1. Headless: `homedeck wled watch --json`, lines counted.
    let mut cmd = Proc::new(bin);
    cmd.args(["wled", "watch", "--json"]).stdout(Stdio::piped()).stderr(Stdio::null());
    env(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let lines = Arc::new(AtomicU64::new(0));
    let out = child.stdout.take().unwrap();
    let counter = lines.clone();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            if l.is_err() {
                return;
            }
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    std::thread::sleep(Duration::from_secs(3));
    let connected: usize = peers.iter().map(|p| p.shared.ws_connects.load(Ordering::Relaxed)).sum();
    let before = lines.load(Ordering::Relaxed);
    let (cpu, rss_med, rss_max) = measure(child.id(), secs);
    let rate = (lines.load(Ordering::Relaxed) - before) as f64 / secs as f64;
    println!(
        "wled watch: {DEVICES} devices ({connected} /ws connections), {} changes/s sent, {rate:.0} state events/s printed; CPU {cpu:.1} % of a core; RSS median {} MB, max {} MB",
        DEVICES as u64 * HZ,
        rss_med / 1024,
        rss_max / 1024
    );
    let _ = child.kill();
    let _ = child.wait();

    // 2. The console on the Lights pane, in tmux at 80×24.
    if Proc::new("tmux").arg("-V").output().is_err() {
        println!("console: tmux not installed, skipped");
        return;
    }
    let sock = format!("homedeck-lights-bench-{}", std::process::id());
    let tmux = |args: &[&str]| Proc::new("tmux").arg("-L").arg(&sock).args(args).output().unwrap();
    let cfg = work.path().join("config");
    let state = work.path().join("state");
    let launch = format!(
        "env TERM=xterm-256color HOMEDECK_DATA_DIR={} HOMEDECK_CONFIG_DIR={} HOMEDECK_STATE_DIR={} HOMEDECK_LOG=warn {}",
        data.display(),
        cfg.display(),
        state.display(),
        Path::new(bin).display()
    );
    tmux(&["-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", &launch]);
    std::thread::sleep(Duration::from_secs(1));
    tmux(&["send-keys", "4"]);
    std::thread::sleep(Duration::from_secs(3));
    let pid: u32 = String::from_utf8_lossy(&tmux(&["display-message", "-p", "#{pane_pid}"]).stdout).trim().parse().unwrap_or(0);
    if pid == 0 {
        println!("console: did not start");
        return;
    }
    let (cpu, rss_med, rss_max) = measure(pid, secs);
    let screen = String::from_utf8_lossy(&tmux(&["capture-pane", "-p"]).stdout).to_string();
    let live = screen.lines().filter(|l| l.contains(" live ")).count();
    println!(
        "console (Lights pane, 80×24): CPU {cpu:.1} % of a core; RSS median {} MB, max {} MB; {live} rows on screen show live",
        rss_med / 1024,
        rss_max / 1024
    );
    tmux(&["send-keys", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux(&["kill-server"]);
}
