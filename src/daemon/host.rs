//! `homedeck daemon`: the engine headless in the foreground, for systemd and
//! for tests. It owns the data dir, serves the socket, and starts the work a
//! console starts when it opens (backup schedules and file watches, light
//! schedules and live connections, server health polls), so that work runs
//! with nobody attached. SIGHUP or a change to config.toml reloads the
//! config (`reload.rs`). SIGTERM, SIGINT or `homedeck daemon stop` stop it:
//! every running job is cancelled (`engine/jobs.rs`), attached clients get
//! their answers (a cancelled job's error), then the socket and the lock go.

use super::client::{AttachError, Client};
use super::protocol::HostKind;
use super::reload::{self, Reloader};
use super::server::Server;
use crate::engine::{Actor, Command, EngineError, EngineHandle, EngineOptions, Frontend};
use anyhow::{Result, anyhow};
use std::time::Duration;

/// What a console runs when it opens; the daemon runs it at start so
/// schedules do not wait for someone to attach.
fn start_up_commands() -> Vec<Command> {
    vec![Command::BackupWatch {}, Command::LightsWatch {}]
}

/// Run until told to stop. `opts.servers.poll_health` should be on;
/// `config` is the file read at start and what it said.
pub async fn run(mut opts: EngineOptions, config: (std::path::PathBuf, crate::config::Config)) -> Result<()> {
    // Audit retention and the rotation check run only here.
    opts.housekeeping.enabled = true;
    let data_dir = opts.data_dir.clone();
    let mcp_config = config.1.mcp.clone();
    let mut reloader = Reloader::new(config.0, config.1, opts.clone());
    refuse_if_hosted(&data_dir).await?;
    let actor = Actor::current(Frontend::Daemon);
    let engine = match EngineHandle::open(opts, &actor) {
        Ok(e) => e,
        Err(EngineError::Busy { path, holder }) => {
            return Err(anyhow!(
                "cannot start: the data dir {path} is held by another homedeck ({holder}) that does not serve a socket — stop it first"
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let server = Server::start(engine.clone(), HostKind::Daemon).await?;
    let mcp = super::mcp_listen::start(&engine, &mcp_config, &server).await?;
    for command in start_up_commands() {
        let name = command.name();
        if let Err(e) = engine.execute(command, actor.clone()).await {
            // A broken light or backup config must not keep the rest down.
            tracing::warn!(command = name, error = %e, "start-up work failed");
            eprintln!("warning: {name} failed at start: {e}");
        }
    }
    // Housekeeping needs the scheduler even when no backup or light
    // schedule started it.
    engine.start_scheduler();
    tracing::info!(pid = std::process::id(), socket = %server.socket().display(), "daemon running");
    eprintln!(
        "homedeck daemon (pid {}) serving {} on {}",
        std::process::id(),
        data_dir.display(),
        server.socket().display()
    );

    let why = serve_until_stop(&server, &engine, &mut reloader).await?;
    tracing::info!(why, "daemon stopping");
    eprintln!("homedeck daemon stopping ({why})");
    if let Some(listener) = &mcp {
        listener.shutdown();
    }
    cancel_running_jobs(&engine).await;
    server.shutdown(Duration::from_secs(5)).await;
    drop(engine);
    tracing::info!("daemon stopped");
    Ok(())
}

/// Two hosts on one data dir are impossible (the lock says so too); this
/// says it better, naming the one that runs.
async fn refuse_if_hosted(data_dir: &std::path::Path) -> Result<()> {
    match Client::attach(data_dir, Frontend::Cli, false, false).await {
        Ok(client) => {
            let h = client.hello().ok_or_else(|| anyhow!("the running homedeck went away during the hello"))?;
            let what = match h.host {
                HostKind::Daemon => "a homedeck daemon already runs".to_string(),
                other => format!("a {} holds it — quit that one first, or let it be: it serves the socket too", other.describe()),
            };
            Err(anyhow!(
                "cannot start a daemon on {}: {what} (pid {}, since {}, homedeck {})",
                data_dir.display(),
                h.pid,
                h.started_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"),
                h.version
            ))
        }
        Err(AttachError::Refused(m)) => Err(anyhow!("cannot start a daemon on {}: {m}", data_dir.display())),
        Err(AttachError::NobodyThere) => Ok(()),
    }
}

/// Reload on SIGHUP or a change to config.toml until a stop signal or a
/// `stop` frame; says which stopped it.
async fn serve_until_stop(server: &Server, engine: &EngineHandle, reloader: &mut Reloader) -> Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let (_watcher, mut changes) = match reload::watch(reloader.path()) {
        Some((w, rx)) => (Some(w), rx),
        // No watch: a channel nobody sends on keeps the select simple.
        None => (None, tokio::sync::mpsc::unbounded_channel().1),
    };
    loop {
        tokio::select! {
            _ = term.recv() => return Ok("SIGTERM"),
            _ = int.recv() => return Ok("SIGINT"),
            _ = server.stop_requested() => return Ok("asked over the socket"),
            _ = hup.recv() => {
                reloader.reload(engine, server, "SIGHUP");
            }
            Some(()) = changes.recv() => {
                reload::settle(&mut changes).await;
                reloader.reload(engine, server, "config.toml changed");
            }
        }
    }
}

/// Cancel every running job (backups, verifies, restores, remote commands,
/// deployment operations, OTAs) and wait, up to [`CANCEL_GRACE`], for their
/// commands to clean up and write their audit entries (a failure that says
/// "cancelled"). New commands are refused from here on.
async fn cancel_running_jobs(engine: &EngineHandle) {
    let cancelled = engine.cancel_all_jobs();
    for job in &cancelled {
        tracing::info!(job = %job, "cancelling at stop");
        eprintln!("cancelling {job}");
    }
    if !engine.wait_for_commands(CANCEL_GRACE).await {
        tracing::warn!("commands still running after {CANCEL_GRACE:?}; stopping anyway");
        eprintln!("warning: some commands were still running after {} s; stopping anyway", CANCEL_GRACE.as_secs());
    }
}

/// How long a stop waits for cancelled jobs to finish cancelling.
const CANCEL_GRACE: Duration = Duration::from_secs(10);
