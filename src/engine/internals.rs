//! The engine's insides, for the project's own integration tests, benches
//! and fuzz targets only: they test archive formats, wire frames and stores
//! directly, which a front end must never touch. Front ends name the engine
//! through `crate::engine::{Command, Outcome, Event, …}` and
//! [`views`](super::views); `tests/architecture.rs` fails if the console,
//! the CLI or the daemon reach in here or past the façade.

pub mod digest {
    pub use crate::engine::digest::*;
}
pub mod security {
    pub use crate::engine::security::*;
}
pub mod store {
    pub use crate::engine::store::*;
}

// Every domain of the list in `domains.rs`, the same way.
domain_list!(domain_internals);
