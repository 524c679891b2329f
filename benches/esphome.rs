#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark harness: failing loudly is right
//! ESPHome log ingest: device frames (plaintext and Noise) decoded into the
//! console's log buffer, lines/s (target ≥ 100,000); a logs-view frame drawn
//! over full 50,000-line scrollbacks (target < 16 ms); and the buffer's RSS
//! once the cap is reached (must stay flat). `benches/esphome.sh` measures
//! the real binary against the device peer, and OTA against `esphome upload`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homedeck::engine::internals::esphome::api::frame;
use homedeck::engine::internals::esphome::api::messages::{self as m, SubscribeLogsResponse};
use homedeck::engine::internals::esphome::api::noise::{NoiseClient, PROLOGUE, decode_psk};
use homedeck::engine::internals::esphome::{LogLevel, LogRecord};
use homedeck::tui::app::View;
use homedeck::tui::keymap::Keymap;
use homedeck::tui::panes::esphome::log_buffer::LogBuffer;
use homedeck::tui::panes::esphome::logs_view::LogsView;
use homedeck::tui::theme::Theme;
use prost::Message;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

const LINES: usize = 10_000;
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn sample(i: usize) -> (i32, Vec<u8>) {
    let (lvl, text) = match i % 4 {
        0 => (3, format!("\x1b[0;32m[I][app:029]: Running through setup() #{i}\x1b[0m")),
        1 => (5, format!("\x1b[0;36m[D][sensor:094]: 'Temperature': Sending state 21.5{i} °C with 1 decimals of accuracy\x1b[0m")),
        2 => (2, format!("\x1b[0;33m[W][wifi:500]: Signal weak (-82 dBm) #{i}\x1b[0m")),
        _ => (7, format!("\x1b[0;38m[VV][scheduler:231]: Items: 4 #{i}\x1b[0m")),
    };
    (lvl, SubscribeLogsResponse { level: lvl, message: text.into_bytes() }.encode_to_vec())
}

/// What the engine's log stream does per frame, then what the console does
/// per line: cut the frame, decode the protobuf, parse ANSI into the ring.
/// Decrypts one Noise frame body into (type, payload).
type Opener<'a> = dyn FnMut(&[u8]) -> (u32, Vec<u8>) + 'a;

fn ingest(stream: &[u8], buf: &mut LogBuffer, open: &mut Opener, noise: bool) -> usize {
    let now = chrono::Utc::now();
    let mut pos = 0;
    let mut batch = Vec::with_capacity(2048);
    while pos < stream.len() {
        let (t, body) = if noise {
            let (r, used) = frame::decode_noise(&stream[pos..]).unwrap().unwrap();
            let out = open(&stream[pos..][r]);
            pos += used;
            out
        } else {
            let (t, r, used) = frame::decode_plain(&stream[pos..]).unwrap().unwrap();
            let out = (t, stream[pos..][r].to_vec());
            pos += used;
            out
        };
        assert_eq!(t, m::SUBSCRIBE_LOGS_RESPONSE);
        let msg: SubscribeLogsResponse = m::decode("log", &body).unwrap();
        batch.push(LogRecord { at: now, level: LogLevel::from_number(msg.level), text: String::from_utf8_lossy(&msg.message).into_owned() });
        if batch.len() == 2048 {
            buf.push("bench", &batch);
            batch.clear();
        }
    }
    let n = batch.len();
    buf.push("bench", &batch);
    n
}

fn plain_stream() -> Vec<u8> {
    (0..LINES).flat_map(|i| frame::encode_plain(m::SUBSCRIBE_LOGS_RESPONSE, &sample(i).1)).collect()
}

