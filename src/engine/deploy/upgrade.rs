//! Upgrade with rollback. The config is snapshotted first; the new version
//! is installed beside the running one (its own venv, or a pulled image), so
//! a failed install changes nothing and costs no downtime. Then HA is
//! stopped, switched, started and health-checked; if it is not healthy
//! within the timeout, the previous version and the snapshotted config are
//! put back and started again. The result says which of these happened.

use crate::engine::{DeployEvent, DeployOutcome};
use super::control::{self, snapshot_script, stamp, wait_healthy, wait_healthy_within};
use super::model::{self, DeployStatus, Deployment, RuntimeKind};
use super::remote::Host;
use super::views::UpgradeReport;
use super::{docker, store, supervisor, venv};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::servers::quote::quote;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const SHORT: Duration = Duration::from_secs(120);

/// Longest health timeout an upgrade accepts (a day would hide a hung start).
const MAX_HEALTH_TIMEOUT: u32 = 3600;

/// The time the new version gets to come up healthy: the request's, or the
/// configured `healthy_timeout`. The rollback always waits the configured
/// time for the old version, which is known to work.
fn health_timeout(requested: Option<u32>, default: Duration) -> EngineResult<Duration> {
    match requested {
        None => Ok(default),
        Some(s) if (1..=MAX_HEALTH_TIMEOUT).contains(&s) => Ok(Duration::from_secs(u64::from(s))),
        Some(s) => Err(EngineError::invalid("health_timeout", s.to_string(), &format!("seconds between 1 and {MAX_HEALTH_TIMEOUT}"))),
    }
}

pub(crate) async fn upgrade(inner: &Inner, ctx: &mut Ctx, name: &str, version: &str, requested_timeout: Option<u32>) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    model::validate_version(version)?;
    let timeout = health_timeout(requested_timeout, inner.deploy.opts.get().healthy_timeout)?;
    let mut d = store::get(&inner.store, name)?;
    // The same version would be installed into the venv it is running from
    // (venvs are per version) — that is a reinstall, not an upgrade.
    if d.version == version {
        return Err(EngineError::invalid("version", version, &format!("a version other than the installed {}", d.version)));
    }
    let host = control::host(inner, &ctx.actor, &d)?;
    let Some(cancel) = inner.deploy.begin(name) else {
        return Err(EngineError::invalid("deployment", name, "a deployment with no other operation running (see deploy_cancel)"));
    };
    let old = d.version.clone();
    ctx.change("version", Some(old.clone()), Some(version.to_string()));
    let before = d.status;
    d.status = DeployStatus::Upgrading;
    store::put(&inner.store, &d)?;
    inner.store.flush()?;
    inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
    ctx.release_gate();
    let result = run(&host, &d, version, timeout, &cancel).await;
    inner.deploy.end(name);
    match result {
        Ok((snapshot, health)) => {
            d.version = version.to_string();
            d.status = DeployStatus::Running;
            d.status_reason.clear();
            d.updated = Utc::now();
            store::put(&inner.store, &d)?;
            inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
            ctx.describe(format!("upgraded {name} from {old} to {version}; config snapshot {snapshot}"));
            Ok(Outcome::Deploy(DeployOutcome::Upgraded {
                report: Box::new(UpgradeReport {
                    deployment: name.into(),
                    from: old,
                    to: version.into(),
                    upgraded: true,
                    rolled_back: false,
                    reason: String::new(),
                    snapshot,
                    health: Some(health),
                }),
            }))
        }
        Err(failure) => {
            d.status = if failure.healthy_again { DeployStatus::Running } else if before == DeployStatus::Stopped { DeployStatus::Stopped } else { DeployStatus::Unhealthy };
            d.status_reason = failure.message.clone();
            d.updated = Utc::now();
            store::put(&inner.store, &d)?;
            inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
            ctx.describe(format!("upgrade of {name} to {version} failed: {}", failure.message));
            Err(EngineError::Other(format!("upgrading {name} from {old} to {version} failed: {}", failure.message)))
        }
    }
}

