//! `homedeck site list [--json]` (how many of each kind of resource are at
//! each site) and `homedeck site set KIND NAME SITE` (put one resource at a
//! site; `-` makes it inherit its server's or deployment's again).

use super::Session;
use super::table;
use crate::engine::views::sites::SiteKind;
use crate::engine::{Command, SitesOutcome};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SiteCmd {
    /// Every site with its number of servers, deployments, devices, profiles and backup sources
    List,
    /// Put a resource at a site (SITE `-` clears it: it inherits its server's or deployment's again)
    Set {
        /// server, deployment, esphome, wled, fpp, ha or backup_source
        kind: String,
        /// The resource's name
        name: String,
        /// The site, e.g. cabin; `-` for none of its own
        site: String,
    },
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str, &str)] = &[("site", "list", "site_list"), ("site", "set", "site_set")];

pub async fn run(s: &Session, cmd: SiteCmd) -> Result<()> {
    let command = match cmd {
        SiteCmd::List => Command::SiteList {},
        SiteCmd::Set { kind, name, site } => Command::SiteSet { kind: kind.parse::<SiteKind>()?, name, site },
    };
    s.print(&s.exec(command).await?)
}

/// The human output of the sites verbs.
pub fn print(o: &SitesOutcome) {
    match o {
        SitesOutcome::SiteList { sites } => {
            if sites.iter().all(|c| c.site.is_none()) {
                println!("no sites yet — put a resource at one with `homedeck site set KIND NAME SITE` or `--site` when adding it");
            }
            let rows: Vec<Vec<String>> = sites
                .iter()
                .map(|c| {
                    let n = |x: usize| x.to_string();
                    vec![
                        c.site.clone().unwrap_or_else(|| "(no site)".into()),
                        n(c.servers),
                        n(c.deployments),
                        n(c.esphome),
                        n(c.wled),
                        n(c.fpp),
                        n(c.ha_profiles),
                        n(c.backup_sources),
                    ]
                })
                .collect();
            let head = ["SITE", "SERVERS", "DEPLOYMENTS", "ESPHOME", "WLED", "FPP", "HA", "BACKUP SOURCES"];
            print!("{}", table::render(&head, &rows));
        }
        other => println!("{}", other.summary()),
    }
}
