//! Lights: WLED and FPP rows, live state, and the argument types of their verbs.
//!
//! This domain's façade, `engine::views::lights`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::lights::args::{Flag, StopMode};
pub use crate::engine::lights::fpp::model::FppStatus;
pub use crate::engine::lights::inventory::{FppHost, Group};
pub use crate::engine::lights::views::*;
pub use crate::engine::lights::wled::control::{PICKER, Power};
pub use crate::engine::lights::wled::model::{choosable, list_name, parse_hex};
