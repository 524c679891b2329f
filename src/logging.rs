//! Logs go to a file in the state dir, never to the terminal (the TUI owns
//! it). `HOMEDECK_LOG` sets the filter (default `info`). The file is
//! rotated by size (`log_file.rs`).

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Start file logging; keep the guard alive for the life of the process so
/// buffered lines are written on exit. Logging failing is not fatal.
pub fn init(state_dir: &Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(state_dir).ok()?;
    let appender = crate::log_file::RotatingFile::open(&state_dir.join("homedeck.log"), crate::log_file::MAX_BYTES, crate::log_file::KEEP).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("HOMEDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // The MCP SDK logs every message it receives, tool arguments included, at
    // debug and trace: a client may put a secret there (one we then refuse),
    // so the SDK never logs below info, whatever HOMEDECK_LOG asks for.
    let filter = match "rmcp=info".parse() {
        Ok(d) => filter.add_directive(d),
        Err(_) => filter,
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).try_init().ok()?;
    Some(guard)
}

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Note when the process started (first thing in `main`), so start-up can be
/// measured and logged ("first full frame after 23 ms").
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

pub fn since_start() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}
