//! `homedeck notify routes|test|send|queue|retry`: notification routes, a
//! test on one of them, a notification sent by hand, and the delivery queue
//! with its dead-letter list. A route that reads a secret (a Slack URL, an
//! SMTP password) needs the vault unlocked for `test`.

use super::Session;
use super::notify_args::NotifyCmd;
use crate::engine::views::notify::RouteKind;
use crate::engine::{Command, EngineError, NotifyOutcome, Outcome};
use anyhow::Result;

pub async fn run(s: &Session, cmd: NotifyCmd) -> Result<()> {
    let command = match cmd {
        NotifyCmd::Routes => Command::NotifyRoutes {},
        NotifyCmd::Test { route } => {
            // Unlock first only for a route that reads the vault: a plain webhook needs none.
            if let Outcome::Notify(NotifyOutcome::NotifyRoutes { routes, .. }) = s.exec(Command::NotifyRoutes {}).await?
                && routes.iter().any(|r| r.name == route && (!r.secrets.is_empty() || r.kind == RouteKind::Ha))
            {
                s.unlock().await?;
            }
            Command::NotifyTest { route }
        }
        NotifyCmd::Send { title, body, route, severity } => {
            let severity = severity.map(|v| v.parse_severity()).transpose()?;
            Command::NotifySend { route, title, body, severity }
        }
        NotifyCmd::Queue => Command::NotifyQueue {},
        NotifyCmd::Retry { id } => {
            let n = id.trim_start_matches('#').parse::<u64>().map_err(|_| EngineError::invalid("id", &id, "a delivery id such as 12 or #12 (from `homedeck notify queue`)"))?;
            Command::NotifyRetry { id: n }
        }
    };
    s.print(&s.exec(command).await?)
}

trait ParseSeverity {
    fn parse_severity(&self) -> Result<crate::engine::views::audit::Severity>;
}

impl ParseSeverity for String {
    fn parse_severity(&self) -> Result<crate::engine::views::audit::Severity> {
        serde_json::from_value(serde_json::Value::String(self.to_lowercase()))
            .map_err(|_| EngineError::invalid("severity", self, "info, low, medium, high or critical").into())
    }
}
