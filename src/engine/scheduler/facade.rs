//! The one scheduler: every job's state, next and last run.
//!
//! This domain's façade, `engine::views::scheduler`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::scheduler::jobs::{JobState, LastRun, RunResult};
pub use crate::engine::scheduler::status::JobView;
pub use crate::engine::scheduler::cron::parse_cron;
pub use crate::engine::scheduler::housekeeping::Housekeeping;
