//! The scriptable front end: clap subcommands → engine `Command`s, printed as
//! tables for people or JSON (`--json`) for scripts. Exit code 0 on success,
//! 1 when the engine refused or failed, 2 for bad usage (clap's own).

pub mod args;
mod audit_cmds;
pub mod daemon_cmds;
pub mod esphome_args;
mod esphome_cmds;
mod esphome_output;
mod interrupt;
pub mod events_cmds;
pub mod generic;
mod help_text;
mod output;
pub mod pipe;
pub mod prompt;
pub mod schedule_cmds;
mod secret_cmds;
pub mod server_args;
mod server_cmds;
mod server_output;
pub mod table;
mod vault_cmds;
pub mod lights_args;
mod lights_cmds;
mod lights_output;
pub mod backup_args;
mod backup_cmds;
mod backup_output;
pub mod deploy_args;
mod deploy_cmds;
pub mod deploy_output;

use crate::engine::VaultOutcome;
use crate::engine::{Actor, Command, EngineError, Frontend, Outcome};
use crate::handle::Handle;
use anyhow::Result;
use args::Sub;

/// What every subcommand handler needs.
pub struct Session {
    /// The engine in this process, or the homedeck hosting it.
    pub engine: Handle,
    pub actor: Actor,
    pub json: bool,
}

impl Session {
    pub fn new(engine: impl Into<Handle>, json: bool) -> Self {
        Session { engine: engine.into(), actor: Actor::current(Frontend::Cli), json }
    }

    /// Run a command. When the engine asks for confirmation, ask the person
    /// (its reason is the question; without a terminal the answer is no) and
    /// run the confirmed command.
    pub async fn exec(&self, command: Command) -> Result<Outcome> {
        let retry = command.confirmed();
        match self.execute(command).await {
            Err(EngineError::ConfirmationRequired { what, reason }) if retry.is_some() => {
                if !confirm(&format!("{what}: {reason}. Go ahead?")) {
                    return Err(anyhow::anyhow!("not run: {what} was not confirmed"));
                }
                let confirmed = retry.ok_or_else(|| anyhow::anyhow!("{what} cannot be confirmed"))?;
                Ok(self.execute(confirmed).await?)
            }
            other => Ok(other?),
        }
    }

    /// Run one command, keeping the engine's error type. Attached, Ctrl-C
    /// during a long job cancels that job in the host (see `interrupt`).
    pub async fn execute(&self, command: Command) -> crate::engine::EngineResult<Outcome> {
        interrupt::execute(self, command).await
    }

    /// Unlock the vault for this command. In-process the CLI never keeps it
    /// unlocked between invocations; attached, the unlock belongs to the host
    /// (every attached front end sees it, until the idle lock). Fails early with the engine's own message when
    /// the vault does not exist yet.
    pub async fn unlock(&self) -> Result<()> {
        if let Outcome::Vault(VaultOutcome::VaultStatus { status }) = self.exec(Command::VaultStatus {}).await? {
            if !status.initialized {
                return Err(crate::engine::EngineError::VaultNotInitialized.into());
            }
            if status.unlocked {
                return Ok(());
            }
        }
        let passphrase = prompt::passphrase()?;
        self.exec(Command::VaultUnlock { passphrase }).await?;
        Ok(())
    }

    /// Print an outcome as JSON, or hand it to the human printer.
    pub fn print(&self, outcome: &Outcome) -> Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(outcome)?);
        } else {
            output::human(outcome);
        }
        Ok(())
    }
}

/// Run one subcommand against an open engine.
pub async fn run(session: &Session, sub: Sub) -> Result<()> {
    match sub {
        Sub::Vault(cmd) => vault_cmds::run(session, cmd).await,
        Sub::Secret(cmd) => secret_cmds::run(session, cmd).await,
        Sub::Audit(cmd) => audit_cmds::run(session, cmd).await,
        Sub::Events(a) => events_cmds::run(session, a).await,
        Sub::Run(a) => generic::run(session, a).await,
        Sub::Schedule(cmd) => schedule_cmds::run(session, cmd).await,
        Sub::Server(cmd) => server_cmds::run(session, cmd).await,
        Sub::Tailscale(cmd) => server_cmds::tailscale(session, cmd).await,

        Sub::Esphome(cmd) => esphome_cmds::run(session, cmd).await,

        Sub::Wled(cmd) => lights_cmds::wled(session, cmd).await,
        Sub::Fpp(cmd) => lights_cmds::fpp(session, cmd).await,

        Sub::Backup(cmd) => backup_cmds::run(session, cmd).await,

        Sub::Deploy(cmd) => deploy_cmds::deploy(session, cmd).await,
        Sub::Ha(cmd) => deploy_cmds::ha(session, cmd).await,

        Sub::Commands | Sub::Completions { .. } | Sub::Daemon(_) => Ok(()),
    }
}

/// Ask "are you sure" on the terminal; without a terminal the answer is no
/// (scripts pass --yes).
pub fn confirm(question: &str) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        eprintln!("{question} — refusing without a terminal to ask on; pass --yes to confirm");
        return false;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y" | "yes")
}
