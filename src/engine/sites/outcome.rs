//! What the sites domain answers ([`SitesOutcome`]) and broadcasts
//! ([`SitesEvent`]). The engine wraps them in `Outcome::Sites` / `Event::Sites`.

use super::SiteKind;
use serde::{Deserialize, Serialize};

/// How many resources of each kind are at one site (`site: None` counts
/// those at no site).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCount {
    pub site: Option<String>,
    pub servers: usize,
    pub deployments: usize,
    pub esphome: usize,
    pub wled: usize,
    pub fpp: usize,
    pub ha_profiles: usize,
    pub backup_sources: usize,
}

impl SiteCount {
    pub fn total(&self) -> usize {
        self.servers + self.deployments + self.esphome + self.wled + self.fpp + self.ha_profiles + self.backup_sources
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SitesOutcome {
    /// Every site in use, by name, then the resources at no site.
    SiteList { sites: Vec<SiteCount> },
    /// A resource's own site was set (`site: None`: it inherits again);
    /// `effective` is where it is now.
    SiteSet { kind: SiteKind, name: String, site: Option<String>, effective: Option<String> },
}

impl SitesOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::SiteList { sites } => {
                let named = sites.iter().filter(|s| s.site.is_some()).count();
                format!("{named} site(s)")
            }
            Self::SiteSet { kind, name, site, effective } => match (site, effective) {
                (Some(s), _) => format!("{kind} {name} is at site {s}"),
                (None, Some(e)) => format!("{kind} {name} has no site of its own; it inherits {e}"),
                (None, None) => format!("{kind} {name} is at no site"),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SitesEvent {
    /// A resource moved to another site (or to none).
    SiteChanged { kind: SiteKind, name: String },
}
