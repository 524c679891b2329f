//! WLED: the JSON API model and client, control patches, presets and
//! playlists, live state and discovery.

pub mod client;
pub mod control;
pub mod discovery;
pub(crate) mod live;
pub mod model;
pub mod presets;

use super::views::{Link, LiveState};
use chrono::Utc;
use model::{StateInfo, WledState, list_name};

/// A device's own effect and palette names, indexed by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub effects: Vec<String>,
    pub palettes: Vec<String>,
}

/// The list summary of a state, with names from the device's catalog.
pub fn summarize(state: &WledState, catalog: Option<&Catalog>, link: Link) -> LiveState {
    let main = state.main_segment();
    let empty = Catalog::default();
    let cat = catalog.unwrap_or(&empty);
    LiveState {
        link,
        on: state.on,
        bri: state.bri,
        color: state.primary().hex(),
        effect: list_name(&cat.effects, main.and_then(|s| s.fx)),
        palette: list_name(&cat.palettes, main.and_then(|s| s.pal)),
        speed: main.and_then(|s| s.sx).unwrap_or(0),
        intensity: main.and_then(|s| s.ix).unwrap_or(0),
        preset: state.ps,
        playlist: state.pl,
        segments: state.seg.iter().filter(|s| s.active()).count(),
        updated: Utc::now(),
        error: None,
    }
}

/// The inventory facts a state+info answer tells (version, LEDs, MAC…).
pub fn refresh_device(d: &mut super::inventory::WledDevice, si: &StateInfo) {
    d.version = si.info.ver.clone();
    d.led_count = si.info.leds.count;
    d.kind = si.info.kind().to_string();
    if !si.info.mac.is_empty() {
        d.mac = si.info.mac.to_lowercase();
    }
    d.device_name = si.info.name.clone();
    d.online = true;
    d.last_seen = Some(Utc::now());
    d.last_error = None;
}
