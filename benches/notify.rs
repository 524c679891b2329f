#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Notification queue throughput (issue 16, target ≥ 1,000 deliveries/s):
//! N deliveries are queued in sled with the worker stopped, then the
//! worker is started and timed until a fast receiver on 127.0.0.1 (axum,
//! answering 200 at once) has acknowledged all N. Each delivery is read
//! from sled, posted, and removed with a flush, as in the daemon.
//!
//! For comparison, in the same run: the same N posts of the same body to
//! the same receiver straight from one reqwest client at the same
//! concurrency — the ceiling the queue's bookkeeping is measured against.
//!
//! Usage: cargo bench --bench notify [-- N ROUNDS]   (benches/notify.sh runs it)

use homedeck::engine::internals::audit::Severity;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn actor() -> Actor {
    Actor { user: "bench".into(), frontend: Frontend::Cli }
}

async fn receiver(count: Arc<AtomicU64>) -> u16 {
    let app = axum::Router::new().route(
        "/bench",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                "{\"ok\":true}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

async fn wait_count(count: &AtomicU64, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while count.load(Ordering::SeqCst) < n {
        assert!(Instant::now() < deadline, "only {} of {n} arrived", count.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One round through the queue: deliveries/s.
async fn queued_round(port: u16, count: &Arc<AtomicU64>, n: u64, concurrency: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut o = EngineOptions::new(dir.path());
    o.notify = toml::from_str(&format!("concurrency = {concurrency}\n[[routes]]\nname = \"bench\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{port}/bench\"\n")).unwrap();
    let e = EngineHandle::open(o, &actor()).unwrap();
    for i in 0..n {
        let c = Command::NotifySend { route: Some("bench".into()), title: format!("bench {i}"), body: Some("disk /srv on nas is 97% full".into()), severity: Some(Severity::High) };
        e.execute(c, actor()).await.unwrap();
    }
    count.store(0, Ordering::SeqCst);
    let t = Instant::now();
    e.start_scheduler();
    wait_count(count, n).await;
    let secs = t.elapsed().as_secs_f64();
    n as f64 / secs
}

/// The same posts without the queue: deliveries/s.
async fn direct_round(port: u16, count: &Arc<AtomicU64>, n: u64, concurrency: usize) -> f64 {
    use futures::StreamExt;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/bench");
    let body = serde_json::json!({"schema": "homedeck.notification/1", "id": 1, "title": "bench", "text": "disk /srv on nas is 97% full"});
    count.store(0, Ordering::SeqCst);
    let t = Instant::now();
    futures::stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move {
                client.post(&url).json(&body).send().await.unwrap();
            }
        })
        .await;
    wait_count(count, n).await;
    n as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let count = Arc::new(AtomicU64::new(0));
        let port = receiver(count.clone()).await;
        for concurrency in [8usize, 32] {
            let mut queued = Vec::new();
            let mut direct = Vec::new();
            for _ in 0..rounds {
                queued.push(queued_round(port, &count, n, concurrency).await);
                direct.push(direct_round(port, &count, n, concurrency).await);
            }
            println!(
                "notify queue, {n} deliveries, concurrency {concurrency}: median {:.0}/s through the sled queue (runs {:?}); direct posts, no queue: median {:.0}/s",
                median(queued.clone()),
                queued.iter().map(|x| x.round() as u64).collect::<Vec<_>>(),
                median(direct.clone()),
            );
        }
    });
}
