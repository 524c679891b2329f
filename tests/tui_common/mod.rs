//! A real engine on a temp dir, the real [`Driver`], keys in, text out.
#![allow(dead_code)]

use chrono::{Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use homedeck::config::Config;
use homedeck::engine::{Actor, Command, EngineHandle, EngineOptions, Frontend, Outcome};
use homedeck::tui::clock::Clock;
use homedeck::tui::keymap::Keymap;
use homedeck::tui::theme::Theme;
use homedeck::tui::{App, Driver};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub struct Harness {
    pub driver: Driver,
    pub engine: EngineHandle,
    pub dir: tempfile::TempDir,
}

pub fn actor() -> Actor {
    Actor { user: "tester".into(), frontend: Frontend::Tui }
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with(|_| {}).await
    }

    /// `tweak` may change the engine options (e.g. read-only).
    pub async fn with(tweak: impl FnOnce(&mut EngineOptions)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_path_buf();
        Harness::open(dir, &data, tweak).await
    }

    /// The console on an existing data dir (another engine made its state).
    pub async fn at(data: &std::path::Path) -> Harness {
        Harness::open(tempfile::tempdir().unwrap(), data, |_| {}).await
    }

    async fn open(dir: tempfile::TempDir, data: &std::path::Path, tweak: impl FnOnce(&mut EngineOptions)) -> Harness {
        let mut opts = EngineOptions::new(data);
        tweak(&mut opts);
        let engine = EngineHandle::open(opts, &actor()).unwrap();
        let mut config = Config::default();
        config.vault.reveal_hide_secs = 5;
        let mut app = App::new(Theme::builtin("dark").unwrap(), Keymap::default(), &config, engine.readonly());
        // Ten days (and an hour, so rounding never flips) after the data
        // was made: every age reads "10d" and a 7-day rotation is overdue.
        app.clock = Clock::frozen(Utc::now() + Duration::days(10) + Duration::hours(1));
        let driver = Driver::new(engine.clone(), actor(), app);
        let mut h = Harness { driver, engine, dir };
        h.driver.start();
        h.settle().await;
        h
    }

    pub async fn exec(&self, c: Command) -> Outcome {
        self.engine.execute(c, actor()).await.unwrap()
    }

    pub async fn settle(&mut self) {
        tokio::time::timeout(std::time::Duration::from_secs(30), self.driver.settle())
            .await
            .expect("engine work did not settle");
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.driver.key(KeyEvent::new(code, KeyModifiers::NONE));
        self.settle().await;
    }

    /// Type each character as its own key press.
    pub async fn typ(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    pub async fn enter(&mut self) {
        self.key(KeyCode::Enter).await;
    }

    pub fn screen(&mut self, w: u16, h: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        self.driver.draw(&mut term).unwrap();
        let buf = term.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        redact(&out)
    }

    pub fn screen80(&mut self) -> String {
        self.screen(80, 24)
    }
}

/// The idle-lock countdown depends on wall time between two engine calls;
/// everything else on screen is frozen by the clock.
fn redact(s: &str) -> String {
    let mut out = s.to_string();
    for prefix in ["locks in ", "unlocked "] {
        let mut from = 0;
        while let Some(i) = out[from..].find(prefix) {
            let start = from + i + prefix.len();
            // `14:59` or `42s`: digits and at most one colon.
            let len = out[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ':').count();
            if len > 0 {
                out.replace_range(start..start + len, &"N".repeat(len));
            }
            from = start;
        }
    }
    out
}

/// A server that never answers (port 2): enough for lists, filters and
/// columns without an SSH peer.
pub fn server(name: &str, site: Option<&str>) -> Command {
    Command::ServerAdd {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(2),
        user: Some("ops".into()),
        auth: None,
        secret: None,
        key: None,
        key_passphrase: None,
        password: None,
        tags: None,
        site: site.map(String::from),
    }
}
