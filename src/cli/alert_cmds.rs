//! `homedeck alert list|show|ack|silence|unsilence|rules [--json]`: the
//! alerts the rules of config.toml opened, and what an operator does about
//! them.

use super::Session;
use super::alert_args::AlertCmd;
use crate::engine::Command;
use crate::engine::views::alerts::AlertFilter;
use anyhow::Result;

pub async fn run(s: &Session, cmd: AlertCmd) -> Result<()> {
    let command = match cmd {
        AlertCmd::List { filter, limit } => {
            let filter = filter.map(|f| f.parse::<AlertFilter>()).transpose()?;
            Command::AlertList { filter, limit }
        }
        AlertCmd::Show { id } => Command::AlertShow { id },
        AlertCmd::Ack { id, note } => Command::AlertAck { id, note },
        AlertCmd::Silence { rule, target, duration, note } => Command::AlertSilence { rule, target, duration, note },
        AlertCmd::Unsilence { id } => Command::AlertUnsilence { id },
        AlertCmd::Rules => Command::AlertRules {},
    };
    s.print(&s.exec(command).await?)
}
