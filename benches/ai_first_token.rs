#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! Enter → the first streamed token on screen, against the real llama.cpp
//! server (tests/peers/ai.sh, SmolLM2-135M on 127.0.0.1), and how much of
//! it is homedeck's (issue 18, target: homedeck's overhead ≤ 5 ms over the
//! server's own time to first token).
//!
//! The console is the real `Driver` on a real engine with the provider
//! configured, drawing into an 80×24 `TestBackend` the way the loop does:
//! events and job answers handled one at a time (`Driver::pump`), a frame
//! when something changed and at least `FRAME` after the last one. Between
//! the engine and the server sits a timestamping TCP proxy in this process
//! (same clock), which sees when the request's first byte arrives and when
//! the first chunk carrying reply text comes back from the server. So each
//! round splits into:
//! - total: Enter pressed → the frame showing the first token is drawn;
//! - server: request's first byte at the proxy → first text chunk from the
//!   server (the server's own time to first token, the proxy's forwarding
//!   to it included);
//! - homedeck: total − server (key handling, the engine building and sending
//!   the request, parsing the SSE chunk, the event, the pane, the frame).
//!
//! The model server is also asked directly (reqwest, streaming, the same
//! request shape without homedeck) in alternate rounds, as a second
//! comparison for the server's share. Toolsets are off: llama-cpp-python
//! answers a streamed request that carries tools with an empty body, and the
//! provider then falls back to one non-streamed reply (docs/benchmarks.md).
//!
//! Usage: cargo bench --bench ai_first_token [-- ROUNDS]

#[path = "../tests/ai_common/mod.rs"]
mod ai_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use homedeck::config::Config;
use homedeck::engine::views::ai::{AiOptions, ProviderOptions, ProviderPreset};
use homedeck::engine::{Actor, EngineHandle, EngineOptions, Frontend};
use homedeck::tui::event_loop::FRAME;
use homedeck::tui::keymap::Keymap;
use homedeck::tui::panes::ai::ai_transcript::Entry;
use homedeck::tui::theme::Theme;
use homedeck::tui::{App, Driver};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROMPT: &str = "Say hello in five words.";

/// What crossed the proxy since the last `clear`: the first request byte,
/// and the upstream bytes with the time each read arrived.
#[derive(Default)]
struct Wire {
    request_at: Option<Instant>,
    upstream: Vec<(Instant, Vec<u8>)>,
}

impl Wire {
    /// When the first SSE chunk whose delta carries text arrived.
    fn first_text_at(&self) -> Option<Instant> {
        let mut seen = Vec::new();
        for (at, bytes) in &self.upstream {
            seen.extend_from_slice(bytes);
            if has_text_delta(&String::from_utf8_lossy(&seen)) {
                return Some(*at);
            }
        }
        None
    }
}

/// A `"content":"…"` with at least one character, in a data line.
fn has_text_delta(s: &str) -> bool {
    s.lines().filter(|l| l.starts_with("data: ")).any(|l| {
        serde_json::from_str::<serde_json::Value>(&l[6..])
            .ok()
            .and_then(|v| v["choices"][0]["delta"]["content"].as_str().map(|c| !c.is_empty()))
            .unwrap_or(false)
    })
}

