//! Who acted. Every command carries an [`Actor`] so the audit log can say which
//! person, through which front end, did what — the same verb looks the same in
//! the log whether it came from a key press, a CLI call or (later) an AI tool call.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The front end a command arrived through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frontend {
    Tui,
    Cli,
    Ai,
    Mcp,
    Daemon,
    /// The engine itself (idle lock, retention cleanup).
    Engine,
    /// The engine's scheduler, running a schedule's command.
    Scheduler,
}

impl Frontend {
    pub fn as_str(self) -> &'static str {
        match self {
            Frontend::Tui => "tui",
            Frontend::Cli => "cli",
            Frontend::Ai => "ai",
            Frontend::Mcp => "mcp",
            Frontend::Daemon => "daemon",
            Frontend::Engine => "engine",
            Frontend::Scheduler => "scheduler",
        }
    }
}

/// An OS user acting through a front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub frontend: Frontend,
}

impl Actor {
    /// The OS user running this process, acting through `frontend`.
    pub fn current(frontend: Frontend) -> Self {
        let user = whoami::fallible::username().unwrap_or_else(|_| "unknown".to_string());
        Actor { user, frontend }
    }

    /// Work the engine starts on its own (idle lock, cleanup).
    pub fn engine() -> Self {
        Actor { user: "homedeck".to_string(), frontend: Frontend::Engine }
    }

    /// Scheduled runs (`daemon@scheduler`): not a person, and the same name
    /// whether a console or the daemon runs the scheduler, so the audit log
    /// reads the same either way.
    pub fn scheduler() -> Self {
        Actor { user: "daemon".to_string(), frontend: Frontend::Scheduler }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.frontend.as_str())
    }
}
