//! What a deployment is, as stored: which server, which runtime, which Home
//! Assistant version, where its files live on the server, the port it was
//! given, and what homedeck last knew of its state. Paths are absolute and
//! resolved on the server at create time, so SFTP and shell agree on them.

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::store::codec::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How Home Assistant runs on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuntimeKind {
    /// A Python venv with `pip install homeassistant==VERSION`.
    Venv,
    /// The official container image through the docker CLI.
    Docker,
}

impl RuntimeKind {
    pub fn parse(s: &str) -> EngineResult<RuntimeKind> {
        match s {
            "venv" => Ok(RuntimeKind::Venv),
            "docker" => Ok(RuntimeKind::Docker),
            _ => Err(EngineError::invalid("runtime", s, "venv or docker")),
        }
    }
}

impl fmt::Display for RuntimeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeKind::Venv => "venv",
            RuntimeKind::Docker => "docker",
        })
    }
}

/// What keeps a venv deployment running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Supervision {
    /// A systemd unit with Restart=on-failure (`user` = `systemctl --user`).
    Systemd { user: bool },
    /// homedeck's own supervisor script (restart on crash, pid file, log file),
    /// for servers without systemd.
    Homedeck,
    /// The docker engine's restart policy.
    Docker,
}

impl Supervision {
    pub fn label(&self) -> &'static str {
        match self {
            Supervision::Systemd { user: true } => "systemd (user)",
            Supervision::Systemd { user: false } => "systemd",
            Supervision::Homedeck => "homedeck supervisor",
            Supervision::Docker => "docker restart policy",
        }
    }
}

/// The last state homedeck saw or set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    /// `deploy create` is still installing.
    Installing,
    /// An upgrade is in progress.
    Upgrading,
    Running,
    Starting,
    Unhealthy,
    Stopped,
    /// The install did not finish (it is being cleaned up).
    Failed,
}

impl DeployStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeployStatus::Installing => "installing",
            DeployStatus::Upgrading => "upgrading",
            DeployStatus::Running => "running",
            DeployStatus::Starting => "starting",
            DeployStatus::Unhealthy => "unhealthy",
            DeployStatus::Stopped => "stopped",
            DeployStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for DeployStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Home Assistant instance homedeck installed and manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub name: String,
    pub server: String,
    pub runtime: RuntimeKind,
    pub supervision: Supervision,
    /// The Home Assistant version installed (PyPI version / image tag).
    pub version: String,
    pub port: u16,
    /// Address HA binds to (`server_host`); None = HA's default (all).
    #[serde(default)]
    pub bind: Option<String>,
    /// Everything homedeck created lives under here on the server.
    pub base_dir: String,
    /// Home Assistant's configuration directory.
    pub config_dir: String,
    /// Where the installed Home Assistant lives: the venv (a symlink to the
    /// per-version venv) or the container's /config volume.
    pub data_volume: String,
    /// The config dir existed before homedeck (never deleted by homedeck).
    #[serde(default)]
    pub config_preexisting: bool,
    /// A wheelhouse directory on the server for pip (`--find-links`), for
    /// offline or repeatable installs; also given to HA's own installs.
    #[serde(default)]
    pub find_links: Option<String>,
    /// The python the venv runtime builds venvs with (found at create).
    #[serde(default)]
    pub python: Option<String>,
    pub status: DeployStatus,
    #[serde(default)]
    pub status_reason: String,
    /// The site (home) this is at when set explicitly (`--site`, `site set`);
    /// `None` inherits its server's site. Absent in records written
    /// before sites existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

impl Record for Deployment {
    const WHAT: &'static str = "deployment";
}

impl Deployment {
    /// The directory of homedeck's runtime files (supervisor, pid, log).
    pub fn run_dir(&self) -> String {
        format!("{}/run", self.base_dir)
    }

    pub fn snapshot_dir(&self) -> String {
        format!("{}/snapshots", self.base_dir)
    }

    /// The venv of one version (the `venv` symlink points at the current one).
    pub fn venv_for(&self, version: &str) -> String {
        format!("{}/venvs/{version}", self.base_dir)
    }

    pub fn log_file(&self) -> String {
        format!("{}/home-assistant.out", self.run_dir())
    }

    /// The docker container's name.
    pub fn container(&self) -> String {
        format!("homedeck-{}", self.name)
    }

    /// The systemd unit's name.
    pub fn unit(&self) -> String {
        format!("homedeck-ha-{}.service", self.name)
    }
}

/// Deployment names become directory, unit and container names: keep them
/// to characters that need no quoting anywhere.
pub fn validate_name(name: &str) -> EngineResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "deployment name",
            name,
            "1–40 letters, digits, - or _, starting with a letter or digit",
        ))
    }
}

/// A Home Assistant release as PyPI and the image registry spell it
/// (`2024.3.3`, `2024.4.0b1`, `2025.1.0.dev0`). Refuses anything a shell or
/// pip could read as more than a version.
pub fn validate_version(v: &str) -> EngineResult<()> {
    let ok = !v.is_empty()
        && v.len() <= 32
        && v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid("version", v, "a Home Assistant release such as 2024.3.3"))
    }
}

/// An absolute path on the server (no `..`, no control characters).
pub fn validate_remote_dir(field: &str, p: &str) -> EngineResult<()> {
    let ok = p.starts_with('/')
        && !p.split('/').any(|part| part == "..")
        && !p.chars().any(|c| c.is_control())
        && p.len() <= 512;
    if ok { Ok(()) } else { Err(EngineError::invalid(field, p, "an absolute path on the server without `..`")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        for good in ["ha", "home-1", "a_b"] {
            validate_name(good).unwrap();
        }
        for bad in ["", "-x", "a b", "a/b", "x;rm", &"a".repeat(41)] {
            let e = validate_name(bad).unwrap_err().to_string();
            assert!(e.contains("deployment name"), "{e}");
        }
        for good in ["2024.3.3", "2024.4.0b1", "2025.1.0.dev0"] {
            validate_version(good).unwrap();
        }
        for bad in ["", "latest", "1; rm -rf /", "1.0 ", "2024.3.3\n", "==1"] {
            assert!(validate_version(bad).is_err(), "{bad:?}");
        }
        assert!(validate_remote_dir("config_dir", "/srv/ha").is_ok());
        assert!(validate_remote_dir("config_dir", "srv/ha").is_err());
        assert!(validate_remote_dir("config_dir", "/srv/../etc").is_err());
    }
}
