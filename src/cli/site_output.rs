//! The human output of the sites verbs: a per-site table of counts, and one
//! line for a site set.

use super::table;
use crate::engine::SitesOutcome;

/// The human output of the sites verbs.
impl super::output::Human for SitesOutcome {
    fn human(&self) {
        print(self);
    }
}

fn print(o: &SitesOutcome) {
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
        SitesOutcome::SiteSet { .. } => println!("{}", o.summary()),
    }
}
