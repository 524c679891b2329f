//! Start, stop, restart, wait for health, status, list, cancel and delete.
//! Every verb updates the stored status and broadcasts the change; the
//! dispatcher audits it.

use crate::engine::{DeployEvent, DeployOutcome};
use super::health;
use super::model::{DeployStatus, Deployment, RuntimeKind};
use super::remote::Host;
use super::views::{DeploymentView, Health, HealthState, RemoveReport};
use super::{docker, store, supervisor};
use crate::engine::actor::Actor;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::servers::quote::quote;
use crate::engine::servers::store as servers;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const SHORT: Duration = Duration::from_secs(120);

pub(crate) fn host<'a>(inner: &'a Inner, actor: &Actor, d: &Deployment) -> EngineResult<Host<'a>> {
    Ok(Host { inner, server: servers::get(&inner.store, &d.server)?, actor: actor.clone() })
}

/// Start the process (supervisor, unit or container) without waiting.
pub(crate) async fn launch(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken) -> EngineResult<()> {
    let script = match d.runtime {
        RuntimeKind::Venv => supervisor::start(d),
        RuntimeKind::Docker => docker::action(d, "start"),
    };
    host.step(&d.name, "start", &script, cancel, SHORT).await.map(|_| ())
}

async fn halt(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken) -> EngineResult<()> {
    let script = match d.runtime {
        RuntimeKind::Venv => supervisor::stop(d),
        RuntimeKind::Docker => docker::action(d, "stop"),
    };
    host.step(&d.name, "stop", &script, cancel, SHORT).await.map(|_| ())
}

/// Poll until HA is healthy; an error (with the state, reasons and the end
/// of the log) when it is not within the configured timeout.
pub(crate) async fn wait_healthy(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken) -> EngineResult<Health> {
    wait_healthy_within(host, d, cancel, host.inner.deploy.opts.get().healthy_timeout).await
}

/// `wait_healthy` with an explicit timeout (an upgrade's new version may be
/// given less or more time than the configured default).
pub(crate) async fn wait_healthy_within(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken, timeout: Duration) -> EngineResult<Health> {
    let start = Instant::now();
    let mut last_state = None;
    loop {
        let h = health::check(host.inner, &host.actor, d, false).await;
        if last_state != Some(h.state) {
            let line = format!("{} after {} s {}", h.state.as_str(), start.elapsed().as_secs(), h.reasons.join("; "));
            host.inner.emit(Event::Deploy(DeployEvent::DeployProgress { deployment: d.name.clone(), step: "health".into(), line }));
            last_state = Some(h.state);
        }
        if h.state == HealthState::Running {
            return Ok(h);
        }
        if start.elapsed() >= timeout || cancel.is_cancelled() || h.state == HealthState::Stopped && start.elapsed() > Duration::from_secs(20) {
            let why = if cancel.is_cancelled() { "was cancelled".to_string() } else { format!("was not healthy within {} s", start.elapsed().as_secs()) };
            let tail = super::logs::tail(host, d, 15).await.unwrap_or_default().join("\n");
            return Err(EngineError::Other(format!(
                "Home Assistant {} {why}: {} ({}); last log lines:\n{}",
                d.name,
                h.state.as_str(),
                h.reasons.join("; "),
                super::remote::last(&tail)
            )));
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = cancel.cancelled() => {}
        }
    }
}

fn save_status(inner: &Inner, d: &mut Deployment, status: DeployStatus, reason: &str) -> EngineResult<()> {
    d.status = status;
    d.status_reason = reason.to_string();
    d.updated = Utc::now();
    store::put(&inner.store, d)?;
    inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
    Ok(())
}

/// `start`, `stop` or `restart`.
pub(crate) async fn act(inner: &Inner, ctx: &mut Ctx, name: &str, action: &str, wait: bool) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    let mut d = store::get(&inner.store, name)?;
    let host = host(inner, &ctx.actor, &d)?;
    let Some(cancel) = inner.deploy.begin(name) else {
        return Err(EngineError::invalid("deployment", name, "a deployment with no other operation running (see deploy_cancel)"));
    };
    ctx.release_gate();
    let before = d.status;
    let result = async {
        if action != "start" {
            halt(&host, &d, &cancel).await?;
        }
        if action == "stop" {
            return Ok(None);
        }
        launch(&host, &d, &cancel).await?;
        if wait { wait_healthy(&host, &d, &cancel).await.map(Some) } else { Ok(None) }
    }
    .await;
    inner.deploy.end(name);
    let (status, reason) = match (&result, action) {
        (Ok(_), "stop") => (DeployStatus::Stopped, String::new()),
        (Ok(Some(_)), _) => (DeployStatus::Running, String::new()),
        (Ok(None), _) => (DeployStatus::Starting, String::new()),
        (Err(e), _) => (DeployStatus::Unhealthy, e.to_string()),
    };
    save_status(inner, &mut d, status, &reason)?;
    ctx.change("status", Some(before.to_string()), Some(status.to_string()));
    ctx.describe(format!("{action} {name} on {}", d.server));
    let health = result?;
    Ok(Outcome::Deploy(DeployOutcome::Deployment { view: Box::new(DeploymentView { deployment: d, health }) }))
}

