//! Ctrl-C during a long job of an attached CLI command. In-process the job
//! dies with the process, as it always did; attached, it runs in the host and
//! would carry on without us, so Ctrl-C sends the job's own cancel verb and
//! then waits for the command's answer (a second Ctrl-C leaves it running).

use super::Session;
use crate::engine::{BackupEvent, BackupOutcome, Command, EngineResult, Event, Outcome, ServersEvent};

/// How to name this command's job once it shows up.
enum Job {
    /// A backup job: the first id in `BackupProgress` not running before.
    Backup(Vec<u64>),
    /// A command run: the first `ExecStarted`.
    Exec,
    /// An OTA: the device, or every running OTA for a bulk update.
    Ota(Option<String>),
}

fn job_of(command: &Command) -> Option<Job> {
    match command {
        Command::BackupCreate { .. } | Command::BackupVerify { .. } | Command::BackupRestore { .. } => Some(Job::Backup(Vec::new())),
        Command::ServerExec { .. } => Some(Job::Exec),
        Command::EsphomeOta { device, .. } => Some(Job::Ota(Some(device.clone()))),
        Command::EsphomeOtaBulk { .. } => Some(Job::Ota(None)),
        _ => None,
    }
}

/// Run `command` through the handle, cancelling its job on Ctrl-C when attached.
pub async fn execute(s: &Session, command: Command) -> EngineResult<Outcome> {
    let job = match job_of(&command) {
        Some(job) if s.engine.is_attached() => job,
        _ => return s.engine.execute(command, s.actor.clone()).await,
    };
    let job = match job {
        Job::Backup(_) => match s.engine.execute(Command::BackupJobs {}, s.actor.clone()).await {
            Ok(Outcome::Backup(BackupOutcome::BackupJobs { jobs })) => Job::Backup(jobs.iter().map(|j| j.id).collect()),
            _ => Job::Backup(Vec::new()),
        },
        other => other,
    };
    let mut events = s.engine.subscribe();
    let run = s.engine.execute(command, s.actor.clone());
    tokio::pin!(run);
    let mut cancel: Option<Command> = None;
    loop {
        tokio::select! {
            result = &mut run => return result,
            ev = events.recv() => {
                if let (None, Ok(ev)) = (&cancel, ev) {
                    cancel = cancel_for(&job, &ev);
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let cancel = cancel.or_else(|| match &job {
        Job::Ota(device) => Some(Command::EsphomeOtaCancel { device: device.clone() }),
        _ => None,
    });
    let cancel = match cancel {
        Some(c) => Some(c),
        None => {
            // Ctrl-C came before the job's first progress event: keep watching
            // for it and cancel it as soon as it shows, instead of letting it run.
            eprintln!("\nthe job has not started yet; waiting for it to cancel it (Ctrl-C again to leave it running) …");
            loop {
                tokio::select! {
                    result = &mut run => return result,
                    ev = events.recv() => {
                        if let Ok(ev) = ev && let Some(c) = cancel_for(&job, &ev) {
                            break Some(c);
                        }
                    }
                    _ = tokio::signal::ctrl_c() => break None,
                }
            }
        }
    };
    if let Some(c) = cancel {
        eprintln!("\ncancelling {} in the homedeck that runs it (Ctrl-C again to leave it running) …", c.name().trim_end_matches("_cancel"));
        if let Err(e) = s.engine.execute(c, s.actor.clone()).await {
            eprintln!("cancel failed: {e}");
        }
    }
    tokio::select! {
        result = &mut run => result,
        _ = tokio::signal::ctrl_c() => Err(crate::engine::EngineError::Other("interrupted; the job may still be running in the homedeck that hosts the data dir".into())),
    }
}

fn cancel_for(job: &Job, ev: &Event) -> Option<Command> {
    match (job, ev) {
        (Job::Backup(before), Event::Backup(BackupEvent::BackupProgress { job, .. })) if !before.contains(job) => Some(Command::BackupCancel { job: *job }),
        // The event's line may have secrets redacted; the first run that starts is ours.
        (Job::Exec, Event::Servers(ServersEvent::ExecStarted { run, .. })) => Some(Command::ServerExecCancel { run: *run }),
        _ => None,
    }
}
