//! The one loop. `tokio::select!` over terminal input, engine events and the
//! answers of spawned engine jobs; redraw only when something changed, at
//! most ~60 times a second; no timer at all when idle (a timer runs only
//! while something on screen counts down, and wakes when its text changes).
//!
//! [`Driver`] owns the [`App`] plus the channels. The real loop and the
//! tests use the same `key`/`done`/`engine_event` methods, so key-sequence
//! tests exercise the real routing, spawning and outcome handling.

use crate::engine::{Actor, Event};
use crate::handle::{Events, Handle};
use crate::tui::app::{App, Done};
use anyhow::Result;
use crossterm::event::{Event as TermEvent, EventStream, KeyEvent, KeyEventKind};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::time::{Duration, Instant};
use crate::daemon::client::Link;
use tokio::sync::{broadcast, mpsc, watch};

/// The shortest time between two frames (~60 a second).
pub const FRAME: Duration = Duration::from_millis(16);
const STARTUP_GRACE: Duration = Duration::from_millis(150);

pub struct Driver {
    pub app: App,
    engine: Handle,
    actor: Actor,
    tx: mpsc::UnboundedSender<Done>,
    rx: mpsc::UnboundedReceiver<Done>,
    events: Option<Events>,
    /// The attachment's state (attached consoles only).
    link: Option<watch::Receiver<Link>>,
}

impl Driver {
    pub fn new(engine: impl Into<Handle>, actor: Actor, app: App) -> Driver {
        let engine = engine.into();
        let (tx, rx) = mpsc::unbounded_channel();
        let events = Some(engine.subscribe());
        let mut app = app;
        app.site = engine.site();
        let link = engine.link();
        if let Some(l) = &link {
            app.link = Some(l.borrow().clone());
        }
        Driver { app, engine, actor, tx, rx, events, link }
    }

    /// Load every pane's data.
    pub fn start(&mut self) {
        self.app.refresh_all();
        self.app.flush_refresh();
        self.spawn_jobs();
    }

    /// Spawn what the app asked for; each answer comes back on `rx`.
    fn spawn_jobs(&mut self) {
        for job in std::mem::take(&mut self.app.jobs) {
            self.app.inflight += 1;
            let engine = self.engine.clone();
            let actor = self.actor.clone();
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let name = job.command.name();
                let confirmed = job.command.confirmed();
                let asked = matches!(job.purpose, crate::tui::app::Purpose::Action | crate::tui::app::Purpose::Palette);
                let again = asked.then(|| job.command.clone());
                let result = engine.execute(job.command, actor).await;
                // Let go of the engine before answering, so that once every
                // answer is in, no job still holds the data dir open.
                drop(engine);
                // The loop may be gone (quitting); nothing to tell then.
                let _ = tx.send(Done { name, purpose: job.purpose, result, confirmed, again });
            });
        }
    }

    pub fn key(&mut self, key: KeyEvent) {
        self.app.on_key(key);
        self.spawn_jobs();
    }

    pub fn done(&mut self, done: Done) {
        self.app.on_done(done);
        self.spawn_jobs();
    }

    pub fn engine_event(&mut self, event: Event) {
        self.app.on_engine_event(event);
        self.spawn_jobs();
    }

    fn terminal_event(&mut self, ev: TermEvent) {
        match ev {
            TermEvent::Key(k) if k.kind != KeyEventKind::Release => self.key(k),
            TermEvent::Resize(..) => self.app.dirty = true,
            _ => {}
        }
    }

    /// Handle engine events already queued, without waiting.
    fn drain_engine_events(&mut self) {
        loop {
            let next = match self.events.as_mut() {
                Some(rx) => rx.try_recv(),
                None => return,
            };
            match next {
                Ok(ev) => self.engine_event(ev),
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    self.app.refresh_all();
                    self.app.flush_refresh();
                    self.spawn_jobs();
                }
                Err(_) => return,
            }
        }
    }

    fn received(&mut self, ev: Result<Event, broadcast::error::RecvError>) {
        match ev {
            Ok(ev) => self.engine_event(ev),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                self.app.refresh_all();
                self.app.flush_refresh();
                self.spawn_jobs();
            }
            Err(broadcast::error::RecvError::Closed) => self.events = None,
        }
    }

    /// Wait for the next engine event or job answer and handle it, as the
    /// loop does between frames. For scripted use that draws itself (the
    /// first-token benchmark); the loop never calls it.
    pub async fn pump(&mut self) {
        tokio::select! {
            ev = recv_event(&mut self.events) => self.received(ev),
            Some(done) = self.rx.recv() => self.done(done),
        }
    }

    /// Wait until every spawned job has answered and every event it caused
    /// has been handled. For tests and scripted use; the loop never calls it.
    pub async fn settle(&mut self) {
        loop {
            self.drain_engine_events();
            if self.app.inflight == 0 {
                return;
            }
            match self.rx.recv().await {
                Some(done) => self.done(done),
                None => return,
            }
        }
    }

    /// Draw one frame.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<()> {
        terminal.draw(|f| self.app.render(f))?;
        self.app.dirty = false;
        Ok(())
    }

    pub async fn run<B: Backend>(mut self, terminal: &mut Terminal<B>) -> Result<()> {
        let mut input = EventStream::new();
        self.start();
        let mut last_draw: Option<Instant> = None;
        let mut full_frame_logged = false;
        // Hold the first draw until the start-up loads answer (or this much
        // time passes): an empty first frame would push the full one back by
        // a whole frame interval.
        let first_draw_by = Instant::now() + STARTUP_GRACE;
        loop {
            self.app.expire();
            if self.app.quit {
                return Ok(());
            }
            let now = Instant::now();
            let starting = last_draw.is_none() && self.app.inflight > 0 && now < first_draw_by;
            let next_frame = if starting { first_draw_by } else { last_draw.map(|t| t + FRAME).unwrap_or(now) };
            if self.app.dirty && now >= next_frame {
                self.draw(terminal)?;
                last_draw = Some(now);
                // The first frame drawn once every start-up load has answered.
                if !full_frame_logged && self.app.inflight == 0 {
                    full_frame_logged = true;
                    let ms = crate::logging::since_start().as_secs_f64() * 1000.0;
                    tracing::info!(ms = format!("{ms:.1}"), "first full frame");
                }
            }
            // Sleep only for a pending frame or a visible countdown.
            let redraw_in = self.app.dirty.then(|| next_frame.saturating_duration_since(Instant::now()));
            let tick_in = self.app.next_tick();
            tokio::select! {
                ev = input.next() => match ev {
                    Some(Ok(ev)) => self.terminal_event(ev),
                    Some(Err(e)) => return Err(anyhow::anyhow!("reading the terminal failed: {e}")),
                    None => return Ok(()),
                },
                ev = recv_event(&mut self.events) => self.received(ev),
                Some(done) = self.rx.recv() => self.done(done),
                link = link_changed(&mut self.link) => match link {
                    Some(l) => self.app.on_link(l),
                    None => self.link = None,
                },
                _ = sleep_opt(redraw_in) => {}
                _ = sleep_opt(tick_in) => self.app.on_tick(),
            }
        }
    }
}

async fn recv_event(rx: &mut Option<Events>) -> Result<Event, broadcast::error::RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The next attachment state; `None` once the client is gone.
async fn link_changed(rx: &mut Option<watch::Receiver<Link>>) -> Option<Link> {
    match rx {
        Some(rx) => match rx.changed().await {
            Ok(()) => Some(rx.borrow_and_update().clone()),
            Err(_) => None,
        },
        None => std::future::pending().await,
    }
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}
