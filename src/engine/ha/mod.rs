//! Home Assistant instances as clients see them — for instances homedeck
//! deployed and for any other: connection profiles (URL + a vault secret
//! holding a long-lived token), the REST API (`rest`), the WebSocket API
//! (`ws`: auth, get_states, subscribe_events, call_service, long-lived
//! tokens), and the `ha_*` verbs (`handlers`).

pub mod outcome;
pub(crate) mod route;
pub(crate) mod handlers;
pub mod profile;
pub mod rest;
pub mod views;
pub mod ws;

pub use profile::TREES;