/// Restart and wait until healthy, for work outside the deploy verbs (a
/// backup restore of the deployment's config dir). Stores the new status.
pub(crate) async fn restart_and_wait(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<Health> {
    let mut d = store::get(&inner.store, name)?;
    let host = host(inner, actor, &d)?;
    let Some(cancel) = inner.deploy.begin(name) else {
        return Err(EngineError::invalid("deployment", name, "a deployment with no other operation running (see deploy_cancel)"));
    };
    let result = async {
        halt(&host, &d, &cancel).await?;
        launch(&host, &d, &cancel).await?;
        wait_healthy(&host, &d, &cancel).await
    }
    .await;
    inner.deploy.end(name);
    let (status, reason) = match &result {
        Ok(_) => (DeployStatus::Running, String::new()),
        Err(e) => (DeployStatus::Unhealthy, e.to_string()),
    };
    save_status(inner, &mut d, status, &reason)?;
    result
}

/// Every deployment with a quick health (no token use).
pub(crate) async fn list(inner: &Inner, actor: &Actor, with_health: bool) -> EngineResult<Outcome> {
    let mut all = store::all(&inner.store)?;
    crate::engine::sites::index::fill_deployments(&inner.store, &mut all)?;
    let healths: Vec<Option<Health>> = if with_health {
        futures::future::join_all(all.iter().map(|d| async move { Some(health::check(inner, actor, d, false).await) })).await
    } else {
        vec![None; all.len()]
    };
    let deployments = all.into_iter().zip(healths).map(|(deployment, health)| DeploymentView { deployment, health }).collect();
    Ok(Outcome::Deploy(DeployOutcome::Deployments { deployments }))
}

/// One deployment with its full health (including `/api/` with the token).
pub(crate) async fn status(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<Outcome> {
    let mut d = store::get(&inner.store, name)?;
    let h = health::check(inner, actor, &d, true).await;
    crate::engine::sites::index::fill_deployments(&inner.store, std::slice::from_mut(&mut d))?;
    Ok(Outcome::Deploy(DeployOutcome::Deployment { view: Box::new(DeploymentView { deployment: d, health: Some(h) }) }))
}

pub(crate) fn cancel(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    store::get(&inner.store, name)?;
    if !inner.deploy.cancel(name) {
        return Err(EngineError::invalid("deployment", name, "a deployment with an operation running (nothing to cancel)"));
    }
    ctx.describe(format!("cancelled the running operation on {name}"));
    Ok(Outcome::done(format!("cancelling the running operation on {name}")))
}

/// A tarball of the config dir (without the database and logs) on the server.
pub fn snapshot_script(d: &Deployment, dest: &str) -> String {
    format!(
        "mkdir -p \"$(dirname {dest})\" && tar -czf {dest} -C {config} --exclude='home-assistant_v2.db*' --exclude='*.log*' --exclude=deps --exclude=tts . && echo {dest}",
        dest = quote(dest),
        config = quote(&d.config_dir)
    )
}

pub fn stamp() -> String {
    Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

/// Delete: final config backup (on the server and copied here) unless told
/// not to, stop, remove the unit/container and the files homedeck created.
pub(crate) async fn remove(inner: &Inner, ctx: &mut Ctx, name: &str, keep_backup: bool) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    let d = store::get(&inner.store, name)?;
    let host = host(inner, &ctx.actor, &d)?;
    if inner.deploy.ops.lock().map(|o| o.contains_key(name)).unwrap_or(false) {
        return Err(EngineError::invalid("deployment", name, "a deployment with no operation running (cancel it first)"));
    }
    let cancel = CancellationToken::new();
    // Reach the server first: `cleanup` reports its failures as text, so a
    // locked vault must surface here as itself (the CLI then unlocks and
    // retries) rather than as a failed cleanup.
    host.sh("reach the server", ":", SHORT).await?;
    let (mut backup_remote, mut backup_local) = (None, None);
    if keep_backup {
        // Beside the deployments, so it outlives the deployment's own dir.
        let root = d.base_dir.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
        let dest = format!("{root}/.backups/{name}-final-{}.tar.gz", stamp());
        host.step(name, "final backup", &snapshot_script(&d, &dest), &cancel, SHORT).await?;
        let dir = inner.opts.data_dir.join("deploy-backups");
        std::fs::create_dir_all(&dir).map_err(|e| EngineError::Other(format!("cannot create {}: {e}", dir.display())))?;
        let local = dir.join(dest.rsplit('/').next().unwrap_or("backup.tar.gz"));
        crate::engine::servers::transfer::get_file(inner, &host.server, &ctx.actor, &dest, &local, |_, _| {}).await?;
        backup_local = Some(local.display().to_string());
        backup_remote = Some(dest);
    }
    let cleaned = super::lifecycle::cleanup(&host, &d).await;
    if cleaned.contains("failed") {
        return Err(EngineError::Remote { server: d.server.clone(), detail: cleaned });
    }
    store::remove(&inner.store, name)?;
    inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
    ctx.change("deployment", Some(format!("{} {} on {}", d.name, d.version, d.server)), None);
    ctx.describe(match &backup_remote {
        Some(b) => format!("deleted {name} ({cleaned}); final config backup {b}"),
        None => format!("deleted {name} ({cleaned}); no backup kept"),
    });
    Ok(Outcome::Deploy(DeployOutcome::DeploymentRemoved { report: RemoveReport { deployment: name.into(), backup_remote, backup_local } }))
}
