//! Running a program on a server: over SSH, or for the built-in `local`
//! server as a local process (no shell unless asked for). Both stream
//! output the same way and end with the same status.

use super::connector;
use super::model::Server;
use super::quote;
use super::ssh::{self, ExecStatus, Stream};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

/// What to run. `Argv` words are quoted one by one for the remote shell and
/// passed straight to exec(2) locally; `Shell` is deliberate shell code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    Argv(Vec<String>),
    Shell(String),
}

impl Program {
    /// The string sent in the SSH exec request.
    pub fn remote(&self) -> String {
        match self {
            Program::Argv(words) => quote::join(words),
            Program::Shell(line) => format!("sh -c {}", quote::quote(line)),
        }
    }
}

/// Run `program` on `server`, streaming output into `sink`.
pub(crate) async fn run(
    inner: &Inner,
    server: &Server,
    actor: &Actor,
    program: &Program,
    mut sink: impl FnMut(Stream, &[u8]) + Send,
    cancel: &CancellationToken,
    timeout: Option<Duration>,
) -> EngineResult<ExecStatus> {
    if server.is_local() {
        return run_local(program, sink, cancel, timeout).await;
    }
    let conn = connector::connection(inner, server, actor, true).await?;
    match ssh::exec(&server.name, &conn.handle, &program.remote(), &mut sink, cancel, timeout).await {
        Err(EngineError::Remote { .. }) if conn.is_closed() => {
            // The shared connection died under us (before the channel
            // opened, since that is what fails): redial once.
            inner.servers.pool.forget(&server.name);
            let conn = connector::connection(inner, server, actor, true).await?;
            ssh::exec(&server.name, &conn.handle, &program.remote(), &mut sink, cancel, timeout).await
        }
        other => other,
    }
}

/// Run and collect output (for probes whose output is parsed, not shown).
pub(crate) async fn capture(
    inner: &Inner,
    server: &Server,
    actor: &Actor,
    program: &Program,
    force: bool,
    timeout: Duration,
) -> EngineResult<(ExecStatus, String, String)> {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let cancel = CancellationToken::new();
    let sink = |s: Stream, b: &[u8]| match s {
        Stream::Stdout => out.extend_from_slice(b),
        Stream::Stderr => err.extend_from_slice(b),
    };
    let status = if server.is_local() {
        run_local(program, sink, &cancel, Some(timeout)).await?
    } else {
        let conn = connector::connection(inner, server, actor, force).await?;
        let status = ssh::exec(&server.name, &conn.handle, &program.remote(), sink, &cancel, Some(timeout)).await;
        if status.is_err() && conn.is_closed() {
            inner.servers.pool.forget(&server.name);
        }
        status?
    };
    let stdout = String::from_utf8_lossy(&out).into_owned();
    let stderr = String::from_utf8_lossy(&err).into_owned();
    check_shell(&server.name, &status, &stdout, &stderr)?;
    Ok((status, stdout, stderr))
}

/// A probe that could not even start tells why: no POSIX shell, or an
/// account whose login shell refuses commands.
fn check_shell(server: &str, status: &ExecStatus, stdout: &str, stderr: &str) -> EngineResult<()> {
    let text = format!("{stdout}{stderr}");
    if status.exit_code == Some(127) && text.contains("not found") && stdout.is_empty() {
        return Err(EngineError::RemoteShellMissing {
            server: server.into(),
            detail: format!("remote shell or tool missing (exit 127): {}", text.trim()),
        });
    }
    if text.contains("This account is currently not available") || text.contains("is not allowed to execute") {
        return Err(EngineError::RemoteShellMissing {
            server: server.into(),
            detail: format!("the account's login shell refuses commands (nologin?): {}", text.trim()),
        });
    }
    if status.timed_out {
        return Err(EngineError::Remote { server: server.into(), detail: "the probe did not finish in time".into() });
    }
    Ok(())
}

/// Also used by deployments' log follow, which must not hold the engine.
pub(crate) async fn run_local(
    program: &Program,
    mut sink: impl FnMut(Stream, &[u8]) + Send,
    cancel: &CancellationToken,
    timeout: Option<Duration>,
) -> EngineResult<ExecStatus> {
    let mut cmd = match program {
        Program::Argv(words) => {
            let (first, rest) = words.split_first().ok_or_else(|| EngineError::invalid("command", "", "a command to run"))?;
            let mut c = tokio::process::Command::new(first);
            c.args(rest);
            c
        }
        Program::Shell(line) => {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(line);
            c
        }
    };
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let what = match program {
                Program::Argv(w) => w.first().cloned().unwrap_or_default(),
                Program::Shell(_) => "sh".into(),
            };
            sink(Stream::Stderr, format!("{what}: command not found\n").as_bytes());
            return Ok(ExecStatus { exit_code: Some(127), ..Default::default() });
        }
        Err(e) => return Err(EngineError::Other(format!("cannot start local process: {e}"))),
    };
    let (Some(mut out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(EngineError::Other("local process has no output pipes".into()));
    };
    let mut status = ExecStatus::default();
    let (mut ob, mut eb) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    let (mut out_open, mut err_open) = (true, true);
    let sleep = tokio::time::sleep(timeout.unwrap_or(Duration::from_secs(365 * 24 * 3600)));
    tokio::pin!(sleep);
    while out_open || err_open {
        tokio::select! {
            n = out.read(&mut ob), if out_open => match n {
                Ok(0) | Err(_) => out_open = false,
                Ok(n) => sink(Stream::Stdout, &ob[..n]),
            },
            n = err.read(&mut eb), if err_open => match n {
                Ok(0) | Err(_) => err_open = false,
                Ok(n) => sink(Stream::Stderr, &eb[..n]),
            },
            _ = cancel.cancelled() => { status.cancelled = true; let _ = child.start_kill(); break; }
            _ = &mut sleep => { status.timed_out = true; let _ = child.start_kill(); break; }
        }
    }
    let exit = child.wait().await.map_err(|e| EngineError::Other(format!("waiting for local process: {e}")))?;
    status.exit_code = exit.code().and_then(|c| u32::try_from(c).ok());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal = exit.signal().map(|s| format!("signal {s}"));
    }
    Ok(status)
}
