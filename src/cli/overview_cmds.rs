//! `homedeck overview [--since T] [--site S] [--mark-seen] [--json]`: is everything
//! all right, and what happened since you last looked — the console's
//! Overview pane for a shell or a cron mail. `--mark-seen` moves your "last
//! looked" mark to now after printing, as opening the console does.

use super::Session;
use super::table::age;
use crate::engine::views::overview::{Attention, Overview};
use crate::engine::views::text::plural;
use crate::engine::{Command, OverviewOutcome};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct OverviewArgs {
    /// Notable events since this time (an age like 2h, 1d, a date or an RFC 3339 time) instead of your last look
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only the servers, devices, deployments and backup sources at this site (secrets, alerts and the audit stay whole)
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// Afterwards, remember now as your last look (the console does this when it opens)
    #[arg(long)]
    pub mark_seen: bool,
}

/// Which table row documents which subcommand.
pub const DOCS: &[(&str, &str)] = &[("overview", "overview")];

pub async fn run(s: &Session, args: OverviewArgs) -> Result<()> {
    s.print(&s.exec(Command::Overview { since: args.since, site: args.site }).await?)?;
    if args.mark_seen {
        let seen = s.exec(Command::OverviewSeen {}).await?;
        if !s.json {
            println!("{}", seen.summary());
        }
    }
    Ok(())
}

impl super::output::Human for OverviewOutcome {
    fn human(&self) {
        match self {
            OverviewOutcome::Overview { overview } => print(overview),
            OverviewOutcome::Seen { .. } => println!("{}", self.summary()),
        }
    }
}

fn attention(list: &[Attention]) {
    for a in list {
        if a.why.is_empty() {
            println!("    {} {}", a.name, a.state);
        } else {
            println!("    {} {}: {}", a.name, a.state, a.why);
        }
    }
}

/// An empty line of the overview: "none yet" and how to add one, or, under
/// `--site`, none at that site (there may be some elsewhere).
fn none(o: &Overview, line: &str, add: &str) {
    match &o.site {
        Some(site) => println!("{line} at site {site} — `homedeck site list` shows every site"),
        None => println!("{line} yet — {add}"),
    }
}

fn print(o: &Overview) {
    if let Some(site) = &o.site {
        println!("site         {site}: its servers, devices, deployments and backups only");
    }
    let s = &o.servers;
    let total = s.up + s.degraded + s.down + s.unknown;
    if total == 0 {
        none(o, "servers      none", "`homedeck server add NAME --host HOST`");
    } else {
        let polled = if s.up + s.degraded + s.down == 0 { " (the console and `homedeck daemon` poll health)" } else { "" };
        println!("servers      {} up, {} degraded, {} down, {} not polled{polled}", s.up, s.degraded, s.down, s.unknown);
        attention(&s.attention);
    }
    for d in &o.devices {
        if d.online + d.offline > 0 {
            println!("{:<12} {} online, {} offline", d.kind, d.online, d.offline);
            attention(&d.offline_names);
        }
    }
    if o.devices.iter().all(|d| d.online + d.offline == 0) {
        none(o, "devices      none", "`homedeck esphome discover`, `homedeck wled add ADDRESS`");
    }
    let d = &o.deployments;
    if d.total > 0 {
        println!("deployments  {} of {} running", d.running, d.total);
        attention(&d.attention);
    }
    if o.backups.is_empty() {
        none(o, "backups      no sources", "`homedeck backup source add NAME --kind …`");
    }
    for b in &o.backups {
        let last = b.last_backup.map_or_else(|| "never backed up".to_string(), |t| format!("last {}", age(t)));
        let next = b.next_run.map_or_else(|| "no schedule".to_string(), |t| format!("next {}", t.format("%Y-%m-%d %H:%M UTC")));
        println!("backup       {}: {last}, {next}", b.source);
        if b.verify_failed {
            println!("    its newest backup failed verification");
        }
        if let Some(f) = &b.last_run_failed {
            println!("    last scheduled run failed: {f}");
        }
    }
    if !o.rotations_due.is_empty() {
        println!("rotations    {} due", o.rotations_due.len());
        for r in &o.rotations_due {
            println!("    {} since {}", r.name, r.due.format("%Y-%m-%d"));
        }
    }
    if o.alerts_open > 0 {
        println!("alerts       {} open, {} unacknowledged — `homedeck alert list`", plural(o.alerts_open as usize, "alert", "alerts"), o.alerts_attention);
    }
    if o.security_open > 0 {
        println!("security     {} open — `homedeck events list`", plural(o.security_open as usize, "event", "events"));
    }
    let since = o.since.format("%Y-%m-%d %H:%M UTC");
    let more = if o.inspected_all { "" } else { " (at least)" };
    println!("since {since} ({}): {}{more}", o.since_from, plural(o.notable_total, "notable event", "notable events"));
    for n in &o.notable {
        println!("    {} {} {} {} {}", n.time.format("%m-%d %H:%M"), n.status, n.action, n.actor, n.text);
    }
    println!("{}", OverviewOutcome::Overview { overview: Box::new(o.clone()) }.summary());
}
