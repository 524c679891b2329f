#![allow(clippy::expect_used, clippy::unwrap_used)] // a soak harness: failing loudly is right
//! The soak of issue 19: the real bench-profile binary as `homedeck daemon`
//! for SOAK_MINUTES (default 30) under a homelab's worth of traffic, sampled
//! from /proc every 10 s. benches/soak.sh runs it and turns its output into
//! the table, plot and checks of docs/reliability.md ("Soak").
//!
//! Load, all real peers on loopback:
//! - 20 servers, all the suite's OpenSSH sshd (tests/common/sshd.rs) under
//!   different names, health-polled; the sshd is stopped hard (listener and
//!   sessions) and started again every 2 minutes, so every server goes down
//!   and comes back;
//! - 100 WLED peers (tests/lights_peer) each changing state 10×/s, the
//!   daemon holding a live `/ws` connection to each;
//! - 10 ESPHome peers (tests/peers/esphome_device.py, aioesphomeapi's own
//!   protobufs) streaming logs every 200 ms into `esphome_logs_start`;
//! - a `* * * * *` backup schedule of a local directory (no retention, so
//!   every run stays in the catalog).
//!
//! One attached client (as the console would be) counts the events.
//! Written to SOAK_OUT: samples.csv (t, RSS, fds, threads, CPU, load…),
//! homedeck.log (the daemon's own log), report.json (catalog, schedule
//! status, audit, alerts, server health at the end) and run.json (counts).
//!
//! Usage: SOAK_MINUTES=30 SOAK_OUT=dir cargo bench --bench soak
//! Knobs: SOAK_SERVERS, SOAK_WLED, SOAK_ESPHOME, SOAK_BACKUPS (how many of
//! each, to split a trend by its cause), SOAK_LOG (the daemon's log level), SOAK_BIN (the binary),
//! SOAK_HEAPTRACK=1 (record the daemon's allocations; see `heaptrack`),
//! SOAK_SEED=N (N backups in the store before the daemon starts, and one
//! `doctor_check` once it is up; see `warm`).

#[path = "../tests/lights_peer/mod.rs"]
mod lights_peer;
#[path = "../tests/common/sshd.rs"]
mod sshd;
#[path = "../tests/esphome_common/mod.rs"]
mod esphome_common;

use homedeck::daemon::client::{Client, Feed};
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, EsphomeEvent, Event, Frontend, LightsEvent, SecretValue};
use lights_peer::{WledPeer, fixtures};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PASS: &str = "soak passphrase";
const WLED_HZ: u64 = 10;

/// How many of each (SOAK_SERVERS, SOAK_WLED, SOAK_ESPHOME): the issue's
/// 20/100/10 unless set, e.g. to 0 to see which part a trend belongs to.
fn how_many(key: &str, default: usize) -> usize {
    env_or(key, &default.to_string()).parse().unwrap_or_else(|_| panic!("{key}: expected a count"))
}
const SAMPLE: Duration = Duration::from_secs(10);
const SSHD_EVERY: Duration = Duration::from_secs(120);

fn actor() -> Actor {
    Actor { user: "soak".into(), frontend: Frontend::Cli }
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0) + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

