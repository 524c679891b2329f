//! Previews of the deployment verbs: status now → after, the version an
//! upgrade replaces (its undo is the upgrade back), and for config edits the
//! unified diff of the file as it is on the server now against the new
//! content (read over SFTP, nothing written). A YAML error the save would
//! refuse is refused here too.

use super::model::Deployment;
use super::store;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, DeployCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::{Preview, unified_diff};

const DEFAULT_CONFIG: &str = "configuration.yaml";

pub(crate) async fn preview(inner: &Inner, actor: &Actor, spec: &'static CommandSpec, command: DeployCommand) -> EngineResult<Preview> {
    use DeployCommand::*;
    let p = match command {
        DeployList { .. } | DeployStatus { .. } | DeployLogs { .. } | DeployLogsStop { .. } | DeployConfigRead { .. } | DeployConfigCheck { .. } => {
            Preview::reads(spec)
        }
        DeployCreate { name, server, version, runtime, port, .. } => {
            if store::exists(&inner.store, &name)? {
                return Err(EngineError::AlreadyExists { what: "deployment".into(), name });
            }
            crate::engine::servers::store::get(&inner.store, &server)?;
            Preview::new(spec, format!("install Home Assistant {version} as {name} on {server} ({}) and start it", runtime.as_deref().unwrap_or("venv")))
                .target(name.clone())
                .target(server)
                .change(&name, "version", None, Some(version))
                .change(&name, "port", None, Some(port.unwrap_or(8123).to_string()))
                .note("undo is deploy_remove (dangerous): it stops it and deletes its files")
        }
        DeployStart { name, .. } => status(inner, spec, &name, "start", "running")?.inverse(Command::DeployStop { name }),
        DeployStop { name } => {
            let d = store::get(&inner.store, &name)?;
            let p = status(inner, spec, &name, "stop", "stopped")?;
            if d.status.as_str() == "stopped" { p } else { p.inverse(Command::DeployStart { name, wait: None }) }
        }
        DeployRestart { name, .. } => status(inner, spec, &name, "restart", "running")?.note("Home Assistant is unavailable while it restarts"),
        DeployUpgrade { name, version, .. } => {
            let d = store::get(&inner.store, &name)?;
            if d.version == version {
                return Err(EngineError::invalid("version", version, &format!("a version other than the one {name} runs")));
            }
            Preview::new(spec, format!("upgrade {name} from {} to {version} (config snapshot first; rolled back if it is not healthy)", d.version))
                .target(name.clone())
                .change(&name, "version", Some(d.version.clone()), Some(version))
                .inverse(Command::DeployUpgrade { name, version: d.version, health_timeout: None })
        }
        DeployRemove { name, keep_backup } => {
            let d = store::get(&inner.store, &name)?;
            Preview::new(spec, format!("delete deployment {name} on {}: stop it, remove its {} and files", d.server, d.runtime))
                .target(name.clone())
                .change(&name, "deployment", Some(format!("{} {} on {}", d.version, d.status, d.server)), None)
                .note(if keep_backup.unwrap_or(true) { "a final config backup is kept" } else { "no final config backup (keep_backup=false)" })
                .note("cannot be undone by a command")
        }
        DeployCancel { name } => {
            let d = store::get(&inner.store, &name)?;
            Preview::new(spec, format!("cancel the operation running on {name} ({})", d.status)).target(name)
        }
        DeployConfigWrite { name, path, content, .. } => {
            let path = path.unwrap_or_else(|| DEFAULT_CONFIG.into());
            if super::yaml::is_yaml(&path)
                && let Err(e) = super::yaml::check(&content)
            {
                return Err(EngineError::invalid(&path, format!("line {}", e.line.unwrap_or(0)), &format!("valid YAML — {}", e.message)));
            }
            let d = store::get(&inner.store, &name)?;
            let now = super::config::current(inner, actor, &d, &path).await?;
            config_edit(spec, &d, &path, now.as_deref(), Some(&content), format!("save {path} of {name} (snapshot kept, then HA's config check)"))
                .inverse(Command::DeployConfigRevert { name, path: Some(path) })
        }
        DeployConfigRevert { name, path } => {
            let path = path.unwrap_or_else(|| DEFAULT_CONFIG.into());
            let d = store::get(&inner.store, &name)?;
            let Some((_, snap)) = store::newest_snapshot(&inner.store, &name, &path)? else {
                return Err(EngineError::invalid("path", path, &format!("a file of {name} saved through homedeck (it has no snapshot to revert to)")));
            };
            let now = super::config::current(inner, actor, &d, &path).await?;
            config_edit(spec, &d, &path, now.as_deref(), snap.content.as_deref(), format!("put {path} of {name} back as it was before the save at {}", snap.at.to_rfc3339()))
        }
    };
    Ok(p)
}

fn status(inner: &Inner, spec: &'static CommandSpec, name: &str, verb: &str, after: &str) -> EngineResult<Preview> {
    let d = store::get(&inner.store, name)?;
    Ok(Preview::new(spec, format!("{verb} {name} on {}", d.server))
        .target(name)
        .change(name, "status", Some(d.status.to_string()), Some(after.to_string())))
}

/// A file `from` → `to` (`None`: absent) as one change and a unified diff.
fn config_edit(spec: &'static CommandSpec, d: &Deployment, path: &str, from: Option<&str>, to: Option<&str>, summary: String) -> Preview {
    let target = format!("{}:{path}", d.name);
    let bytes = |t: Option<&str>| Some(t.map_or("(absent)".to_string(), |t| format!("{} lines, {} bytes", t.lines().count(), t.len())));
    Preview::new(spec, summary)
        .target(target.clone())
        .change(&target, "content", bytes(from), bytes(to))
        .with_diff(unified_diff(path, from.unwrap_or(""), to.unwrap_or("")))
}
