//! `homedeck site list [--json]` (how many of each kind of resource are at
//! each site) and `homedeck site set KIND NAME SITE` (put one resource at a
//! site; `-` makes it inherit its server's or deployment's again).

use super::Session;
use super::site_args::SiteCmd;
use crate::engine::Command;
use crate::engine::views::sites::SiteKind;
use anyhow::Result;

pub async fn run(s: &Session, cmd: SiteCmd) -> Result<()> {
    let command = match cmd {
        SiteCmd::List => Command::SiteList {},
        SiteCmd::Set { kind, name, site } => Command::SiteSet { kind: kind.parse::<SiteKind>()?, name, site },
    };
    s.print(&s.exec(command).await?)
}
