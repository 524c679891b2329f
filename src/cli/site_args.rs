//! `homedeck site …`: the arguments of the sites subcommands (run by
//! `site_cmds.rs`, printed by `site_output.rs`).

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
