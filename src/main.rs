//! The `homedeck` binary: no subcommand opens the console, subcommands run
//! the CLI. Both open the same engine on the same data dir.

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};
use homedeck::cli::args::{Cli, Sub};
use homedeck::cli::{self, Session};
use homedeck::config::Config;
use homedeck::daemon::protocol::HostKind;
use homedeck::engine::{EngineOptions, Frontend};
use homedeck::handle::{Handle, Opened, Remote, attach_or_open, attach_remote};
use homedeck::paths::Paths;
use std::process::ExitCode;

/// mimalloc returns what a finished backup's threads freed to the system;
/// glibc's allocator kept it in per-thread arenas and the daemon's heap
/// grew with every scheduled backup (docs/reliability.md, Soak).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    homedeck::logging::mark_start();
    cli::pipe::exit_quietly_on_closed_pipe();
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
        // Into memory first: clap_complete panics on a failed write.
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut cmd, "homedeck", &mut script);
        return Ok(cli::pipe::write_or_exit(&script)?);
    }
    if let Some(Sub::Commands) = &cli.command {
        return cli::generic::list(cli.json);
    }
    let paths = Paths::resolve(cli.data_dir.clone(), cli.config_dir.clone())?;
    paths.ensure()?;
    if !cli.insecure_permissions {
        homedeck::engine::views::doctor::refuse_insecure(&paths.data_dir).map_err(anyhow::Error::msg)?;
    }
    let config = match Config::load_or_create(&paths.config_file()) {
        Ok(c) => c,
        // Asking a running daemon about itself (after a bad edit, say: it
        // refused the reload) needs only the data dir.
        Err(e) if matches!(&cli.command, Some(Sub::Daemon(d)) if d.action.is_some()) => {
            eprintln!("warning: {e:#} — not needed for this command");
            Config::default()
        }
        Err(e) => return Err(e),
    };
    let _log_guard = homedeck::logging::init(&paths.state_dir);
    tracing::debug!(since_start_ms = homedeck::logging::since_start().as_secs_f64() * 1000.0, "config and logging ready");
    let mut opts = EngineOptions::new(&paths.data_dir);
    opts.readonly = cli.readonly || config.general.readonly;
    // The console and the daemon poll server health; one-shot CLI commands do not.
    opts.servers.poll_health = matches!(cli.command, None | Some(Sub::Daemon(_)));
    config.fill_engine_options(&mut opts);
    opts.passphrase_file = unattended_passphrase_file();
    opts.doctor = homedeck::engine::views::doctor::DoctorOptions {
        config_dir: Some(paths.config_dir.clone()),
        state_dir: Some(paths.state_dir.clone()),
        socket: Some(homedeck::daemon::socket_path(&paths.data_dir)),
    };

    let remote = cli.remote.clone().map(|server| Remote { server, socket: cli.remote_socket.clone() });
    if let Some(remote) = remote {
        return run_remote(cli, opts, &config, &paths, remote).await;
    }
    if let Some(Sub::Daemon(args)) = cli.command {
        return cli::daemon_cmds::run(args, opts, (paths.config_file(), config), cli.json).await;
    }
    if let Some(Sub::Mcp(args)) = cli.command {
        return cli::mcp_cmds::run(args, opts, cli.json).await;
    }
    let frontend = if cli.command.is_some() { Frontend::Cli } else { Frontend::Tui };
    if let Some(Sub::Events(a)) = &cli.command
        && a.follow
        && a.action.is_none()
    {
        return cli::events_cmds::follow_command(a, opts, cli.json).await;
    }

    let opening = std::time::Instant::now();
    let host = if cli.command.is_some() { HostKind::Cli } else { HostKind::Console };
    // A console keeps reattaching when its host goes away; a CLI command fails.
    let Opened { handle, server } = attach_or_open(opts, frontend, host, cli.command.is_none()).await?;
    let ms = opening.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(ms = format!("{ms:.1}"), attached = handle.is_attached(), since_start_ms = homedeck::logging::since_start().as_millis() as u64, "engine ready");

    let result = match cli.command {
        None => homedeck::tui::run(handle, &config, &paths).await,
        Some(sub) => cli::run(&Session::new(handle, cli.json).dry_run(cli.dry_run), sub).await,
    };
    if let Some(server) = server {
        // Clients attached to this process get their running requests answered.
        server.shutdown(std::time::Duration::from_secs(10)).await;
    }
    result
}

/// `--remote SERVER`: the console or the command runs against the daemon on
/// that server, through SSH (see `handle::attach_remote`).
async fn run_remote(cli: Cli, mut opts: EngineOptions, config: &Config, paths: &Paths, remote: Remote) -> Result<()> {
    // A local engine opened here only dials the tunnel; the site on screen
    // is the remote one, so this site's servers are not polled for it.
    opts.servers.poll_health = false;
    let frontend = if cli.command.is_some() { Frontend::Cli } else { Frontend::Tui };
    let host = if cli.command.is_some() { HostKind::Cli } else { HostKind::Console };
    // The console and a follower keep redialling when the far daemon goes away.
    let follow = matches!(&cli.command, Some(Sub::Events(a)) if a.follow && a.action.is_none());
    let Opened { handle, server } = attach_remote(opts, frontend, host, cli.command.is_none() || follow, remote).await?;
    let result = match cli.command {
        None => homedeck::tui::run(handle, config, paths).await,
        Some(Sub::Events(a)) if follow => cli::events_cmds::follow_remote(&a, handle, cli.json).await,
        Some(Sub::Daemon(args)) => match &handle {
            Handle::Attached { client, .. } => cli::daemon_cmds::remote(args.action, client, cli.json).await,
            Handle::Local(_) => Err(anyhow::anyhow!("--remote did not attach")),
        },
        Some(sub) => cli::run(&Session::new(handle, cli.json).dry_run(cli.dry_run), sub).await,
    };
    if let Some(server) = server {
        server.shutdown(std::time::Duration::from_secs(10)).await;
    }
    result
}
