//! Overview: the one screen that answers "is everything all right, and
//! what happened while I was away?" — servers, devices, deployments,
//! backups, due rotations, open security events and the notable audit
//! entries since the person last looked.
//!
//! It owns no state of its own except each user's "last looked" mark
//! (`overview_seen`), kept so an operator who attaches once a day sees what
//! happened since yesterday's look, not since the process started.
//! `gather.rs` builds the answer from the other domains' stored records.

pub mod facade;
pub(crate) mod gather;
pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;

use crate::engine::error::EngineResult;
use crate::engine::store::Store;
use crate::engine::store::codec::Record;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use outcome::{Overview, OverviewEvent, OverviewOutcome};

pub(crate) type State = ();

pub const TREES: [&str; 1] = [SEEN];
/// user → the time they last marked the overview seen.
pub const SEEN: &str = "overview_seen";

/// With no mark yet, notable events are those of the last day.
pub const DEFAULT_WINDOW: Duration = Duration::hours(24);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeenMark {
    pub time: DateTime<Utc>,
}

impl Record for SeenMark {
    const WHAT: &'static str = "overview mark";
}

/// When `user` last marked the overview seen.
pub fn seen(store: &Store, user: &str) -> EngineResult<Option<DateTime<Utc>>> {
    let tree = store.tree(SEEN)?;
    Ok(store.get::<SeenMark>(&tree, user.as_bytes())?.map(|m| m.time))
}

pub(crate) fn mark_seen(store: &Store, user: &str, time: DateTime<Utc>) -> EngineResult<Option<DateTime<Utc>>> {
    let before = seen(store, user)?;
    let tree = store.tree(SEEN)?;
    store.put(&tree, user.as_bytes(), &SeenMark { time })?;
    Ok(before)
}
