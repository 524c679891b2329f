//! `homedeck secret …`

use super::args::SecretCmd;
use super::{Session, confirm, prompt};
use crate::engine::Command;
use crate::engine::views::vault::SecretKind;
use anyhow::{Result, anyhow};

pub async fn run(s: &Session, cmd: SecretCmd) -> Result<()> {
    let outcome = match cmd {
        SecretCmd::Add { name, kind, rotate_every, note } => {
            let kind: SecretKind = kind.parse().map_err(|e: String| anyhow!(e))?;
            crate::engine::views::vault::validate_name(&name)?;
            // Ask for the passphrase before the value, so a wrong one costs nothing.
            s.unlock().await?;
            let value = prompt::secret_value(&format!("Value for {name}"))?;
            s.exec(Command::SecretAdd { name, kind, value, rotation_days: rotate_every, note }).await?
        }
        SecretCmd::List => s.exec(Command::SecretList {}).await?,
        SecretCmd::Show { name } => s.exec(Command::SecretShow { name }).await?,
        SecretCmd::Reveal { name } => {
            s.unlock().await?;
            s.exec(Command::SecretReveal { name }).await?
        }
        SecretCmd::Rotate { name } => {
            s.unlock().await?;
            let value = prompt::secret_value(&format!("New value for {name}"))?;
            s.exec(Command::SecretRotate { name, value }).await?
        }
        SecretCmd::Rotation { name, days } => {
            s.unlock().await?;
            s.exec(Command::SecretSetRotation { name, days }).await?
        }
        SecretCmd::Due => s.exec(Command::SecretRotationDue {}).await?,
        SecretCmd::Revoke { name, reason, yes } => {
            if !yes && !confirm(&format!("Revoke {name:?} for good? Its value will be destroyed")) {
                return Err(anyhow!("not revoked"));
            }
            s.unlock().await?;
            s.exec(Command::SecretRevoke { name, reason }).await?
        }
    };
    s.print(&outcome)
}
