//! Connections to running Home Assistant instances.
//!
//! This domain's façade, `engine::views::ha`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::ha::profile::{Profile, validate_name};
pub use crate::engine::ha::views::*;
