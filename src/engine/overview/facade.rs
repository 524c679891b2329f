//! Overview: the shapes of the one-screen summary.
//!
//! This domain's façade, `engine::views::overview`: everything a front end
//! may name of it, so its insides can move without touching a front end.

pub use crate::engine::overview::outcome::{
    Attention, DeploymentCounts, DeviceCounts, Notable, Overview, RotationDue, ServerCounts, SourceStatus,
};
pub use crate::engine::overview::DEFAULT_WINDOW;
