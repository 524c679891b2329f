//! The engine's façade for front ends: besides `Command`, `Outcome`,
//! `Event`, `EngineHandle` and the command table (re-exported at
//! `crate::engine`), this is everything the console, the CLI and the daemon
//! may name. Each domain's own `facade.rs` is re-exported here as
//! `views::<domain>` (generated from the domain list in `domains.rs`), so
//! the engine's internals (stores, protocols, clients) can move without
//! touching a front end. `tests/architecture.rs` holds front ends to it.

domain_list!(domain_facades);

/// Counts and sizes as people read them (`1 entry`, `196.9 KiB`).
pub mod text {
    pub use crate::engine::text::{plural, size};
}

/// The verbs as tools (schemas, hints, toolsets) for MCP and the AI pane.
pub mod tools {
    pub use crate::engine::tools::*;
}
