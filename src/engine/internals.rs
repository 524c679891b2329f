//! The engine's insides, for the project's own integration tests, benches
//! and fuzz targets only: they test archive formats, wire frames and stores
//! directly, which a front end must never touch. Front ends name the engine
//! through `crate::engine::{Command, Outcome, Event, …}` and
//! [`views`](super::views); `tests/architecture.rs` fails if the console,
//! the CLI or the daemon reach in here or past the façade.

pub mod audit {
    pub use crate::engine::audit::*;
}
pub mod backup {
    pub use crate::engine::backup::*;
}
pub mod deploy {
    pub use crate::engine::deploy::*;
}
pub mod digest {
    pub use crate::engine::digest::*;
}
pub mod esphome {
    pub use crate::engine::esphome::*;
}
pub mod ha {
    pub use crate::engine::ha::*;
}
pub mod lights {
    pub use crate::engine::lights::*;
}
pub mod scheduler {
    pub use crate::engine::scheduler::*;
}
pub mod security {
    pub use crate::engine::security::*;
}
pub mod servers {
    pub use crate::engine::servers::*;
}
pub mod store {
    pub use crate::engine::store::*;
}
pub mod vault {
    pub use crate::engine::vault::*;
}
