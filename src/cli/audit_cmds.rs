//! `homedeck audit …`

use crate::engine::views::text::plural;
use super::args::{AuditCmd, AuditSearchArgs};
use super::{Session, confirm};
use crate::engine::views::audit::{Category, Severity, Status};
use crate::engine::{Command, Outcome};
use anyhow::{Result, anyhow};

fn opt<T: std::str::FromStr<Err = String>>(v: Option<String>) -> Result<Option<T>> {
    v.map(|s| s.parse::<T>().map_err(|e| anyhow!(e))).transpose()
}

pub async fn run(s: &Session, cmd: AuditCmd) -> Result<()> {
    let outcome = match cmd {
        AuditCmd::Search(a) => search(s, *a).await?,
        AuditCmd::Cleanup { older_than, yes } => {
            let days = older_than.unwrap_or(s.engine.audit_retention_days());
            if !yes && !confirm(&format!("Delete audit entries older than {}?", plural(days as usize, "day", "days"))) {
                return Err(anyhow!("nothing deleted"));
            }
            s.exec(Command::AuditCleanup { older_than_days: Some(days) }).await?
        }
    };
    s.print(&outcome)
}

async fn search(s: &Session, a: AuditSearchArgs) -> Result<Outcome> {
    let cmd = Command::AuditSearch {
        category: opt::<Category>(a.category)?,
        min_severity: opt::<Severity>(a.severity)?,
        status: opt::<Status>(a.status)?,
        actor: a.actor,
        resource: a.resource,
        since: a.since,
        until: a.until,
        text: a.text,
        limit: Some(a.limit),
        before: a.before,
    };
    s.exec(cmd).await
}
