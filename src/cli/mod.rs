//! The scriptable front end: clap subcommands → engine `Command`s, printed as
//! tables for people or JSON (`--json`) for scripts. Exit code 0 on success,
//! 1 when the engine refused or failed, 2 for bad usage (clap's own).

pub mod args;
mod audit_cmds;
pub mod daemon_cmds;
pub mod doctor_cmds;
mod interrupt;
pub mod mcp_cmds;
mod mcp_status;
pub mod token_cmds;
pub mod events_cmds;
pub mod generic;
mod overview_cmds;
mod help_text;
mod output;
pub mod pipe;
pub mod prompt;
pub mod schedule_cmds;
mod secret_cmds;
pub mod table;
mod vault_cmds;

/// The domains with subcommands of their own. One entry per domain: its
/// three files (clap args, the handlers that turn them into `Command`s, the
/// printer implementing `output::Human`), then its top-level subcommands,
/// each with its help line, its args enum (in the args file) and its handler
/// (in the commands file). Generates the `mod` lines, `DomainSub` (flattened
/// into `homedeck`'s subcommands, after `schedule`, in this order) and the
/// arms of `run`.
macro_rules! domain_subcommands {
    ($(
        $args:ident, $cmds:ident, $output:ident:
        $( $(#[$doc:meta])* $sub:ident($ty:ident) => $handler:ident ),+ ;
    )*) => {
        $( pub mod $args; mod $cmds; pub mod $output; )*

        /// Every domain's subcommands (see `domain_subcommands!`).
        #[derive(Debug, clap::Subcommand)]
        pub enum DomainSub {
            $( $( $(#[$doc])* #[command(subcommand)] $sub($args::$ty), )+ )*
        }

        async fn run_domain(session: &Session, sub: DomainSub) -> Result<()> {
            match sub {
                $( $( DomainSub::$sub(cmd) => $cmds::$handler(session, cmd).await, )+ )*
            }
        }
    };
}

domain_subcommands! {
    server_args, server_cmds, server_output:
        /// Servers over SSH: inventory, host keys, health, commands, files
        Server(ServerCmd) => run,
        /// Tailscale status, here or on a server
        Tailscale(TailscaleCmd) => tailscale;
    esphome_args, esphome_cmds, esphome_output:
        /// ESPHome devices: discover, add, info, logs, firmware, OTA (one or bulk)
        Esphome(EsphomeCmd) => run;
    lights_args, lights_cmds, lights_output:
        /// WLED devices: state, control, presets, playlists, groups, schedules
        Wled(WledCmd) => wled,
        /// Falcon Player hosts: status, playlists, schedule, MultiSync
        Fpp(FppCmd) => fpp;
    backup_args, backup_cmds, backup_output:
        /// Backups: create, list, verify, restore with rollback, forget, schedules, snapshots, export/import
        Backup(BackupCmd) => run;
    deploy_args, deploy_cmds, deploy_output:
        /// Home Assistant deployments on servers: create, start/stop, upgrade, logs, config
        Deploy(DeployCmd) => deploy,
        /// Home Assistant connection profiles: test, states, live changes, service calls
        Ha(HaCmd) => ha;
    site_args, site_cmds, site_output:
        /// Sites (homes): per-site counts of every resource; put a resource at a site
        Site(SiteCmd) => run;
    alert_args, alert_cmds, alert_output:
        /// Alerts: what the rules of config.toml found; acknowledge, silence, list the rules
        Alert(AlertCmd) => run;
    notify_args, notify_cmds, notify_output:
        /// Notifications: routes, a test, send by hand, the delivery queue and dead-letter list
        Notify(NotifyCmd) => run;
    ai_args, ai_cmds, ai_output:
        /// The assistant: ask in plain words, confirm or reject proposals, undo, conversations, test the provider
        Ai(AiCmd) => run;
}

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
    /// `--dry-run`: a command that changes state is previewed, not run.
    pub dry_run: bool,
    /// Set once a dry run's preview was printed: the command ends there.
    previewed: std::sync::atomic::AtomicBool,
}

impl Session {
    pub fn new(engine: impl Into<Handle>, json: bool) -> Self {
        Session { engine: engine.into(), actor: Actor::current(Frontend::Cli), json, dry_run: false, previewed: Default::default() }
    }

    /// The same session with `--dry-run` on or off.
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        DRY_RUN.store(on, std::sync::atomic::Ordering::SeqCst);
        self
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
        if self.dry_run && command.spec().class.changes_state() && !own_dry_run(&command) {
            return Err(self.show_preview(command).await);
        }
        interrupt::execute(self, command).await
    }

    /// `--dry-run`: print the engine's preview of `command` (a card, or
    /// JSON with `--json`) and stop the subcommand there; [`run`] turns the
    /// stop into exit status 0. A preview that fails is the command's error.
    async fn show_preview(&self, command: Command) -> EngineError {
        let name = command.name();
        let preview = match self.engine.preview(command, self.actor.clone()).await {
            Ok(p) => p,
            Err(e) => return e,
        };
        let printed = if self.json {
            serde_json::to_string_pretty(&preview).map(|j| println!("{j}")).map_err(|e| e.to_string())
        } else {
            preview.lines().iter().for_each(|l| println!("{l}"));
            println!("dry run: nothing was changed");
            Ok(())
        };
        match printed {
            Ok(()) => {
                self.previewed.store(true, std::sync::atomic::Ordering::SeqCst);
                EngineError::Other(format!("dry run of {name}: nothing was changed"))
            }
            Err(e) => EngineError::Other(format!("cannot print the preview of {name}: {e}")),
        }
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

/// Commands whose own `dry_run=true` argument is their preview (they say
/// what they would import or forget, and change nothing).
fn own_dry_run(command: &Command) -> bool {
    matches!(command, Command::ServerImportSshConfig { dry_run: Some(true), .. } | Command::BackupForget { dry_run: Some(true), .. })
}

/// Run one subcommand against an open engine. Under `--dry-run` the first
/// command that would change state is previewed instead, and the
/// subcommand ends there successfully.
pub async fn run(session: &Session, sub: Sub) -> Result<()> {
    let result = run_sub(session, sub).await;
    if session.previewed.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    result
}

async fn run_sub(session: &Session, sub: Sub) -> Result<()> {
    match sub {
        Sub::Vault(cmd) => vault_cmds::run(session, cmd).await,
        Sub::Secret(cmd) => secret_cmds::run(session, cmd).await,
        Sub::Audit(cmd) => audit_cmds::run(session, cmd).await,
        Sub::Events(a) => events_cmds::run(session, a).await,
        Sub::Run(a) => generic::run(session, a).await,
        Sub::Schedule(cmd) => schedule_cmds::run(session, cmd).await,
        Sub::Overview(args) => overview_cmds::run(session, args).await,
        Sub::Domain(sub) => run_domain(session, sub).await,
        Sub::Doctor(a) => doctor_cmds::run(session, a).await,
        Sub::Token(cmd) => token_cmds::run(session, cmd).await,
        Sub::Commands | Sub::Completions { .. } | Sub::Daemon(_) | Sub::Mcp(_) => Ok(()),
    }
}

/// This process runs one command under `--dry-run`: [`confirm`] answers
/// yes without asking, since the command it guards is previewed, not run.
static DRY_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Ask "are you sure" on the terminal; without a terminal the answer is no
/// (scripts pass --yes). Under `--dry-run` the answer is yes: what follows
/// is only previewed.
pub fn confirm(question: &str) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if DRY_RUN.load(std::sync::atomic::Ordering::SeqCst) {
        return true;
    }
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
