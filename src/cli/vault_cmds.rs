//! `homedeck vault …`

use crate::engine::VaultOutcome;
use super::args::VaultCmd;
use super::{Session, prompt};
use crate::engine::{Command, Outcome};
use anyhow::Result;

pub async fn run(s: &Session, cmd: VaultCmd) -> Result<()> {
    let outcome = match cmd {
        VaultCmd::Init => {
            if let Outcome::Vault(VaultOutcome::VaultStatus { status }) = s.exec(Command::VaultStatus {}).await?
                && status.initialized
            {
                return Err(crate::engine::EngineError::VaultAlreadyInitialized.into());
            }
            let passphrase = prompt::new_passphrase(prompt::PASSPHRASE_FILE_ENV, "New vault passphrase")?;
            let created = s.exec(Command::VaultInit { passphrase }).await?;
            if s.engine.is_attached() {
                // The host keeps it unlocked (until its idle lock), as it says.
                created
            } else {
                Outcome::done("vault created; locked again as this command exits (the CLI never keeps it open between commands) — commands that need it ask for the passphrase")
            }
        }
        VaultCmd::Status => s.exec(Command::VaultStatus {}).await?,
        VaultCmd::Unlock => {
            s.unlock().await?;
            Outcome::done("passphrase accepted (the CLI locks the vault again when it exits)")
        }
        VaultCmd::Lock => s.exec(Command::VaultLock {}).await?,
        VaultCmd::Passwd => {
            let current = prompt::passphrase()?;
            let new = prompt::new_passphrase(prompt::NEW_PASSPHRASE_FILE_ENV, "New vault passphrase")?;
            s.exec(Command::VaultChangePassphrase { current, new }).await?
        }
    };
    s.print(&outcome)
}