struct Failure {
    message: String,
    healthy_again: bool,
}

/// Snapshot, install beside, switch, check; roll back on failure.
async fn run(host: &Host<'_>, d: &Deployment, version: &str, timeout: Duration, cancel: &CancellationToken) -> Result<(String, super::views::Health), Failure> {
    let fail = |m: String| Failure { message: m, healthy_again: false };
    let snapshot = format!("{}/pre-upgrade-{}-{}.tar.gz", d.snapshot_dir(), d.version, stamp());
    host.step(&d.name, "config snapshot", &snapshot_script(d, &snapshot), cancel, SHORT).await.map_err(|e| fail(e.to_string()))?;
    let t = host.inner.deploy.opts.get().install_timeout;
    // 1. Install beside the running version: nothing changes if this fails.
    let installed = match d.runtime {
        RuntimeKind::Venv => {
            let python = d.python.clone().unwrap_or_else(|| "python3".into());
            async {
                host.step(&d.name, "venv", &venv::create_venv(d, &python, version), cancel, SHORT).await?;
                host.step(&d.name, "constraints", &venv::constraints(d, version), cancel, t).await?;
                host.step(&d.name, "pip install", &venv::pip_install(d, version), cancel, t).await
            }
            .await
        }
        RuntimeKind::Docker => host.step(&d.name, "docker pull", &docker::pull(version), cancel, t).await,
    };
    if let Err(e) = installed {
        let mut left = String::new();
        if d.runtime == RuntimeKind::Venv {
            left = remove_venv(host, d, version).await;
        }
        return Err(Failure {
            message: format!("installing {version} failed, so nothing was switched: {} stays on {} with its config unchanged ({e}){left}", d.name, d.version),
            healthy_again: true,
        });
    }
    // 2. Switch and check.
    let mut new = d.clone();
    new.version = version.to_string();
    let switched = async {
        switch(host, d, &new, cancel).await?;
        wait_healthy_within(host, &new, cancel, timeout).await
    }
    .await;
    match switched {
        Ok(health) => {
            if d.runtime == RuntimeKind::Venv {
                let left = remove_venv(host, d, &d.version).await;
                if !left.is_empty() {
                    tracing::warn!(deployment = %d.name, "upgrade to {version} done{left}");
                }
            }
            Ok((snapshot, health))
        }
        Err(e) => {
            // 3. Roll back: previous version, snapshotted config, start, check.
            let back = CancellationToken::new();
            let mut left = String::new();
            let rolled = async {
                stop_current(host, &new, &back).await?;
                host.step(&d.name, "restore config", &restore_script(d, &snapshot), &back, SHORT).await?;
                start_version(host, d, &back).await?;
                if d.runtime == RuntimeKind::Venv {
                    left = remove_venv(host, d, version).await;
                }
                wait_healthy(host, d, &back).await
            }
            .await;
            Err(match rolled {
                Ok(_) => Failure {
                    message: format!("{version} did not come up healthy ({e}); rolled back to {} with the config from {snapshot}, healthy again{left}", d.version),
                    healthy_again: true,
                },
                Err(r) => Failure {
                    message: format!("{version} did not come up healthy ({e}); rolling back to {} also failed: {r}", d.version),
                    healthy_again: false,
                },
            })
        }
    }
}

/// Removes the venv of `version`, retrying while something that outlived
/// its Home Assistant (a `pip install` it started) still writes into it.
/// Returns "" when it is gone, or a note for the user naming what is left.
async fn remove_venv(host: &Host<'_>, d: &Deployment, version: &str) -> String {
    let venv = quote(&d.venv_for(version));
    let script = format!("i=0; while [ $i -lt 50 ]; do rm -rf {venv} 2>/dev/null; [ -e {venv} ] || exit 0; sleep 0.2; i=$((i+1)); done; rm -rf {venv}; [ ! -e {venv} ]");
    match host.sh_any(&script, host.inner.deploy.opts.get().install_timeout).await {
        Ok((Some(0), _, _)) => String::new(),
        Ok((code, _, err)) => format!("; the venv {} could not be removed (exit {code:?}: {}) — remove it by hand", d.venv_for(version), err.trim()),
        Err(e) => format!("; the venv {} could not be removed ({e}) — remove it by hand", d.venv_for(version)),
    }
}