fn bench_ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("esphome_log_ingest");
    g.throughput(Throughput::Elements(LINES as u64));
    let stream = plain_stream();
    let mut buf = LogBuffer::new(50_000);
    g.bench_function("plaintext_10k_lines", |b| b.iter(|| ingest(&stream, &mut buf, &mut |_| unreachable!(), false)));

    // Noise: a snow responder seals frames the way a device does.
    g.bench_function("noise_10k_lines", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let mut client = NoiseClient::new(KEY).unwrap();
                let opening = client.opening().unwrap();
                let psk = decode_psk(KEY).unwrap();
                let mut resp = snow::Builder::new("Noise_NNpsk0_25519_ChaChaPoly_SHA256".parse().unwrap())
                    .psk(0, &psk)
                    .unwrap()
                    .prologue(PROLOGUE)
                    .unwrap()
                    .build_responder()
                    .unwrap();
                let mut tmp = vec![0u8; 65_535];
                resp.read_message(&opening[7..], &mut tmp).unwrap();
                let n = resp.write_message(&[], &mut tmp).unwrap();
                let mut answer = vec![0u8];
                answer.extend_from_slice(&tmp[..n]);
                let mut transport = client.finish(&answer).unwrap();
                let mut dev = resp.into_transport_mode().unwrap();
                let mut stream = Vec::new();
                for i in 0..LINES {
                    let body = sample(i).1;
                    let mut plain = vec![0, m::SUBSCRIBE_LOGS_RESPONSE as u8];
                    plain.extend_from_slice(&(body.len() as u16).to_be_bytes());
                    plain.extend_from_slice(&body);
                    let n = dev.write_message(&plain, &mut tmp).unwrap();
                    stream.extend(frame::encode_noise(&tmp[..n]).unwrap());
                }
                let start = Instant::now();
                ingest(&stream, &mut buf, &mut |b| transport.open(b).unwrap(), true);
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

fn full_view() -> LogsView {
    let mut view = LogsView::new(LogBuffer::new(50_000));
    let now = chrono::Utc::now();
    for dev in ["kitchen", "garage", "porch"] {
        let recs: Vec<LogRecord> = (0..50_000)
            .map(|i| {
                let (lvl, body) = sample(i);
                let msg = SubscribeLogsResponse::decode(body.as_slice()).unwrap();
                LogRecord { at: now, level: LogLevel::from_number(lvl), text: String::from_utf8_lossy(&msg.message).into_owned() }
            })
            .collect();
        view.push(dev, &recs);
    }
    view.show(vec!["kitchen".into(), "garage".into(), "porch".into()]);
    view
}

fn bench_frame(c: &mut Criterion) {
    let theme = Theme::builtin("dark").unwrap();
    let keymap = Keymap::default();
    let mut view = full_view();
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut g = c.benchmark_group("esphome_logs_frame");
    let v = View { theme: &theme, keymap: &keymap, now: chrono::Utc::now(), instant: Instant::now(), first_run: false };
    g.bench_function("merged_3x50k_following_200x50", |b| {
        b.iter(|| {
            term.draw(|f| view.render(f, f.area(), &v)).unwrap();
        });
    });
    // Search for a rare word, scrolled half way up, at the ERROR level.
    view.level = LogLevel::Warn;
    view.search.filter.set("#12345 ");
    view.follow = false;
    view.offset = 20_000;
    g.bench_function("merged_3x50k_paused_filtered_search_200x50", |b| {
        b.iter(|| {
            term.draw(|f| view.render(f, f.area(), &v)).unwrap();
        });
    });
    g.finish();
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0)
}

/// Not a timing: RSS after filling the ring once, then after 4× more lines.
fn memory_flat(_: &mut Criterion) {
    let mut buf = LogBuffer::new(50_000);
    let now = chrono::Utc::now();
    let recs: Vec<LogRecord> = (0..10_000)
        .map(|i| {
            let msg = SubscribeLogsResponse::decode(sample(i).1.as_slice()).unwrap();
            LogRecord { at: now, level: LogLevel::Info, text: String::from_utf8_lossy(&msg.message).into_owned() }
        })
        .collect();
    let before = rss_kib();
    for _ in 0..5 {
        buf.push("d", &recs);
    }
    let full = rss_kib();
    for _ in 0..20 {
        buf.push("d", &recs);
    }
    let after = rss_kib();
    eprintln!(
        "esphome_log_memory: RSS {before} KiB empty, {full} KiB at the 50,000-line cap, {after} KiB after 200,000 more lines ({} lines dropped)",
        buf.dropped
    );
}

criterion_group!(benches, memory_flat, bench_ingest, bench_frame);
criterion_main!(benches);
