#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Servers benchmarks (issue 3), against real sshd instances on loopback:
//! - one health round over 20 servers (+ local), cold and warm, and the
//!   engine's own CPU use while polling every 15 s;
//! - one command on 20 servers at once vs on one;
//! - SFTP put/get of a 200 MB file vs OpenSSH's own `sftp` and `scp`.
//!
//! Run: `cargo bench --bench servers` (about three minutes). Medians are
//! printed; docs/benchmarks.md records them.

#[path = "../tests/common/sshd.rs"]
mod sshd;

use homedeck::engine::ServersOutcome;
use homedeck::engine::internals::servers::ServerOptions;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, Outcome, SecretValue};
use std::process::Stdio;
use std::time::{Duration, Instant};

const SERVERS: usize = 20;
const ROUNDS: usize = 7;

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// utime + stime of this process, in seconds.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

async fn exec(e: &EngineHandle, c: Command) -> Outcome {
    e.execute(c, actor()).await.unwrap()
}

async fn engine(dir: &std::path::Path, d: &[sshd::Sshd], poll: bool) -> EngineHandle {
    let mut opts = EngineOptions::new(dir);
    opts.servers = ServerOptions { poll_health: poll, health_interval: Duration::from_secs(15), ..Default::default() };
    let e = EngineHandle::open(opts, &actor()).unwrap();
    if !dir.join("db-ready").exists() {
        exec(&e, Command::VaultInit { passphrase: SecretValue::new("bench passphrase") }).await;
    } else {
        exec(&e, Command::VaultUnlock { passphrase: SecretValue::new("bench passphrase") }).await;
    }
    if !dir.join("db-ready").exists() {
        for (i, s) in d.iter().enumerate() {
            exec(&e, Command::ServerAdd {
                name: format!("s{i:02}"), host: "127.0.0.1".into(), port: Some(u32::from(s.port)), user: Some(sshd::me()),
                auth: None, secret: None, key: Some(SecretValue::new(s.client_key_text())), key_passphrase: None, password: None,
                tags: Some("bench".into()), site: None,
            })
            .await;
        }
        std::fs::write(dir.join("db-ready"), "").unwrap();
    }
    e
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let root = tempfile::tempdir().unwrap();
    let servers: Vec<sshd::Sshd> = (0..SERVERS).map(|i| sshd::Sshd::start(&root.path().join(format!("sshd{i}")))).collect();
    let data = root.path().join("data");

    // Health rounds.
    let e = engine(&data, &servers, false).await;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let Outcome::Servers(ServersOutcome::Health { reports }) = exec(&e, Command::ServerHealth { name: None }).await else { panic!() };
        assert!(reports.iter().all(|r| r.sample.is_some()), "{:?}", reports.iter().map(|r| &r.reasons).collect::<Vec<_>>());
        rounds.push(ms(t.elapsed()));
    }
    println!("health round, {} servers: cold {:.1} ms, warm median {:.1} ms", SERVERS + 1, rounds[0], median(rounds[1..].to_vec()));

    // Command on 20 vs 1.
    let mut one = Vec::new();
    let mut all = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        exec(&e, Command::ServerExec { targets: "s00".into(), line: "uname -r".into(), shell: None, confirmed: None, timeout_secs: None }).await;
        one.push(ms(t.elapsed()));
        let t = Instant::now();
        let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) =
            exec(&e, Command::ServerExec { targets: "tag:bench".into(), line: "uname -r".into(), shell: None, confirmed: None, timeout_secs: None }).await
        else {
            panic!()
        };
        assert!(results.iter().all(|r| r.ok()));
        all.push(ms(t.elapsed()));
    }
    let (m1, m20) = (median(one), median(all));
    println!("exec `uname -r`: 1 server median {m1:.1} ms, 20 servers median {m20:.1} ms (ratio {:.2})", m20 / m1);

    // SFTP 200 MB vs OpenSSH.
    let big = root.path().join("big.bin");
    {
        let mut f = std::fs::File::create(&big).unwrap();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut buf = vec![0u8; 1 << 20];
        for _ in 0..200 {
            for b in buf.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            std::io::Write::write_all(&mut f, &buf).unwrap();
        }
    }
    let remote = root.path().join("remote.bin").display().to_string();
    let back = root.path().join("back.bin").display().to_string();
    let s = &servers[0];
    let ssh_opts = |cmd: &mut std::process::Command| {
        cmd.args(["-q", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-i"])
            .arg(&s.client_key)
            .args(["-P", &s.port.to_string()]);
    };
    let (mut hput, mut hget, mut sput, mut sget, mut cput, mut cget) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..3 {
        let t = Instant::now();
        exec(&e, Command::ServerPut { name: "s00".into(), local: big.display().to_string(), remote: remote.clone() }).await;
        hput.push(ms(t.elapsed()));
        let t = Instant::now();
        exec(&e, Command::ServerGet { name: "s00".into(), remote: remote.clone(), local: back.clone() }).await;
        hget.push(ms(t.elapsed()));
        assert_eq!(std::fs::metadata(&back).unwrap().len(), 200 << 20);

        for (put, list) in [(true, &mut sput), (false, &mut sget)] {
            let batch = root.path().join("batch");
            let line = if put { format!("put {} {remote}\n", big.display()) } else { format!("get {remote} {back}\n") };
            std::fs::write(&batch, line).unwrap();
            let mut c = std::process::Command::new("sftp");
            ssh_opts(&mut c);
            c.arg("-b").arg(&batch).arg(format!("{}@127.0.0.1", sshd::me())).stdout(Stdio::null());
            let t = Instant::now();
            assert!(c.status().unwrap().success());
            list.push(ms(t.elapsed()));
        }
        for (put, list) in [(true, &mut cput), (false, &mut cget)] {
            let mut c = std::process::Command::new("scp");
            ssh_opts(&mut c);
            let r = format!("{}@127.0.0.1:{remote}", sshd::me());
            if put {
                c.arg(&big).arg(&r);
            } else {
                c.arg(&r).arg(&back);
            }
            let t = Instant::now();
            assert!(c.status().unwrap().success());
            list.push(ms(t.elapsed()));
        }
    }
    let mbps = |v: Vec<f64>| 200.0 / (median(v) / 1000.0);
    let (hp, hg, sp, sg, cp, cg) = (mbps(hput), mbps(hget), mbps(sput), mbps(sget), mbps(cput), mbps(cget));
    println!("SFTP 200 MB put: homedeck {hp:.0} MB/s, sftp {sp:.0} MB/s, scp {cp:.0} MB/s (homedeck/sftp {:.2})", hp / sp);
    println!("SFTP 200 MB get: homedeck {hg:.0} MB/s, sftp {sg:.0} MB/s, scp {cg:.0} MB/s (homedeck/sftp {:.2})", hg / sg);
    drop(e);

    // The poller's own CPU over four rounds at the default 15 s interval.
    let e = engine(&data, &servers, true).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (c0, t0) = (cpu_secs(), Instant::now());
    tokio::time::sleep(Duration::from_secs(60)).await;
    let cpu = (cpu_secs() - c0) / t0.elapsed().as_secs_f64() * 100.0;
    println!("poller at 15 s over {} servers: {cpu:.2} % of one core (60 s window)", SERVERS + 1);
    drop(e);
}
