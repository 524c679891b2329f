//! Running deployment steps on the server through the servers domain's
//! runner: short probes whose output is parsed, and long steps (venv, pip)
//! whose output is streamed line by line as progress events and which stop
//! when the operation is cancelled.

use crate::engine::DeployEvent;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::servers::model::Server;
use crate::engine::servers::runner::{self, Program};
use crate::engine::servers::ssh::Stream;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How much of a failed step's output an error message quotes.
const ERR_TAIL: usize = 1200;

/// One server as a deployment sees it.
pub(crate) struct Host<'a> {
    pub inner: &'a Inner,
    pub server: Server,
    pub actor: Actor,
}

impl Host<'_> {
    /// Run shell code and return its stdout; a non-zero exit is an error that
    /// quotes the end of stderr (or stdout).
    pub async fn sh(&self, what: &str, script: &str, timeout: Duration) -> EngineResult<String> {
        let (status, out, err) =
            runner::capture(self.inner, &self.server, &self.actor, &Program::Shell(script.to_string()), true, timeout).await?;
        if status.exit_code == Some(0) {
            return Ok(out);
        }
        Err(self.failed(what, status.exit_code, if err.trim().is_empty() { &out } else { &err }))
    }

    /// Run shell code, tolerating any exit; (exit code, stdout, stderr).
    pub async fn sh_any(&self, script: &str, timeout: Duration) -> EngineResult<(Option<u32>, String, String)> {
        let (status, out, err) =
            runner::capture(self.inner, &self.server, &self.actor, &Program::Shell(script.to_string()), true, timeout).await?;
        Ok((status.exit_code, out, err))
    }

    /// A long step: every output line goes out as a progress event for
    /// `deployment`; `cancel` stops the remote process. Returns the output
    /// tail on success, and an error quoting it on failure.
    pub async fn step(
        &self,
        deployment: &str,
        step: &str,
        script: &str,
        cancel: &CancellationToken,
        timeout: Duration,
    ) -> EngineResult<String> {
        self.inner.emit(Event::Deploy(DeployEvent::DeployProgress { deployment: deployment.into(), step: step.into(), line: String::new() }));
        let mut partial = String::new();
        let mut tail = String::new();
        let inner = self.inner;
        let sink = |_s: Stream, bytes: &[u8]| {
            partial.push_str(&String::from_utf8_lossy(bytes));
            while let Some(i) = partial.find(['\n', '\r']) {
                let line: String = partial.drain(..=i).collect();
                let line = line.trim_end().to_string();
                if line.is_empty() {
                    continue;
                }
                push_tail(&mut tail, &line);
                inner.emit(Event::Deploy(DeployEvent::DeployProgress { deployment: deployment.into(), step: step.into(), line }));
            }
        };
        let status =
            runner::run(self.inner, &self.server, &self.actor, &Program::Shell(script.to_string()), sink, cancel, Some(timeout))
                .await?;
        if !partial.trim().is_empty() {
            push_tail(&mut tail, partial.trim_end());
        }
        if status.cancelled || cancel.is_cancelled() {
            return Err(EngineError::Cancelled { what: format!("{step} on {}", self.server.name) });
        }
        if status.timed_out {
            return Err(EngineError::Remote {
                server: self.server.name.clone(),
                detail: format!("{step} did not finish within {} s; last output: {}", timeout.as_secs(), last(&tail)),
            });
        }
        if status.exit_code != Some(0) {
            return Err(self.failed(step, status.exit_code, &tail));
        }
        Ok(tail)
    }

    fn failed(&self, what: &str, code: Option<u32>, output: &str) -> EngineError {
        let code = code.map(|c| c.to_string()).unwrap_or_else(|| "no exit status".into());
        EngineError::Remote { server: self.server.name.clone(), detail: format!("{what} failed (exit {code}): {}", last(output)) }
    }
}

fn push_tail(tail: &mut String, line: &str) {
    tail.push_str(line);
    tail.push('\n');
    if tail.len() > 8 * ERR_TAIL {
        let cut = tail.len() - 4 * ERR_TAIL;
        let cut = (cut..tail.len()).find(|i| tail.is_char_boundary(*i)).unwrap_or(tail.len());
        tail.drain(..cut);
    }
}

/// The end of some output, trimmed to what an error message can carry.
pub fn last(text: &str) -> String {
    let t = text.trim();
    if t.len() <= ERR_TAIL {
        return t.to_string();
    }
    let start = (t.len() - ERR_TAIL..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
    format!("…{}", &t[start..])
}

/// `printf %s 'TEXT' > 'PATH'` — writes a small file through the shell with
/// every byte quoted (used for generated files, never for user uploads).
pub fn write_file_script(path: &str, text: &str, mode: &str) -> String {
    use crate::engine::servers::quote::quote;
    format!("printf %s {} > {} && chmod {mode} {}", quote(text), quote(path), quote(path))
}
