//! homedeck: a keyboard-driven terminal console for a Home Assistant homelab.
//!
//! The crate is split along the one rule of the architecture — one engine,
//! many front ends:
//!
//! - [`engine`] holds every capability and all state (sled store, vault,
//!   audit log, security events). It knows nothing of terminals. Its only
//!   door is `EngineHandle::execute(Command, Actor) -> Outcome`, plus a
//!   broadcast stream of `Event`s.
//! - [`tui`] is the full-screen console (ratatui/crossterm). It never touches
//!   the store or the network; it turns keys into `Command`s.
//! - [`cli`] is the scriptable front end (clap): subcommands → `Command`s,
//!   human tables or `--json`.
//! - [`daemon`] shares one engine per data dir over a Unix socket: the
//!   process that opened the data dir serves it, every other homedeck on it
//!   attaches. [`handle::Handle`] is what front ends hold, in-process or attached.
//! - [`config`] and [`paths`] are shared by the front ends: where files live
//!   and what config.toml says. The engine takes plain options instead.

pub mod cli;
pub mod config;
pub mod config_alerts;
pub mod config_mcp;
pub mod config_ai;
pub mod daemon;
pub mod engine;
pub mod handle;
pub mod log_file;
pub mod logging;
pub mod mcp;
pub mod paths;
pub mod tui;
