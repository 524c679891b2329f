#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Servers pane: snapshots of the list with sparklines, the detail
//! chart and a run's output panes; a key sequence that adds, runs on and
//! removes servers through the real engine.

mod tui_common;

use homedeck::engine::{ServersEvent, ServersOutcome};
use chrono::{Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use homedeck::engine::internals::servers::health::types::{Disk, HealthReport, HealthState, Point, Sample};
use homedeck::engine::internals::servers::ssh::{ExecStatus, Stream};
use homedeck::engine::internals::servers::views::{ExecResult, ServerDetail};
use homedeck::engine::{Command, Event, Outcome};
use homedeck::tui::panes::PaneId;
use tui_common::Harness;

fn sample(cpu: f32, mem_used: u64, disk: f32, load: f32) -> Sample {
    Sample {
        time: Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
        cpu_pct: Some(cpu),
        mem_total_kb: 8_000_000,
        mem_used_kb: mem_used,
        swap_total_kb: 1_000_000,
        swap_used_kb: 0,
        load: [load, load, load],
        uptime_secs: 3 * 86_400 + 7200,
        procs: 180,
        cores: 4,
        disks: vec![Disk { fs: "/dev/sda1".into(), mount: "/".into(), size_kb: 100, used_kb: disk as u64, pct: disk }],
    }
}

async fn populated() -> Harness {
    let mut h = Harness::new().await;
    for (name, host, tags, site) in [("nas", "192.168.1.5", "storage", "home"), ("pi-garage", "pi.lan", "pi,iot", "home"), ("cabin", "cabin.example.net", "", "cabin")] {
        h.exec(Command::ServerAdd {
            name: name.into(), host: host.into(), port: None, user: Some("admin".into()), auth: None, secret: None, key: None,
            key_passphrase: None, password: None, tags: Some(tags.into()), site: Some(site.into()),
        })
        .await;
    }
    h.settle().await;
    let Outcome::Servers(ServersOutcome::Servers { mut servers }) = h.exec(Command::ServerList {}).await else { panic!() };
    let t = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    for (i, v) in servers.iter_mut().enumerate() {
        let (state, reasons, s) = match v.server.name.as_str() {
            "local" => (HealthState::Up, vec![], Some(sample(12.0, 2_000_000, 40.0, 0.4))),
            "nas" => (HealthState::Degraded, vec!["disk / at 95 % (limit 90 %)".to_string()], Some(sample(35.0, 6_000_000, 95.0, 1.2))),
            "pi-garage" => (HealthState::Up, vec![], Some(sample(71.0, 3_000_000, 20.0, 2.5))),
            _ => (HealthState::Down, vec!["cannot reach server cabin at cabin.example.net:22: connection refused".to_string()], None),
        };
        v.cpu_hour = (0..60).map(|m| if v.server.name == "cabin" { None } else { Some(((m * 7 + i * 13) % 100) as f32) }).collect();
        v.health = Some(HealthReport { server: v.server.name.clone(), time: t, state, reasons, sample: s, probe_ms: 40 });
    }
    h.driver.app.panes.servers.set_rows(servers);
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_pane_snapshots() {
    let mut h = populated().await;
    assert_eq!(h.driver.app.pane, PaneId::Servers);
    // On `cabin`, which is down: the reason shows under the table.
    h.key(KeyCode::Char('j')).await;
    insta::assert_snapshot!("servers_list", h.screen80());

    // Detail with a chart of CPU and memory over two hours.
    let mut view = h.driver.app.panes.servers.rows.iter().find(|r| r.server.name == "nas").unwrap().clone();
    view.server.host_key = None;
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let history = (0..120)
        .map(|m| Point {
            time: start + Duration::minutes(m),
            cpu: Some(((m as f32) * 0.1).sin().abs() * 80.0),
            mem: 50.0 + (m as f32) / 10.0,
            swap: 0.0,
            load1: 1.0,
            disk: 95.0,
        })
        .collect();
    h.driver.app.panes.servers.detail = Some(ServerDetail { view, history });
    h.driver.app.panes.servers.mode = homedeck::tui::panes::servers::Mode::Detail;
    insta::assert_snapshot!("server_detail", h.screen(80, 24));
    h.key(KeyCode::Esc).await;

    // A run's output, one pane per server.
    let app = &mut h.driver.app;
    app.on_engine_event(Event::Servers(ServersEvent::ExecStarted { run: 7, servers: vec!["nas".into(), "pi-garage".into()], command: "df -h /".into() }));
    for s in ["nas", "pi-garage"] {
        app.on_engine_event(Event::Servers(ServersEvent::ExecOutput {
            run: 7,
            server: s.into(),
            stream: Stream::Stdout,
            text: "Filesystem  Size  Used Avail Use% Mounted on\n/dev/sda1    30G   12G   17G  42% /\n".into(),
        }));
    }
    app.on_engine_event(Event::Servers(ServersEvent::ExecFinished {
        run: 7,
        result: ExecResult { server: "nas".into(), status: ExecStatus { exit_code: Some(0), ..Default::default() }, duration_ms: 41, error: None, output_tail: String::new() },
    }));
    insta::assert_snapshot!("server_output", h.screen80());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_run_and_remove_by_keys() {
    let mut h = Harness::new().await;
    h.settle().await;
    assert!(h.screen80().contains("Welcome to homedeck"), "{}", h.screen80());
    // Add a server through the form; a bad port is refused first.
    h.key(KeyCode::Char('a')).await;
    h.typ("backup-box").await;
    h.enter().await;
    h.typ("10.0.0.9:99999").await;
    h.enter().await;
    h.typ("ops").await;
    for _ in 0..4 {
        h.enter().await;
    }
    h.typ("rack @home").await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("invalid port") && screen.contains("99999"), "{screen}");
    // The form is still open with everything typed, focus on the address
    // (the field at fault) with its text selected: typing replaces it.
    let Some(homedeck::tui::app::Overlay::Form(form)) = &h.driver.app.overlay else { panic!("form closed:\n{screen}") };
    assert_eq!((form.focus, form.value(2).as_str(), form.value(6).as_str()), (1, "ops", "rack @home"));
    h.typ("10.0.0.9:2222").await;
    for _ in 0..6 {
        h.enter().await;
    }
    let screen = h.screen80();
    assert!(screen.contains("backup-box") && screen.contains(" home ") && screen.contains("rack"), "{screen}");
    let Outcome::Servers(ServersOutcome::Server { detail }) = h.exec(Command::ServerShow { name: "backup-box".into() }).await else { panic!() };
    assert_eq!((detail.view.server.port, detail.view.server.user.as_str()), (2222, "ops"));

    // Run a command on `local` (first row) and watch its output pane.
    // The form opens on the command (the targets come from the selection).
    h.key(KeyCode::Char('g')).await;
    h.key(KeyCode::Char('x')).await;
    h.typ("echo hello from the console").await;
    h.enter().await;
    h.enter().await;
    let screen = h.screen80();
    assert!(screen.contains("hello from the console") && screen.contains("exit 0"), "{screen}");
    // `x` in the output view runs again: the same command, pre-filled.
    h.key(KeyCode::Char('x')).await;
    let screen = h.screen80();
    assert!(screen.contains("Run a command") && screen.contains("▌ echo hello from the console"), "{screen}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;

    // Remove the new server (asks first).
    h.key(KeyCode::Char('G')).await;
    h.key(KeyCode::Char('D')).await;
    assert!(h.screen80().contains("Remove backup-box"));
    h.key(KeyCode::Char('y')).await;
    assert!(h.driver.app.panes.servers.rows.iter().all(|r| r.server.name != "backup-box"));
    assert!(h.screen80().contains("server backup-box removed"), "{}", h.screen80());
}
