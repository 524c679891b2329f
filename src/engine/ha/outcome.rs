//! What Home Assistant connection profiles answer ([`HaOutcome`]) and broadcast ([`HaEvent`]).
//! The engine wraps them in `Outcome::Ha` / `Event::Ha`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::ha::views as hv;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HaOutcome {
    HaProfiles { profiles: Vec<crate::engine::ha::profile::Profile> },
    HaTested { report: hv::HaTestReport },
    HaStates { profile: String, states: Vec<hv::EntityState> },
    /// One entity's states over a window, oldest first (`truncated`: only the newest kept).
    HaHistory { profile: String, entity: String, since: String, until: String, states: Vec<hv::EntityState>, truncated: bool },
    HaCalled { profile: String, service: String, changed: Vec<hv::EntityState> },
}

impl HaOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::HaProfiles { profiles } => format!("{} Home Assistant profile(s)", profiles.len()),
            Self::HaTested { report } => format!(
                "{}: Home Assistant {} \"{}\", {} entities, {} ms",
                report.profile, report.version, report.location_name, report.entity_count, report.latency_ms
            ),
            Self::HaStates { profile, states } => format!("{profile}: {}", plural(states.len(), "entity", "entities")),
            Self::HaHistory { profile, entity, states, truncated, .. } => {
                format!("{profile}: {entity}, {}{}", plural(states.len(), "state", "states"), if *truncated { " (newest only)" } else { "" })
            }
            Self::HaCalled { profile, service, changed } => format!("{profile}: called {service}; {} changed", plural(changed.len(), "state", "states")),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HaEvent {
    HaProfilesChanged,
    /// An entity changed state on a watched Home Assistant.
    HaState { profile: String, state: crate::engine::ha::views::EntityState },
    /// A live entity view ended.
    HaWatchEnded { profile: String, reason: String },
}
