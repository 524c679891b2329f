//! Notifications: routes, notices, deliveries and the route kinds.
//!
//! This domain's façade, `engine::views::notify`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::notify::config::{NotifyOptions, RouteConfig, RouteKind, TlsMode};
pub use crate::engine::notify::model::{Delivery, Notice};
pub use crate::engine::notify::outcome::RouteView;
pub use crate::engine::notify::payload::SCHEMA;