fn status_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Bytes under `dir`, recursively: the store's size on disk, sampled beside
/// the heap so growth that follows the store (sled's page cache filling up
/// to its 8 MiB cap) can be told from growth that does not.
fn du(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => du(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

fn load1() -> String {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| s.split_whitespace().next().map(String::from)).unwrap_or_default()
}

fn clk_tck() -> f64 {
    Proc::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
}

/// Everything the daemon will carry, written by an in-process engine that
/// is closed again before the daemon opens the data dir.
fn seed(rt: &tokio::runtime::Runtime, data: &Path, src: &Path, sshd: &sshd::Sshd, esp: &[esphome_common::Peer], wled: &[WledPeer]) {
    std::fs::create_dir_all(src).unwrap();
    for i in 0..50 {
        std::fs::write(src.join(format!("file{i:02}.yaml")), format!("name: soak {i}\n").repeat(40)).unwrap();
    }
    rt.block_on(async {
        let e = EngineHandle::open(EngineOptions::new(data), &actor()).unwrap();
        let run = |c: Command| {
            let e = e.clone();
            async move { e.execute(c, actor()).await.unwrap_or_else(|err| panic!("seed: {err}")) }
        };
        run(Command::VaultInit { passphrase: SecretValue::new(PASS) }).await;
        for i in 0..how_many("SOAK_SERVERS", 20) {
            run(sshd.server_add(&format!("srv{i:02}"))).await;
        }
        for (i, p) in esp.iter().enumerate() {
            let add = Command::EsphomeAdd {
                name: format!("esp{i:02}"), host: "127.0.0.1".into(), port: Some(p.api), key_secret: None, ota_port: Some(p.ota),
                ota_password_secret: None, platform: None, site: None,
            };
            run(add).await;
        }
        for (i, p) in wled.iter().enumerate() {
            run(Command::WledAdd { address: p.address(), name: Some(format!("wled-{i:03}")), site: None }).await;
        }
        let source = Command::BackupSourceAdd {
            name: "soak".into(), kind: "dir".into(), path: Some(src.display().to_string()), live: None, login: None, exclude: None,
            exclude_db: None, encrypt: Some(false), key_secret: None, compression: None, repo: None, health: None, backup_password_secret: None,
            site: None,
        };
        run(source).await;
        let schedule = Command::BackupScheduleAdd {
            name: "every-minute".into(), source: "soak".into(), cron: "* * * * *".into(), tz: Some("UTC".into()),
            keep_last: None, keep_hourly: None, keep_daily: None, keep_weekly: None, keep_monthly: None,
        };
        // SOAK_BACKUPS=0: no schedule, to see which part a trend belongs to.
        if how_many("SOAK_BACKUPS", 1) > 0 {
            run(schedule).await;
        }
        // SOAK_SEED=N: N backups (each catalogued and audited) before the
        // daemon starts, so the store is already larger than sled's page
        // cache and a heap that follows the cache has reached its cap.
        let n = how_many("SOAK_SEED", 0);
        for i in 0..n {
            run(Command::BackupCreate { source: "soak".into(), password: None }).await;
            if (i + 1) % 100 == 0 {
                eprintln!("soak: seeded {} of {n} backups, store {} KiB", i + 1, du(&data.join("db")) / 1024);
            }
        }
    });
}

/// SOAK_SEED: once the daemon is up, one `doctor_check` reads every audit
/// entry, index and catalog record (as a user running `homedeck doctor`
/// would), so sled's page cache starts full rather than filling over hours.
fn warm(rt: &tokio::runtime::Runtime, client: &Client) {
    if how_many("SOAK_SEED", 0) == 0 {
        return;
    }
    let t = Instant::now();
    let outcome = rt.block_on(client.execute(Command::DoctorCheck { read_data: Some(false) })).expect("doctor_check");
    let text = serde_json::to_string(&outcome).unwrap_or_default();
    eprintln!("soak: doctor_check read the store in {:.1} s ({} bytes of findings)", t.elapsed().as_secs_f64(), text.len());
}

/// A `homedeck daemon`, stopped with SIGTERM (then killed) when dropped,
/// and the heaptrack interpreter reading it (SOAK_HEAPTRACK), waited for
/// after the daemon so its file is complete.
struct Daemon(Child, Option<Child>);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Proc::new("kill").arg(self.0.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline && !matches!(self.0.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(interpreter) = &mut self.1 {
            let _ = interpreter.wait();
        }
    }
}

fn daemon(work: &Path, data: &Path, out: &Path) -> Daemon {
    // The vault stays unlocked for the run (it is unlocked once, below): the
    // soak is of the servers' polling, not of the idle lock.
    std::fs::create_dir_all(work.join("config")).unwrap();
    std::fs::write(work.join("config/config.toml"), "[vault]\nidle_lock_secs = 86400\n").unwrap();
    // SOAK_BIN: another build of the binary (e.g. a copy kept while the
    // target dir holds a heaptrack build).
    let mut cmd = Proc::new(env_or("SOAK_BIN", env!("CARGO_BIN_EXE_homedeck")));
    let interpreter = (env_or("SOAK_HEAPTRACK", "0") == "1").then(|| heaptrack(&mut cmd, work, out));
    let child = cmd
        .arg("daemon")
        .env("HOMEDECK_DATA_DIR", data)
        .env("HOMEDECK_CONFIG_DIR", work.join("config"))
        .env("HOMEDECK_STATE_DIR", work.join("state"))
        .env("HOMEDECK_LOG", env_or("SOAK_LOG", "info"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(work.join("daemon.stderr")).unwrap())
        .spawn()
        .unwrap();
    Daemon(child, interpreter)
}

/// SOAK_HEAPTRACK=1: record every allocation of the daemon with heaptrack's
/// preload library (the daemon keeps its own pid, so the samples and the
/// SIGTERM at the end still reach it), interpreted on the fly into
/// OUT/heaptrack.homedeck.gz for `heaptrack_print`. Only a build without
/// the `mimalloc` feature calls malloc, so benches/soak.sh builds that one.
fn heaptrack(cmd: &mut Proc, work: &Path, out: &Path) -> Child {
    let pipe = work.join("heaptrack.pipe");
    assert!(Proc::new("mkfifo").arg(&pipe).status().unwrap().success(), "mkfifo {}", pipe.display());
    let lib = "/usr/lib/heaptrack/libheaptrack_preload.so";
    assert!(Path::new(lib).exists(), "SOAK_HEAPTRACK=1 needs heaptrack ({lib}): apt-get install heaptrack");
    let script = format!(
        "/usr/lib/heaptrack/libexec/heaptrack_interpret < '{}' | gzip -c > '{}'",
        pipe.display(),
        out.join("heaptrack.homedeck.gz").display()
    );
    // It ends on its own when the daemon closes the pipe.
    let interpreter = Proc::new("sh").args(["-c", &script]).spawn().unwrap();
    cmd.env("LD_PRELOAD", lib).env("DUMP_HEAPTRACK_OUTPUT", &pipe);
    interpreter
}

/// Attach (with or without events); retried while the daemon comes up.
async fn attach(data: &Path, events: bool) -> Client {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(c) = Client::attach(data, Frontend::Tui, events, false).await {
            return c;
        }
        assert!(Instant::now() < deadline, "the daemon did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[derive(Default)]
struct Counts {
    wled_live: AtomicU64,
    esphome_lines: AtomicU64,
    esphome_links: AtomicU64,
    backup_events: AtomicU64,
    other: AtomicU64,
    /// Events the client's feed skipped (daemon-side `Lagged` notices and
    /// local channel overflow both).
    lagged: AtomicU64,
    /// Times the event client found itself detached and attached again.
    reattached: AtomicU64,
}

/// One attached client with events, as an open console would be, counting
/// what reaches it. The daemon drops a client that stops reading (its
/// write timeout): then this one attaches again and counts the re-attach.
fn count_feed(rt: &tokio::runtime::Runtime, data: PathBuf, counts: Arc<Counts>) {
    rt.spawn(async move {
        loop {
            let client = attach(&data, true).await;
            let mut feed = client.subscribe();
            loop {
                // The local channel reports overflow as an error: count it, go on.
                let f = match feed.recv().await {
                    Ok(f) => f,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        counts.lagged.fetch_add(n, Ordering::Relaxed);
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                let c = match f {
                    Feed::Event(Event::Lights(LightsEvent::WledLive { .. })) => &counts.wled_live,
                    Feed::Event(Event::Esphome(EsphomeEvent::EsphomeLogs { lines, .. })) => {
                        counts.esphome_lines.fetch_add(lines.len() as u64, Ordering::Relaxed);
                        continue;
                    }
                    Feed::Event(Event::Esphome(EsphomeEvent::EsphomeLink { .. })) => &counts.esphome_links,
                    Feed::Event(Event::Backup(_)) => &counts.backup_events,
                    Feed::Event(_) => &counts.other,
                    Feed::Lagged(n) => {
                        counts.lagged.fetch_add(n, Ordering::Relaxed);
                        continue;
                    }
                };
                c.fetch_add(1, Ordering::Relaxed);
            }
            counts.reattached.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// What the program says at the end, for the report's checks.
async fn final_views(client: &Client) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let search = Command::AuditSearch {
        category: None, min_severity: None, status: None, actor: None, resource: None, since: None, until: None, text: None,
        limit: Some(5000), before: None,
    };
    for (key, c) in [
        ("catalog", Command::BackupList { source: None }),
        ("scheduler", Command::SchedulerStatus {}),
        ("audit", search),
        ("alerts", Command::AlertList { filter: None, limit: Some(1000) }),
        ("servers", Command::ServerList {}),
        ("esphome", Command::EsphomeList {}),
        ("wled", Command::WledList {}),
    ] {
        let v = match client.execute(c).await {
            Ok(o) => serde_json::to_value(&o).unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() })),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        out.insert(key.into(), v);
    }
    serde_json::Value::Object(out)
}

fn main() {
    let minutes: f64 = env_or("SOAK_MINUTES", "30").parse().expect("SOAK_MINUTES: a number of minutes");
    let out = PathBuf::from(env_or("SOAK_OUT", "target/soak"));
    std::fs::create_dir_all(&out).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (data, w) = (work.path().join("data"), work.path());

    let (servers, wled_n, esphome_n) = (how_many("SOAK_SERVERS", 20), how_many("SOAK_WLED", 100), how_many("SOAK_ESPHOME", 10));
    eprintln!("soak: starting peers (1 sshd for {servers} servers, {esphome_n} ESPHome, {wled_n} WLED)");
    let mut sshd = sshd::Sshd::start(&w.join("sshd"));
    let esp: Vec<esphome_common::Peer> = (0..esphome_n).map(|_| esphome_common::Peer::start(&["--log-ms", "200"])).collect();
    let dump = fixtures().join("wled/versions/16.0.0.json");
    let wled: Vec<WledPeer> = rt.block_on(async {
        let mut v = Vec::new();
        for i in 0..wled_n {
            v.push(WledPeer::start_as(&dump, &format!("05{i:010x}")).await);
        }
        v
    });
    seed(&rt, &data, &w.join("src"), &sshd, &esp, &wled);

    eprintln!("soak: starting the daemon for {minutes} min");
    let mut d = daemon(w, &data, &out);
    let pid = d.0.id();
    let client = rt.block_on(attach(&data, false));
    rt.block_on(client.execute(Command::VaultUnlock { passphrase: SecretValue::new(PASS) })).expect("unlock");
    warm(&rt, &client);
    let counts = Arc::new(Counts::default());
    count_feed(&rt, data.clone(), counts.clone());
    let names: Vec<String> = (0..esphome_n).map(|i| format!("esp{i:02}")).collect();
    if !names.is_empty() {
        rt.block_on(client.execute(Command::EsphomeLogsStart { devices: names.join(","), level: None })).expect("esphome_logs_start");
    }
    drop(client);

    let sent = Arc::new(AtomicU64::new(0));
    let changers: Vec<_> = wled
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (shared, sent) = (p.shared.clone(), sent.clone());
            rt.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(1000 / WLED_HZ));
                let mut n = i as u64;
                loop {
                    tick.tick().await;
                    n += 1;
                    shared.change(&serde_json::json!({"bri": 1 + n % 250}));
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let mut csv = std::fs::File::create(out.join("samples.csv")).unwrap();
    writeln!(csv, "t_s,rss_kb,fds,threads,cpu_pct,load1,wled_sent,wled_live,esphome_lines,esphome_links,lagged,reattached,sshd_restarts,anon_kb,file_kb,db_kb").unwrap();
    let tck = clk_tck();
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(minutes * 60.0);
    let started_at = chrono::Utc::now();
    let (mut last_cpu, mut last_t) = (cpu_ticks(pid), Instant::now());
    let mut next_sample = start + SAMPLE;
    let mut next_restart = start + SSHD_EVERY;
    let mut restarts = 0u32;
    while Instant::now() < end {
        let now = Instant::now();
        if now >= next_restart {
            sshd.stop_hard();
            sshd.restart(false);
            restarts += 1;
            next_restart += SSHD_EVERY;
        }
        if now >= next_sample {
            let ticks = cpu_ticks(pid);
            let cpu = (ticks - last_cpu) as f64 / tck / last_t.elapsed().as_secs_f64() * 100.0;
            (last_cpu, last_t) = (ticks, Instant::now());
            let r = |a: &AtomicU64| a.load(Ordering::Relaxed);
            writeln!(
                csv,
                "{:.0},{},{},{},{cpu:.1},{},{},{},{},{},{},{},{restarts},{},{},{}",
                start.elapsed().as_secs_f64(),
                status_field(pid, "VmRSS:"),
                fds(pid),
                status_field(pid, "Threads:"),
                load1(),
                r(&sent),
                r(&counts.wled_live),
                r(&counts.esphome_lines),
                r(&counts.esphome_links),
                r(&counts.lagged),
                r(&counts.reattached),
                // Anonymous memory (heap) apart from file-backed pages (the
                // binary's code, paged in as new paths first run).
                status_field(pid, "RssAnon:"),
                status_field(pid, "RssFile:"),
                du(&data.join("db")) / 1024,
            )
            .unwrap();
            csv.flush().unwrap();
            next_sample += SAMPLE;
        }
        if let Ok(Some(status)) = d.0.try_wait() {
            panic!("the daemon exited during the soak ({status}); see {}", w.join("state/homedeck.log").display());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let ended_at = chrono::Utc::now();
    for c in changers {
        c.abort();
    }
    // A backup started in the last minute finishes before the catalog is read.
    std::thread::sleep(Duration::from_secs(5));
    // A fresh client for the final reads (the event client may be mid-reattach).
    let views = rt.block_on(async { final_views(&attach(&data, false).await).await });
    std::fs::write(out.join("report.json"), serde_json::to_vec_pretty(&views).unwrap()).unwrap();
    let r = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let run = serde_json::json!({
        "minutes": minutes, "seeded_backups": how_many("SOAK_SEED", 0), "started": started_at.to_rfc3339(), "ended": ended_at.to_rfc3339(),
        "servers": servers, "wled": wled_n, "wled_hz": WLED_HZ, "esphome": esphome_n, "sshd_restarts": restarts,
        "sshd_logins": sshd.logins(), "wled_sent": r(&sent), "wled_live": r(&counts.wled_live),
        "esphome_lines": r(&counts.esphome_lines), "esphome_links": r(&counts.esphome_links),
        "backup_events": r(&counts.backup_events), "other_events": r(&counts.other), "lagged": r(&counts.lagged), "reattached": r(&counts.reattached),
        "peak_rss_kb": status_field(pid, "VmHWM:"), "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    std::fs::write(out.join("run.json"), serde_json::to_vec_pretty(&run).unwrap()).unwrap();
    drop(d);
    let _ = std::fs::copy(w.join("state/homedeck.log"), out.join("homedeck.log"));
    let _ = std::fs::copy(w.join("daemon.stderr"), out.join("daemon.stderr"));
    eprintln!("soak: done; {}", out.display());
}
