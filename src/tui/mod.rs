//! The full-screen console. One loop task owns all view state ([`App`]);
//! engine work is spawned and its answer comes back as a message, so the
//! loop never waits on the engine (helix/gitui style). Everything here goes
//! through `Command` → `EngineHandle::execute`; nothing reaches the store.
//!
//! - `event_loop`: the `select!` over terminal input, engine events and job
//!   answers; [`Driver`] is also what tests press keys into.
//! - `app` (+ `outcomes`, `submit`): the state machine and key routing.
//! - `panes/`: one file per pane behind the `Pane` trait (`panes/pane.rs`); `form`, `confirm`, `palette`, `help`,
//!   `status_bar`, `messages` (the `m` log): overlays and chrome; `input`: plain and masked inputs.
//! - `theme`, `keymap`: colours and bindings as data, merged over defaults.

pub mod app;
pub mod clock;
pub mod confirm;
pub mod event_loop;
pub mod form;
pub mod help;
pub mod input;
pub mod keymap;
pub mod messages;
mod outcomes;
pub mod palette;
pub mod panes;
pub mod status_bar;
mod render;
pub mod site_filter;
mod submit;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use app::App;
pub use event_loop::Driver;

use crate::config::Config;
use crate::engine::{Actor, Frontend};
use crate::handle::Handle;
use crate::paths::Paths;
use anyhow::{Context, Result};

/// Run the console until the operator quits.
pub async fn run(engine: Handle, config: &Config, paths: &Paths) -> Result<()> {
    // Load everything that can fail before touching the terminal, so errors
    // print normally.
    let theme = theme::Theme::load(&config.general.theme, &paths.themes_dir())
        .with_context(|| format!("theme {:?} (general.theme in config.toml)", config.general.theme))?;
    let keymap = keymap::Keymap::load(&paths.keymap_file())?;
    let readonly = engine.readonly();
    let mut app = App::new(theme, keymap, config, readonly);
    // The console opens on the Overview (pane 0); `App::new` starts on
    // Servers, where the key-sequence tests begin.
    app.pane = panes::PaneId::Overview;
    let driver = Driver::new(engine, Actor::current(Frontend::Tui), app);
    tracing::debug!(since_start_ms = crate::logging::since_start().as_secs_f64() * 1000.0, "theme and keymap loaded");
    let (mut term, _guard) = terminal::enter()?;
    tracing::debug!(since_start_ms = crate::logging::since_start().as_secs_f64() * 1000.0, "terminal entered");
    driver.run(&mut term).await
}
