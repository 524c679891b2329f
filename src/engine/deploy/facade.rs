//! Home Assistant deployments.
//!
//! This domain's façade, `engine::views::deploy`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::deploy::DeployOptions;
pub use crate::engine::deploy::model::DeployStatus;
pub use crate::engine::deploy::ports::parse_range;
pub use crate::engine::deploy::views::*;
pub use crate::engine::deploy::yaml::ConfigProblem;
