//! `homedeck events …`: list, show, respond, and follow.

use crate::engine::{AuditEvent, AuditOutcome};
use super::Session;
use super::args::{EventsArgs, EventsCmd};
use crate::engine::event::Event;
use crate::engine::views::events as event_socket;
use crate::engine::views::audit::{SecurityEvent, SecurityStatus};
use crate::engine::{Command, Outcome};
use anyhow::{Result, anyhow};
use std::path::Path;
use tokio::io::AsyncBufReadExt;

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

/// Follow security events from whichever homedeck holds the data dir,
/// waiting for one to start when none does. Runs until Ctrl-C.
pub async fn follow(data_dir: &Path, json: bool) -> Result<()> {
    let path = event_socket::socket_path(data_dir);
    let mut waiting_said = false;
    loop {
        let stream = tokio::select! {
            s = tokio::net::UnixStream::connect(&path) => s,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let Ok(stream) = stream else {
            if !waiting_said {
                eprintln!("waiting for a homedeck to run on {} …", data_dir.display());
                waiting_said = true;
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        };
        eprintln!("following security events from the running homedeck (Ctrl-C to stop)");
        waiting_said = false;
        let mut lines = tokio::io::BufReader::new(stream).lines();
        loop {
            let line = tokio::select! {
                l = lines.next_line() => l,
                _ = tokio::signal::ctrl_c() => return Ok(()),
            };
            let Ok(Some(line)) = line else { break };
            match event_socket::decode_line(&line) {
                Some(Event::Audit(AuditEvent::SecurityRaised { event })) => print_event(&event, "raised", json),
                Some(Event::Audit(AuditEvent::SecurityUpdated { event })) => print_event(&event, "updated", json),
                _ => {}
            }
        }
        eprintln!("the homedeck on {} stopped", data_dir.display());
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