async fn proxy(upstream_port: u16, wire: Arc<Mutex<Wire>>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (client, _) = listener.accept().await.unwrap();
            let server = tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await.unwrap();
            client.set_nodelay(true).unwrap();
            server.set_nodelay(true).unwrap();
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            let up = wire.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n @ 1..) = cr.read(&mut buf).await {
                    let now = Instant::now();
                    up.lock().unwrap().request_at.get_or_insert(now);
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
            let down = wire.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n @ 1..) = sr.read(&mut buf).await {
                    down.lock().unwrap().upstream.push((Instant::now(), buf[..n].to_vec()));
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// The server alone: a streamed request like the provider's, timed from
/// send to the first chunk with text.
async fn direct(http: &reqwest::Client, base: &str, model: &str) -> Duration {
    let body = serde_json::json!({"model": model, "stream": true, "messages": [{"role": "user", "content": PROMPT}]});
    let t0 = Instant::now();
    let mut resp = http.post(format!("{base}/chat/completions")).json(&body).send().await.unwrap();
    let mut seen = String::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if has_text_delta(&seen) {
            let d = t0.elapsed();
            while resp.chunk().await.unwrap().is_some() {}
            return d;
        }
    }
    panic!("the server streamed no text: {seen}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn key(d: &mut Driver, code: KeyCode) {
    d.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(15);
    let server = ai_common::LlamaServer::start();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let wire = Arc::new(Mutex::new(Wire::default()));
        let port = proxy(server.port, wire.clone()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut opts = EngineOptions::new(dir.path());
        let provider = ProviderOptions {
            preset: ProviderPreset::Llamacpp,
            base_url: format!("http://127.0.0.1:{port}/v1"),
            model: server.model.clone(),
            api_key_secret: None,
            timeout_secs: 120,
            retries: 0,
        };
        opts.ai = AiOptions { provider: Some(provider), toolsets: "none".into(), ..AiOptions::default() };
        let actor = Actor { user: "bench".into(), frontend: Frontend::Tui };
        let engine = EngineHandle::open(opts, &actor).unwrap();
        let app = App::new(Theme::builtin("dark").unwrap(), Keymap::default(), &Config::default(), engine.readonly());
        let mut d = Driver::new(engine.clone(), actor, app);
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        d.start();
        d.settle().await;
        key(&mut d, KeyCode::Char('8'));
        d.settle().await;
        let http = reqwest::Client::new();
        // Warm-up: the model's first reply loads its caches.
        direct(&http, &server.base_url(), &server.model).await;

        let (mut total, mut srv, mut ours, mut alone) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for round in 0..=rounds {
            alone.push(ms(direct(&http, &server.base_url(), &server.model).await));
            // A fresh conversation each round: the same request every time.
            d.app.panes.ai.new_conversation();
            for c in PROMPT.chars() {
                key(&mut d, KeyCode::Char(c));
            }
            d.draw(&mut term).unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            *wire.lock().unwrap() = Wire::default();
            let t0 = Instant::now();
            key(&mut d, KeyCode::Enter);
            d.draw(&mut term).unwrap();
            let mut last_draw = Instant::now();
            loop {
                d.pump().await;
                let streamed = matches!(d.app.panes.ai.transcript.entries().last(), Some(Entry::Reply { text, .. }) if !text.is_empty());
                if streamed && d.app.dirty {
                    let wait = (last_draw + FRAME).saturating_duration_since(Instant::now());
                    tokio::time::sleep(wait).await;
                    d.draw(&mut term).unwrap();
                    last_draw = Instant::now();
                    break;
                }
                if d.app.dirty && last_draw.elapsed() >= FRAME {
                    d.draw(&mut term).unwrap();
                    last_draw = Instant::now();
                }
            }
            let t1 = Instant::now();
            let (req, tok) = {
                let w = wire.lock().unwrap();
                (w.request_at.expect("the request reached the proxy"), w.first_text_at().expect("the server streamed text"))
            };
            // The rest of the reply, then the next round.
            while d.app.panes.ai.generating || d.app.inflight > 0 {
                d.pump().await;
            }
            if round == 0 {
                continue; // the console's own warm-up
            }
            total.push(ms(t1 - t0));
            srv.push(ms(tok - req));
            ours.push(ms((t1 - t0).saturating_sub(tok - req)));
        }
        let show = |v: &Vec<f64>| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(" ");
        println!("Enter → first token on screen, {rounds} rounds, 80x24 (ms; medians, then each round):");
        println!("  total (Enter → frame with the token): median {:.2}   [{}]", median(total.clone()), show(&total));
        println!("  server (request in → first text out): median {:.2}   [{}]", median(srv.clone()), show(&srv));
        println!("  homedeck's overhead (total − server): median {:.2}   [{}]", median(ours.clone()), show(&ours));
        println!("  server asked directly (reqwest):      median {:.2}   [{}]", median(alone.clone()), show(&alone));
        drop(d);
        drop(engine);
    });
    drop(server);
}
