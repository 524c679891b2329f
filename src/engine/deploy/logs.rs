//! Home Assistant's log: the last lines (supervisor log file, journalctl or
//! docker logs), or followed — a task per deployment that runs the follow
//! command over SSH and broadcasts each line as an event until stopped.
//! Follow tasks hold only a weak reference to the engine.

use crate::engine::{DeployEvent, DeployOutcome};
use super::model::{Deployment, RuntimeKind};
use super::remote::Host;
use super::{control, docker, store, supervisor};
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::servers::runner::{self, Program};
use crate::engine::servers::{connector, ssh};
use crate::engine::{Inner, Outcome};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Lines longer than this are cut (a traceback line can be huge).
const MAX_LINE: usize = 4000;
pub const MAX_LINES: u32 = 5000;

fn script(d: &Deployment, lines: u32, follow: bool) -> String {
    match d.runtime {
        RuntimeKind::Venv => supervisor::logs(d, lines, follow),
        RuntimeKind::Docker => docker::logs(d, lines, follow),
    }
}

fn clean(line: &str) -> String {
    let l = line.trim_end();
    if l.len() <= MAX_LINE {
        return l.to_string();
    }
    let end = (0..=MAX_LINE).rev().find(|i| l.is_char_boundary(*i)).unwrap_or(0);
    format!("{}…", &l[..end])
}

/// The last `lines` lines.
pub(crate) async fn tail(host: &Host<'_>, d: &Deployment, lines: u32) -> EngineResult<Vec<String>> {
    let (code, out, err) = host.sh_any(&script(d, lines, false), Duration::from_secs(30)).await?;
    if code != Some(0) && out.trim().is_empty() {
        return Err(EngineError::Remote { server: d.server.clone(), detail: format!("cannot read the log of {}: {}", d.name, err.trim()) });
    }
    Ok(out.lines().map(clean).collect())
}

/// `deploy_logs`: the tail now, and with `follow` a live stream as events.
pub(crate) async fn logs(inner: &Inner, actor: &Actor, name: &str, lines: Option<u32>, follow: bool) -> EngineResult<Outcome> {
    let d = store::get(&inner.store, name)?;
    let lines = lines.unwrap_or(200).min(MAX_LINES);
    if !follow {
        let host = control::host(inner, actor, &d)?;
        let lines = tail(&host, &d, lines).await?;
        return Ok(Outcome::Deploy(DeployOutcome::DeployLogs { deployment: name.into(), lines, following: false }));
    }
    let Some(me) = inner.deploy.me.get().and_then(std::sync::Weak::upgrade) else {
        return Err(EngineError::Other("the engine is shutting down".into()));
    };
    // Connect now, so a locked vault or an unreachable server is this
    // command's error (which front ends can act on), not a silent end.
    let server = crate::engine::servers::store::get(&inner.store, &d.server)?;
    let conn = if server.is_local() { None } else { Some(connector::connection(inner, &server, actor, true).await?) };
    let token = CancellationToken::new();
    if let Ok(mut f) = inner.deploy.follows.lock()
        && let Some(old) = f.insert(name.to_string(), token.clone())
    {
        old.cancel();
    }
    let weak = std::sync::Arc::downgrade(&me);
    let events = inner.events.clone();
    drop(me);
    tokio::spawn(follow_task(weak, events, server, conn, d, lines, token));
    Ok(Outcome::Deploy(DeployOutcome::DeployLogs { deployment: name.into(), lines: Vec::new(), following: true }))
}

pub(crate) fn stop(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let stopped = inner.deploy.follows.lock().ok().and_then(|mut f| f.remove(name)).map(|t| t.cancel()).is_some();
    Ok(Outcome::done(if stopped { format!("stopped following the log of {name}") } else { format!("the log of {name} was not being followed") }))
}

async fn follow_task(
    weak: std::sync::Weak<Inner>,
    events: tokio::sync::broadcast::Sender<Event>,
    server: crate::engine::servers::model::Server,
    conn: Option<std::sync::Arc<crate::engine::servers::ssh::Connection>>,
    d: Deployment,
    lines: u32,
    token: CancellationToken,
) {
    // While lines stream the task holds the event sender and a weak
    // reference only, so a closed engine (whose Runtime cancels the token)
    // is never kept alive by a followed log.
    let name = d.name.clone();
    let emit = |e: Event| {
        let _ = events.send(e);
    };
    let mut partial = String::new();
    let sink = |_s, bytes: &[u8]| {
        partial.push_str(&String::from_utf8_lossy(bytes));
        while let Some(i) = partial.find('\n') {
            let line: String = partial.drain(..=i).collect();
            emit(Event::Deploy(DeployEvent::DeployLog { deployment: name.clone(), line: clean(&line) }));
        }
        if partial.len() > MAX_LINE * 4 {
            let line = std::mem::take(&mut partial);
            emit(Event::Deploy(DeployEvent::DeployLog { deployment: name.clone(), line: clean(&line) }));
        }
    };
    let program = Program::Shell(script(&d, lines, true));
    let result = match &conn {
        Some(c) => ssh::exec(&server.name, &c.handle, &program.remote(), sink, &token, None).await,
        None => runner::run_local(&program, sink, &token, None).await,
    };
    let reason = match result {
        Ok(s) if s.cancelled || token.is_cancelled() => "stopped".to_string(),
        Ok(s) => format!("the log command ended (exit {:?})", s.exit_code),
        Err(e) => e.to_string(),
    };
    if let Some(inner) = weak.upgrade()
        && let Ok(mut f) = inner.deploy.follows.lock()
        && f.get(&d.name).is_some_and(|t| t.is_cancelled() || !token.is_cancelled())
    {
        f.remove(&d.name);
    }
    emit(Event::Deploy(DeployEvent::DeployLogEnded { deployment: d.name, reason }));
}
