//! Falcon Player: status, playlists, schedule and MultiSync over FPP's
//! REST API. FPP has no authentication; every view of a host says so.

pub mod client;
pub mod model;
pub mod schedule;
