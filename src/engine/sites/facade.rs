//! Sites: per-site counts, the kinds that have a site, and how a site is
//! matched.
//!
//! This domain's façade, `engine::views::sites`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::sites::{SiteCount, SiteKind, parse_site, same};
