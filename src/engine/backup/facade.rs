//! Backups: the overview, catalog entries, restore previews, running jobs.
//!
//! This domain's façade, `engine::views::backup`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::backup::archive::KeyRef;
pub use crate::engine::backup::jobs::JobView;
pub use crate::engine::backup::model::{CatalogEntry, Repo};
pub use crate::engine::backup::restore::preview::Preview;
pub use crate::engine::backup::views::*;