/// Stop `from`, make `to` current, start it.
async fn switch(host: &Host<'_>, from: &Deployment, to: &Deployment, cancel: &CancellationToken) -> EngineResult<()> {
    stop_current(host, from, cancel).await?;
    start_version(host, to, cancel).await
}

async fn stop_current(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken) -> EngineResult<()> {
    let script = match d.runtime {
        RuntimeKind::Venv => supervisor::stop(d),
        RuntimeKind::Docker => format!("{} >/dev/null 2>&1; true", docker::action(d, "rm")),
    };
    host.step(&d.name, "stop", &script, cancel, SHORT).await.map(|_| ())
}

/// Make `d.version` the current one and start it.
async fn start_version(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken) -> EngineResult<()> {
    match d.runtime {
        RuntimeKind::Venv => {
            host.step(&d.name, "activate", &venv::activate(d, &d.version), cancel, SHORT).await?;
            control::launch(host, d, cancel).await
        }
        RuntimeKind::Docker => host.step(&d.name, "docker run", &docker::run(d, &d.version), cancel, SHORT).await.map(|_| ()),
    }
}

/// Put the snapshotted config back (the database and logs stay).
pub fn restore_script(d: &Deployment, snapshot: &str) -> String {
    format!(
        "cd {c} && find . -mindepth 1 -maxdepth 1 ! -name 'home-assistant_v2.db*' ! -name '*.log*' ! -name deps ! -name tts -exec rm -rf {{}} + && tar -xzf {s} -C {c} && echo restored {s}",
        c = quote(&d.config_dir),
        s = quote(snapshot)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_timeout_is_the_default_or_a_sane_number_of_seconds() {
        let d = Duration::from_secs(600);
        assert_eq!(health_timeout(None, d).unwrap(), d);
        assert_eq!(health_timeout(Some(5), d).unwrap(), Duration::from_secs(5));
        for bad in [0, MAX_HEALTH_TIMEOUT + 1] {
            let e = health_timeout(Some(bad), d).unwrap_err().to_string();
            assert!(e.contains(&bad.to_string()) && e.contains("seconds between 1 and 3600"), "{e}");
        }
    }

    #[test]
    fn snapshot_and_restore_round_trip_locally() {
        let tmp = std::env::temp_dir().join(format!("homedeck-restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let mut d = crate::engine::deploy::supervisor::tests::sample(crate::engine::deploy::model::Supervision::Homedeck);
        d.base_dir = tmp.display().to_string();
        d.config_dir = tmp.join("config it's").display().to_string();
        std::fs::create_dir_all(&d.config_dir).unwrap();
        let c = std::path::Path::new(&d.config_dir);
        std::fs::write(c.join("configuration.yaml"), "a: 1\n").unwrap();
        std::fs::write(c.join("home-assistant_v2.db"), "db").unwrap();
        let snap = format!("{}/s.tar.gz", d.snapshot_dir());
        let sh = |s: &str| assert!(std::process::Command::new("sh").arg("-c").arg(s).status().unwrap().success(), "{s}");
        sh(&snapshot_script(&d, &snap));
        std::fs::write(c.join("configuration.yaml"), "broken: [\n").unwrap();
        std::fs::write(c.join("new.yaml"), "x").unwrap();
        std::fs::write(c.join("home-assistant_v2.db"), "db2").unwrap();
        sh(&restore_script(&d, &snap));
        assert_eq!(std::fs::read_to_string(c.join("configuration.yaml")).unwrap(), "a: 1\n");
        assert!(!c.join("new.yaml").exists());
        // The database is not part of a config snapshot and is left alone.
        assert_eq!(std::fs::read_to_string(c.join("home-assistant_v2.db")).unwrap(), "db2");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
