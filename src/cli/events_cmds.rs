//! `homedeck events …`: list, show, respond, and follow.

use crate::engine::{AuditEvent, AuditOutcome};
use super::Session;
use super::args::{EventsArgs, EventsCmd};
use crate::engine::event::Event;
use crate::daemon::client::{AttachError, Client, Feed, Link};
use crate::engine::views::audit::{SecurityEvent, SecurityStatus};
use crate::engine::{Actor, Command, EngineError, EngineHandle, EngineOptions, Frontend, Outcome};
use crate::handle::Handle;
use anyhow::{Result, anyhow};
use std::path::Path;
use tokio::sync::broadcast::error::RecvError;

pub fn parse_status(s: Option<String>) -> Result<Option<SecurityStatus>> {
    s.map(|v| v.parse::<SecurityStatus>().map_err(|e| anyhow!(e))).transpose()
}

pub async fn run(s: &Session, a: EventsArgs) -> Result<()> {
    let outcome = match a.action {
        None => s.exec(Command::SecurityEventList { status: parse_status(a.status)?, limit: None }).await?,
        Some(EventsCmd::Show { id }) => s.exec(Command::SecurityEventShow { id }).await?,
        Some(EventsCmd::Respond { id, status, note }) => {
            let status = status.parse::<SecurityStatus>().map_err(|e| anyhow!(e))?;
            s.exec(Command::SecurityEventUpdate { id, status, note }).await?
        }
    };
    s.print(&outcome)
}

fn print_event(e: &SecurityEvent, verb: &str, json: bool) {
    if json {
        if let Ok(j) = serde_json::to_string(e) {
            println!("{j}");
        }
    } else {
        println!(
            "{} #{} {} [{}] {} — {}",
            e.time.format("%Y-%m-%d %H:%M:%S"),
            e.id,
            verb,
            e.severity,
            e.status,
            e.title
        );
    }
}

/// Follow every engine event from whichever homedeck hosts the data dir,
/// waiting for one to start when none does. Runs until Ctrl-C. `kinds`
/// keeps only events whose `type` is one of them.
pub async fn follow(data_dir: &Path, json: bool, kinds: &[String]) -> Result<()> {
    let mut waiting_said = false;
    loop {
        let client = match Client::attach(data_dir, Frontend::Cli, true, false).await {
            Ok(c) => c,
            Err(AttachError::Refused(m)) => return Err(anyhow!(m)),
            Err(AttachError::NobodyThere) => {
                if !waiting_said {
                    eprintln!("waiting for a homedeck to run on {} …", data_dir.display());
                    waiting_said = true;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            }
        };
        let host = client.hello().map(|h| format!("{} (pid {})", h.host.describe(), h.pid)).unwrap_or_default();
        waiting_said = false;
        let mut rx = client.subscribe();
        // Said once subscribed: an event raised after this line is printed.
        eprintln!("following engine events from the {host} (Ctrl-C to stop)");
        let mut link = client.link();
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(()),
                changed = link.changed() => {
                    if changed.is_err() || matches!(*link.borrow(), Link::Lost { .. }) { break }
                }
                feed = rx.recv() => match feed {
                    Ok(Feed::Event(event)) => print_engine_event(&event, json, kinds),
                    Ok(Feed::Lagged(n)) | Err(RecvError::Lagged(n)) => eprintln!("(missed {n} events: this follower fell behind)"),
                    Err(RecvError::Closed) => break,
                },
            }
        }
        eprintln!("the homedeck on {} stopped", data_dir.display());
    }
}

/// One event: a JSON object per line with `--json` (the `Event` schema in
/// docs/events.md); otherwise security events as before and anything else
/// as time, type and its fields.
fn print_engine_event(event: &Event, json: bool, kinds: &[String]) {
    let Ok(value) = serde_json::to_value(event) else { return };
    let kind = value.get("type").and_then(|k| k.as_str()).unwrap_or("").to_string();
    if !kinds.is_empty() && !kinds.contains(&kind) {
        return;
    }
    match (json, event) {
        (true, _) => println!("{value}"),
        (false, Event::Audit(AuditEvent::SecurityRaised { event })) => print_event(event, "raised", false),
        (false, Event::Audit(AuditEvent::SecurityUpdated { event })) => print_event(event, "updated", false),
        (false, _) => {
            let mut fields = value;
            if let Some(map) = fields.as_object_mut() {
                map.remove("type");
            }
            let rest = if fields.as_object().is_some_and(|m| m.is_empty()) { String::new() } else { fields.to_string() };
            println!("{} {kind} {rest}", chrono::Local::now().format("%H:%M:%S"));
        }
    }
}

/// Print the current list (used before following when the db is free).
pub fn print_list(outcome: &Outcome, json: bool) {
    if let Outcome::Audit(AuditOutcome::SecurityEvents { events }) = outcome {
        for e in events.iter().rev() {
            print_event(e, "", json);
        }
    }
}

/// `events --follow`: list the security events there are now (people only;
/// `--json` prints engine events alone), then follow. The follower never
/// hosts the engine itself: it opens the data dir only for the list and
/// lets go, so a console or daemon can start while it waits.
pub async fn follow_command(a: &EventsArgs, opts: EngineOptions, json: bool) -> Result<()> {
    if !json && a.kinds.is_empty() {
        let status = parse_status(a.status.clone())?;
        let handle: Option<Handle> = match Client::attach(&opts.data_dir, Frontend::Cli, false, false).await {
            Ok(client) => Some(Handle::Attached { client, readonly: true }),
            Err(AttachError::Refused(m)) => return Err(anyhow!(m)),
            Err(AttachError::NobodyThere) => match EngineHandle::open(opts.clone(), &Actor::current(Frontend::Cli)) {
                Ok(e) => Some(Handle::Local(e)),
                Err(EngineError::Busy { .. }) => None,
                Err(e) => return Err(e.into()),
            },
        };
        if let Some(handle) = handle {
            let list = Session::new(handle, json).exec(Command::SecurityEventList { status, limit: None }).await?;
            print_list(&list, json);
        }
    }
    follow(&opts.data_dir, json, &a.kinds).await
}

/// `events --follow` with `--remote`: the security events there are now,
/// then every event of the other site's daemon through one client, which
/// redials SSH by itself when the daemon goes away. Runs until Ctrl-C.
pub async fn follow_remote(a: &EventsArgs, handle: Handle, json: bool) -> Result<()> {
    let Handle::Attached { client, .. } = &handle else { return Err(anyhow!("--remote did not attach")) };
    if !json && a.kinds.is_empty() {
        let status = parse_status(a.status.clone())?;
        let list = Session::new(handle.clone(), json).exec(Command::SecurityEventList { status, limit: None }).await?;
        print_list(&list, json);
    }
    let (mut rx, mut link) = (client.subscribe(), client.link());
    eprintln!("following engine events from {} (Ctrl-C to stop)", client.target());
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            changed = link.changed() => {
                if changed.is_err() { return Ok(()) }
                let said = match &*link.borrow() {
                    Link::Lost { reason, .. } => format!("{reason} — reattaching every second"),
                    Link::Attached(h) => format!("reattached to the {} (pid {}) on {}", h.host.describe(), h.pid, client.target()),
                };
                eprintln!("{said}");
            }
            feed = rx.recv() => match feed {
                Ok(Feed::Event(event)) => print_engine_event(&event, json, &a.kinds),
                // Reattached: whatever happened meanwhile was missed (said above).
                Ok(Feed::Lagged(0)) => {}
                Ok(Feed::Lagged(n)) | Err(RecvError::Lagged(n)) => eprintln!("(missed {n} events: this follower fell behind)"),
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}
