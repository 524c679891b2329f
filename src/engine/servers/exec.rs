//! Running one command line on many servers: bounded concurrency, output
//! streamed as events per server, cancellation by run id, secrets by
//! reference (`{{secret:NAME}}` is replaced at run time, quoted, and
//! redacted from the output and the audit entry).

use crate::engine::{ServersEvent, ServersOutcome};
use super::quote;
use super::runner::{self, Program};
use super::views::ExecResult;
use crate::engine::audit::{Severity, Status};
use crate::engine::text::plural;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::{REDACTED, SecretValue};
use crate::engine::{Inner, Outcome};
use futures::StreamExt;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const TAIL: usize = 4096;

pub struct Request {
    pub targets: String,
    pub command: String,
    pub shell: bool,
    pub confirmed: bool,
    pub timeout: Option<Duration>,
}

pub(crate) async fn run(inner: &Inner, ctx: &mut Ctx, req: Request) -> EngineResult<Outcome> {
    let servers = super::resolve_targets(&inner.store, &req.targets)?;
    // Ask for the vault before running anywhere, not once per server.
    let needs_vault = servers.iter().any(|s| matches!(s.auth, super::model::Auth::Key { .. } | super::model::Auth::Password { .. }));
    if needs_vault && !crate::engine::vault::session::is_unlocked(inner) {
        return Err(EngineError::VaultLocked);
    }
    let names: Vec<String> = servers.iter().map(|s| s.name.clone()).collect();
    ctx.resource("server", None, Some(names.join(",")));
    ctx.change("command", None, Some(req.command.clone()));
    // Check the syntax before anything runs anywhere.
    quote::remote_command(&req.command, req.shell)?;
    if let Some(reason) = quote::danger(&req.command) {
        if !req.confirmed {
            return Err(EngineError::ConfirmationRequired { what: format!("`{}`", req.command), reason });
        }
        ctx.severity(Severity::Medium);
    }
    let (program, secrets) = substitute(inner, ctx, &req.command, req.shell)?;
    // Stored, so run numbers go on from the last process's instead of
    // restarting at 1 (the audit log and the output view name them).
    let run = inner.store.next_counter("exec_run")?;
    let cancel = CancellationToken::new();
    if let Ok(mut runs) = inner.servers.runs.lock() {
        runs.insert(run, cancel.clone());
    }
    // Nothing stored changes from here on: let other writers in.
    ctx.release_gate();
    inner.emit(Event::Servers(ServersEvent::ExecStarted { run, servers: names.clone(), command: req.command.clone() }));
    let actor = ctx.actor.clone();
    let results: Vec<ExecResult> = futures::stream::iter(servers)
        .map(|server| {
            let (program, cancel, secrets, actor) = (&program, &cancel, &secrets, &actor);
            async move {
                let start = Instant::now();
                let mut tail = String::new();
                let mut sink = |stream, bytes: &[u8]| {
                    let text = redact(&String::from_utf8_lossy(bytes), secrets);
                    tail.push_str(&text);
                    if tail.len() > TAIL * 2 {
                        let cut = tail.len() - TAIL;
                        let cut = (cut..tail.len()).find(|i| tail.is_char_boundary(*i)).unwrap_or(tail.len());
                        tail.drain(..cut);
                    }
                    inner.emit(Event::Servers(ServersEvent::ExecOutput { run, server: server.name.clone(), stream, text }));
                };
                let outcome = runner::run(inner, &server, actor, program, &mut sink, cancel, req.timeout).await;
                let (status, error) = match outcome {
                    Ok(s) => (s, None),
                    Err(e) => (Default::default(), Some(e.to_string())),
                };
                let result = ExecResult { server: server.name.clone(), status, duration_ms: start.elapsed().as_millis() as u64, error, output_tail: tail };
                inner.emit(Event::Servers(ServersEvent::ExecFinished { run, result: result.clone() }));
                result
            }
        })
        .buffer_unordered(inner.servers.opts.get().exec_concurrency.max(1))
        .collect()
        .await;
    if let Ok(mut runs) = inner.servers.runs.lock() {
        runs.remove(&run);
    }
    let mut results = results;
    results.sort_by(|a, b| a.server.cmp(&b.server));
    let ok = results.iter().filter(|r| r.ok()).count();
    let summary: Vec<String> = results.iter().map(|r| format!("{}: {}", r.server, r.outcome())).collect();
    ctx.describe(format!("ran `{}` on {}: {ok} ok — {}", req.command, plural(results.len(), "server", "servers"), summary.join("; ")));
    // The run answers with every server's result either way; its audit
    // entry says how it really ended.
    let bad: Vec<String> = results.iter().filter(|r| !r.ok()).map(|r| format!("{}: {}", r.server, r.outcome())).collect();
    if cancel.is_cancelled() || results.iter().any(|r| r.status.cancelled) {
        ctx.ended(Status::Cancelled, Some(format!("run {run} of `{}` cancelled — {}", req.command, bad.join("; "))));
    } else if !bad.is_empty() {
        ctx.ended(Status::Failure, Some(bad.join("; ")));
    }
    Ok(Outcome::Servers(ServersOutcome::ExecDone { run, command: req.command, results }))
}

pub(crate) fn cancel(inner: &Inner, ctx: &mut Ctx, run: u64) -> EngineResult<Outcome> {
    ctx.resource("run", Some(run.to_string()), None);
    let token = inner.servers.runs.lock().ok().and_then(|r| r.get(&run).cloned());
    let Some(token) = token else {
        return Err(EngineError::not_found_id("running command run", run));
    };
    token.cancel();
    ctx.describe(format!("cancelled run {run}"));
    Ok(Outcome::done(format!("run {run} cancelled")))
}

/// Replace `{{secret:NAME}}` with vault values (quoted) and build the program.
fn substitute(inner: &Inner, ctx: &Ctx, line: &str, shell: bool) -> EngineResult<(Program, Vec<SecretValue>)> {
    let mut secrets = Vec::new();
    let mut fill = |text: &str, quote_it: bool| -> EngineResult<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{secret:") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 9..];
            let end = after.find("}}").ok_or_else(|| EngineError::invalid("command", line, "{{secret:NAME}} placeholders closed with }}"))?;
            let name = &after[..end];
            let value = crate::engine::vault::use_secret(inner, &ctx.actor, name, "server exec")?;
            out.push_str(&if quote_it { quote::quote(value.expose()) } else { value.expose().to_string() });
            secrets.push(value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    };
    let program = if shell {
        Program::Shell(fill(line, true)?)
    } else {
        Program::Argv(quote::split(line)?.iter().map(|w| fill(w, false)).collect::<EngineResult<_>>()?)
    };
    Ok((program, secrets))
}

fn redact(text: &str, secrets: &[SecretValue]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.expose().is_empty() {
            out = out.replace(s.expose(), REDACTED);
        }
    }
    out
}
