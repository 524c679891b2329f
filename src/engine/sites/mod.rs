//! Sites: which home (a house, a cabin, a parent's flat) each resource is
//! at. Servers have had a `site` from the start; deployments, ESPHome
//! devices, WLED devices, FPP hosts, Home Assistant profiles and backup
//! sources carry one too. A resource that lives on something else inherits
//! its site unless it names its own: a deployment is at its server's site,
//! a profile at its deployment's, a backup source at its server's (or its
//! WLED/FPP device's). The inheritance is worked out when a list is read
//! (here, in one place), never copied into the stored records, so moving a
//! server to another site moves everything on it.
//!
//! `index.rs` resolves effective sites, `assign.rs` is `site_set`,
//! `count.rs` is `site_list`, `targets.rs` expands `site:NAME` in the bulk
//! commands of other domains.

pub(crate) mod assign;
pub(crate) mod count;
pub mod facade;
pub(crate) mod index;
pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub(crate) mod targets;

use crate::engine::error::{EngineError, EngineResult};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use index::SiteIndex;
pub use outcome::SiteCount;

/// Sites keep no runtime state: every answer is worked out from the stored
/// records when it is asked for.
pub(crate) type State = ();

/// The kinds of resource that have a site, as `site set KIND …` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Server,
    Deployment,
    Esphome,
    Wled,
    Fpp,
    #[serde(alias = "ha_profile")]
    Ha,
    #[serde(alias = "source", alias = "backup")]
    BackupSource,
}

impl SiteKind {
    pub const ALL: [SiteKind; 7] = [
        SiteKind::Server,
        SiteKind::Deployment,
        SiteKind::Esphome,
        SiteKind::Wled,
        SiteKind::Fpp,
        SiteKind::Ha,
        SiteKind::BackupSource,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Server => "server",
            SiteKind::Deployment => "deployment",
            SiteKind::Esphome => "esphome",
            SiteKind::Wled => "wled",
            SiteKind::Fpp => "fpp",
            SiteKind::Ha => "ha",
            SiteKind::BackupSource => "backup_source",
        }
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteKind {
    type Err = EngineError;
    fn from_str(s: &str) -> EngineResult<SiteKind> {
        match s {
            "ha_profile" => return Ok(SiteKind::Ha),
            "source" | "backup" => return Ok(SiteKind::BackupSource),
            _ => {}
        }
        SiteKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            EngineError::invalid("kind", s, "server, deployment, esphome, wled, fpp, ha or backup_source")
        })
    }
}

/// A site as typed: trimmed; empty or `-` means "none" (inherit again).
/// The same alphabet as server sites, so `site:NAME` needs no quoting.
pub fn parse_site(raw: Option<String>) -> EngineResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let s = raw.trim();
    if s.is_empty() || s == "-" {
        return Ok(None);
    }
    crate::engine::servers::validate::name("site", s)?;
    Ok(Some(s.to_string()))
}

/// A resource's own site if it has one, else its parent's.
pub fn inherit(own: Option<&str>, parent: Option<&str>) -> Option<String> {
    own.or(parent).map(str::to_string)
}

/// Whether `site` (an effective site) is the one a `site:NAME` target or a
/// filter asks for. Sites are compared without regard to case, as a person
/// types them.
pub fn same(site: Option<&str>, wanted: &str) -> bool {
    site.is_some_and(|s| s.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_site_wins_else_the_parents() {
        assert_eq!(inherit(Some("cabin"), Some("house")).as_deref(), Some("cabin"));
        assert_eq!(inherit(None, Some("house")).as_deref(), Some("house"));
        assert_eq!(inherit(None, None), None);
        assert_eq!(inherit(Some("flat"), None).as_deref(), Some("flat"));
    }

    #[test]
    fn sites_parse_and_clear() {
        assert_eq!(parse_site(Some(" cabin ".into())).unwrap().as_deref(), Some("cabin"));
        assert_eq!(parse_site(Some("-".into())).unwrap(), None);
        assert_eq!(parse_site(Some(String::new())).unwrap(), None);
        assert_eq!(parse_site(None).unwrap(), None);
        let e = parse_site(Some("my cabin".into())).unwrap_err().to_string();
        assert!(e.contains("my cabin") && e.contains("letters"), "{e}");
    }

    #[test]
    fn kinds_read_as_typed() {
        for k in SiteKind::ALL {
            assert_eq!(k.as_str().parse::<SiteKind>().unwrap(), k);
        }
        assert_eq!("ha_profile".parse::<SiteKind>().unwrap(), SiteKind::Ha);
        assert!("light".parse::<SiteKind>().unwrap_err().to_string().contains("light"));
    }

    #[test]
    fn matching_ignores_case() {
        assert!(same(Some("Cabin"), "cabin"));
        assert!(!same(None, "cabin"));
        assert!(!same(Some("house"), "cabin"));
    }
}
