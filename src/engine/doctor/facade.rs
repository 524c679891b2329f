//! The doctor: its findings, and the data dir checks the binary runs at
//! start (`refuse_insecure`, `create_private_dir`).
//!
//! This domain's façade, `engine::views::doctor`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::doctor::DoctorOptions;
pub use crate::engine::doctor::outcome::{Area, Checked, Finding, Level};
pub use crate::engine::doctor::permissions::{create_private_dir, refuse_insecure, tighten};
