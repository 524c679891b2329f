//! A confirmed action's progress while it runs. The domains already
//! broadcast their own progress (a deployment step's lines, backup bytes,
//! a command's output, an upload); while an action runs, the ones about its
//! targets are forwarded as [`AiEvent::ActionProgress`] lines tagged with
//! the conversation and the action, between `ActionStarted` and
//! `ActionFinished`, so the pane can show the running card's latest line
//! and how long it has run without knowing any domain's events.
//!
//! An event is about the action when it names one of the command's string
//! arguments (a deployment, a source, a server, a device), or when it
//! belongs to the command run the action itself started (`server_exec` with
//! targets such as `all` or a tag: its `ExecStarted` carries the same
//! command line).

use super::outcome::AiEvent;
use crate::engine::command::Command;
use crate::engine::event::Event;
use crate::engine::vault::scrub::Scrubber;
use crate::engine::{BackupEvent, DeployEvent, EsphomeEvent, ServersEvent};
use serde_json::Value;

/// Longest progress line forwarded (characters).
const MAX_LINE: usize = 200;

/// Which broadcasts belong to one running action.
pub(crate) struct Tracker {
    conversation: u64,
    action: u64,
    /// The command's string arguments, comma lists split.
    subjects: Vec<String>,
    /// `server_exec`'s command line, to recognise its run.
    exec_command: Option<String>,
    runs: Vec<u64>,
    scrubber: Scrubber,
}

impl Tracker {
    pub(crate) fn new(conversation: u64, action: u64, command: &Command, scrubber: Scrubber) -> Tracker {
        let v = serde_json::to_value(command).unwrap_or(Value::Null);
        let is_exec = command.name() == "server_exec";
        // `command` is the verb's tag; server_exec's `line` is what it runs.
        let exec_command = if is_exec { v.get("line").and_then(Value::as_str).map(str::to_string) } else { None };
        let mut subjects = Vec::new();
        if let Some(obj) = v.as_object() {
            for (k, x) in obj {
                let Some(s) = x.as_str() else { continue };
                if k == "command" || (is_exec && k == "line") {
                    continue;
                }
                subjects.extend(s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()));
            }
        }
        Tracker { conversation, action, subjects, exec_command, runs: Vec::new(), scrubber }
    }

    fn about(&self, name: &str) -> bool {
        self.subjects.iter().any(|s| s == name)
    }

    /// The progress line `event` means for this action, if any.
    pub(crate) fn line(&mut self, event: &Event) -> Option<String> {
        let size = crate::engine::text::size;
        let raw = match event {
            Event::Deploy(DeployEvent::DeployProgress { deployment, step, line }) if self.about(deployment) => format!("{step}: {line}"),
            Event::Backup(BackupEvent::BackupProgress { kind, source, done, total, .. }) if self.about(source) => {
                if *total > 0 { format!("{kind} {source}: {} of {} ({} %)", size(*done), size(*total), done.saturating_mul(100) / total) } else { format!("{kind} {source}: {}", size(*done)) }
            }
            Event::Servers(ServersEvent::ExecStarted { run, servers, command }) => {
                if self.exec_command.as_deref() != Some(command.as_str()) {
                    return None;
                }
                self.runs.push(*run);
                format!("running on {}", servers.join(", "))
            }
            Event::Servers(ServersEvent::ExecOutput { run, server, text, .. }) if self.runs.contains(run) => {
                let last = text.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
                format!("{server}: {last}")
            }
            Event::Servers(ServersEvent::ExecFinished { run, result }) if self.runs.contains(run) => format!("{}: {}", result.server, result.outcome()),
            Event::Servers(ServersEvent::TransferProgress { server, path, done, total }) if self.about(server) => format!("{server}:{path}: {} of {}", size(*done), size(*total)),
            Event::Esphome(EsphomeEvent::EsphomeOtaProgress { device, phase, sent, total }) if self.about(device) => {
                let phase = serde_json::to_value(phase).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                format!("{device}: {phase} {} of {}", size(*sent), size(*total))
            }
            _ => return None,
        };
        let mut line: String = self.scrubber.scrub(&raw).chars().take(MAX_LINE).collect();
        if raw.chars().count() > MAX_LINE {
            line.push('…');
        }
        Some(line)
    }

    /// The event forwarding `line`.
    pub(crate) fn event(&self, line: String) -> Event {
        Event::Ai(AiEvent::ActionProgress { conversation: self.conversation, action: self.action, line })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::SecretValue;
    use crate::engine::servers::ssh::Stream;

    fn scrubber() -> Scrubber {
        Scrubber::of(vec![("db".into(), SecretValue::new("hunter22"))])
    }

    #[test]
    fn only_the_actions_own_targets_make_progress_lines() {
        let mut t = Tracker::new(1, 2, &Command::DeployRestart { name: "ha".into(), wait: None }, scrubber());
        let step = |d: &str| Event::Deploy(DeployEvent::DeployProgress { deployment: d.into(), step: "health".into(), line: "waiting, pw hunter22".into() });
        assert_eq!(t.line(&step("ha")).as_deref(), Some("health: waiting, pw [secret:db]"));
        assert_eq!(t.line(&step("other")), None);

        let mut t = Tracker::new(1, 3, &Command::BackupCreate { source: "nodered".into(), password: None }, scrubber());
        let bytes = |s: &str| Event::Backup(BackupEvent::BackupProgress { job: 1, kind: "backup".into(), source: s.into(), done: 512, total: 1024 });
        assert!(t.line(&bytes("nodered")).unwrap().ends_with("(50 %)"));
        assert_eq!(t.line(&bytes("grafana")), None);
    }

    #[test]
    fn a_command_run_is_followed_by_its_own_run_id() {
        let c = Command::ServerExec { targets: "all".into(), line: "uptime".into(), shell: None, confirmed: None, timeout_secs: None };
        let mut t = Tracker::new(1, 4, &c, scrubber());
        let started = |run: u64, cmd: &str| Event::Servers(ServersEvent::ExecStarted { run, servers: vec!["nas".into()], command: cmd.into() });
        let out = |run: u64| Event::Servers(ServersEvent::ExecOutput { run, server: "nas".into(), stream: Stream::Stdout, text: "up 3 days\n\n".into() });
        // Another run (someone else's command) is not this action's.
        assert_eq!(t.line(&started(8, "df -h")), None);
        assert_eq!(t.line(&out(8)), None);
        assert_eq!(t.line(&started(9, "uptime")).as_deref(), Some("running on nas"));
        assert_eq!(t.line(&out(9)).as_deref(), Some("nas: up 3 days"));
        assert!(matches!(t.event("x".into()), Event::Ai(AiEvent::ActionProgress { conversation: 1, action: 4, .. })));
    }
}
