//! The `homedeck` binary: no subcommand opens the console, subcommands run
//! the CLI. Both open the same engine on the same data dir.

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};
use homedeck::cli::args::{Cli, Sub};
use homedeck::cli::{self, Session};
use homedeck::config::Config;
use homedeck::daemon::protocol::HostKind;
use homedeck::daemon::server::Server;
use homedeck::engine::{Actor, EngineError, EngineHandle, EngineOptions, Frontend};
use homedeck::paths::Paths;
use std::process::ExitCode;

fn main() -> ExitCode {
    homedeck::logging::mark_start();
    let matches = cli::args::with_table_docs(Cli::command()).get_matches();
    let parsed = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(real_main(parsed)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The vault passphrase for unattended scheduled runs: the file named by
/// HOMEDECK_PASSPHRASE_FILE, else systemd's credential (`LoadCredential=
/// homedeck-passphrase:…` puts it in $CREDENTIALS_DIRECTORY). Only the path
/// is passed on; the engine reads it when a scheduled run needs the key.
fn unattended_passphrase_file() -> Option<std::path::PathBuf> {
    let named = std::env::var_os(cli::prompt::PASSPHRASE_FILE_ENV).map(std::path::PathBuf::from);
    named.or_else(|| {
        let cred = std::path::PathBuf::from(std::env::var_os("CREDENTIALS_DIRECTORY")?).join("homedeck-passphrase");
        cred.is_file().then_some(cred)
    })
}

async fn real_main(cli: Cli) -> Result<()> {
    if let Some(Sub::Completions { shell }) = &cli.command {
        let mut cmd = cli::args::with_table_docs(Cli::command());
        clap_complete::generate(*shell, &mut cmd, "homedeck", &mut std::io::stdout());
        return Ok(());
    }
    if let Some(Sub::Commands) = &cli.command {
        return cli::generic::list(cli.json);
    }
    let paths = Paths::resolve(cli.data_dir.clone(), cli.config_dir.clone())?;
    paths.ensure()?;
    let config = Config::load_or_create(&paths.config_file())?;
    let _log_guard = homedeck::logging::init(&paths.state_dir);
    tracing::debug!(since_start_ms = homedeck::logging::since_start().as_secs_f64() * 1000.0, "config and logging ready");
    let mut opts = EngineOptions::new(&paths.data_dir);
    opts.readonly = cli.readonly || config.general.readonly;
    opts.idle_lock_secs = config.vault.idle_lock_secs;
    opts.audit_retention_days = config.audit.retention_days;
    opts.esphome = homedeck::engine::views::esphome::EsphomeOptions {
        mdns_interfaces: config.esphome.mdns_interfaces.clone(),
        api_timeout_secs: config.esphome.api_timeout_secs,
        ota_concurrency: config.esphome.ota_concurrency,
        confirm_secs: config.esphome.ota_confirm_secs,
    };
    opts.servers = config.servers.options(cli.command.is_none());
    opts.deploy = config.deployments.options();
    opts.passphrase_file = unattended_passphrase_file();

    let frontend = if cli.command.is_some() { Frontend::Cli } else { Frontend::Tui };
    let follow = matches!(&cli.command, Some(Sub::Events(a)) if a.follow && a.action.is_none());
    let opening = std::time::Instant::now();
    let engine = match EngineHandle::open(opts, &Actor::current(frontend)) {
        Ok(e) => {
            let ms = opening.elapsed().as_secs_f64() * 1000.0;
            tracing::info!(ms = format!("{ms:.1}"), since_start_ms = homedeck::logging::since_start().as_millis() as u64, "engine open");
            Some(e)
        }
        Err(EngineError::Busy { .. }) if follow => None,
        Err(e) => return Err(e.into()),
    };

    if follow {
        // List what is there now, then let go of the data dir so the console
        // can start, and follow whichever homedeck holds it.
        if let Some(engine) = engine {
            let s = Session::new(engine, cli.json);
            let status = match &cli.command {
                Some(Sub::Events(a)) => cli::events_cmds::parse_status(a.status.clone())?,
                _ => None,
            };
            let list = s.exec(homedeck::engine::Command::SecurityEventList { status, limit: None }).await?;
            cli::events_cmds::print_list(&list, cli.json);
        }
        let kinds = match &cli.command {
            Some(Sub::Events(a)) => a.kinds.clone(),
            _ => Vec::new(),
        };
        return cli::events_cmds::follow(&paths.data_dir, cli.json, &kinds).await;
    }

    let engine = engine.context("engine not open")?;
    let host = if cli.command.is_some() { HostKind::Cli } else { HostKind::Console };
    let _server = Server::start(engine.clone(), host).await.context("cannot serve the engine on its socket")?;
    match cli.command {
        None => homedeck::tui::run(engine, &config, &paths).await,
        Some(sub) => cli::run(&Session::new(engine, cli.json), sub).await,
    }
}
