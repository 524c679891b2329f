//! The audit entry and its vocabulary (category, severity, status).

use crate::engine::actor::Actor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The area an action touched; indexed, so filtering by it is cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Vault,
    Secret,
    Audit,
    Security,
    System,
    Server,
    Esphome,
    Lights,
    Backup,
    Deploy,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Vault,
        Category::Secret,
        Category::Audit,
        Category::Security,
        Category::System,
        Category::Server,
        Category::Esphome,
        Category::Lights,
        Category::Backup,
        Category::Deploy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Vault => "vault",
            Category::Secret => "secret",
            Category::Audit => "audit",
            Category::Security => "security",
            Category::System => "system",
            Category::Server => "server",
            Category::Esphome => "esphome",
            Category::Lights => "lights",
            Category::Backup => "backup",
            Category::Deploy => "deploy",
        }
    }
}

/// Ordered from least to most severe, so `min_severity` filters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    /// It ran and failed (an error, a non-zero exit code: see `error`).
    Failure,
    /// Stopped by the operator (Ctrl-C, `x`, a cancel verb) before it finished.
    Cancelled,
    /// The operator saw a preview or a question and said no: nothing ran.
    Declined,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Cancelled => "cancelled",
            Status::Declined => "declined",
        }
    }
}

macro_rules! display_and_parse {
    ($t:ty, $what:literal, $expected:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <$t>::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!(concat!("invalid ", $what, " {:?} — expected one of ", $expected), s))
            }
        }
    };
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Success, Status::Failure, Status::Cancelled, Status::Declined];
}
display_and_parse!(Category, "category", "vault, secret, audit, security, system, server, esphome, lights, backup, deploy");
display_and_parse!(Severity, "severity", "info, low, medium, high, critical");
display_and_parse!(Status, "status", "success, failure, cancelled, declined");

/// What an action was done to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
}

impl Resource {
    pub fn new(kind: &str, id: Option<String>, name: Option<String>) -> Self {
        Resource { kind: kind.to_string(), id, name }
    }
}

/// One field's before and after. Secret values appear only as `[redacted]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub fn new(field: &str, before: Option<String>, after: Option<String>) -> Self {
        Change { field: field.to_string(), before, after }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    pub time: DateTime<Utc>,
    pub actor: Actor,
    /// The command's stable name.
    pub action: String,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub resource: Option<Resource>,
    pub description: String,
    pub changes: Vec<Change>,
    pub error: Option<String>,
}

impl AuditEntry {
    /// Does `needle` (lower-case) occur in any text a person would search?
    pub fn mentions(&self, needle: &str) -> bool {
        let hay = [
            self.action.as_str(),
            self.description.as_str(),
            self.error.as_deref().unwrap_or(""),
            self.resource.as_ref().and_then(|r| r.name.as_deref()).unwrap_or(""),
            self.resource.as_ref().map(|r| r.kind.as_str()).unwrap_or(""),
            self.actor.user.as_str(),
        ];
        hay.iter().any(|h| h.to_lowercase().contains(needle))
            || self.changes.iter().any(|c| c.field.to_lowercase().contains(needle))
    }
}
