//! Servers: inventory rows, health, run results.
//!
//! This domain's façade, `engine::views::servers`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::servers::ServerOptions;
pub use crate::engine::servers::health::Thresholds;
/// Words typed on a command line, quoted back into one remote line.
pub use crate::engine::servers::quote::join as join_words;
pub use crate::engine::servers::health::types::{HealthReport, HealthState, Point};
pub use crate::engine::servers::model::{AuthMethod, LOCAL, Server};
pub use crate::engine::servers::ssh::Stream;
pub use crate::engine::servers::views::*;
/// `host:port` → host and port, for the console's form and the CLI's --host.
pub use crate::engine::servers::validate::split_address;
