//! What one evaluation round looks at, read once per round from what the
//! engine already knows: the newest health report per server (the health
//! poller's), and the stored state of devices, deployments, schedules,
//! backups, secrets and security events. Nothing here probes a peer, so a
//! round costs reads, not network round trips.

use crate::engine::error::EngineResult;
use crate::engine::security::{self, SecurityStatus};
use crate::engine::servers::health::types::{HealthReport, HealthState};
use crate::engine::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A server with its newest health report (`None`: not probed yet).
#[derive(Debug, Clone)]
pub struct ServerFact {
    pub name: String,
    pub tags: Vec<String>,
    pub site: Option<String>,
    pub report: Option<HealthReport>,
}

impl ServerFact {
    pub fn state(&self) -> HealthState {
        self.report.as_ref().map_or(HealthState::Unknown, |r| r.state)
    }
}

/// An ESPHome device, WLED device or FPP host.
#[derive(Debug, Clone)]
pub struct DeviceFact {
    pub name: String,
    pub site: Option<String>,
    pub online: bool,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DeploymentFact {
    pub name: String,
    pub server: String,
    pub site: Option<String>,
    pub status: crate::engine::deploy::model::DeployStatus,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct BackupFact {
    pub schedule: String,
    pub source: String,
    pub site: Option<String>,
    pub cron: String,
    pub tz: String,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub last_run: Option<DateTime<Utc>>,
    /// "ok: …", "failed: …", "interrupted: …" (the scheduler's words).
    pub last_result: Option<String>,
    /// The newest catalogued backup of the source, and its verify error.
    pub newest: Option<DateTime<Utc>>,
    pub newest_verify_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LightScheduleFact {
    pub name: String,
    pub target: String,
    pub enabled: bool,
    pub last_run: Option<DateTime<Utc>>,
    pub last_result: Option<String>,
    pub last_missed: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct SecretFact {
    pub name: String,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct SecurityFact {
    pub id: u64,
    pub kind: String,
    pub title: String,
    pub time: DateTime<Utc>,
    pub status: SecurityStatus,
}

/// Everything one round looks at.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub servers: Vec<ServerFact>,
    pub esphome: Vec<DeviceFact>,
    pub wled: Vec<DeviceFact>,
    pub fpp: Vec<DeviceFact>,
    pub deployments: Vec<DeploymentFact>,
    pub backups: Vec<BackupFact>,
    pub light_schedules: Vec<LightScheduleFact>,
    pub secrets: Vec<SecretFact>,
    pub security: Vec<SecurityFact>,
}

/// Which parts of the store a round needs (only those its rules watch).
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub servers: bool,
    pub esphome: bool,
    pub wled: bool,
    pub fpp: bool,
    pub deployments: bool,
    pub backups: bool,
    pub light_schedules: bool,
    pub secrets: bool,
    pub security: bool,
}

impl Needs {
    pub fn of(rules: &[super::rules::Rule]) -> Needs {
        use super::rules::Subject::*;
        let mut n = Needs::default();
        for r in rules.iter().filter(|r| r.enabled) {
            match r.kind.subject() {
                Server => n.servers = true,
                Esphome => n.esphome = true,
                Wled => n.wled = true,
                Fpp => n.fpp = true,
                // A deployment stopped by its server going down needs the servers too.
                Deployment => (n.deployments, n.servers) = (true, true),
                BackupSchedule => n.backups = true,
                LightSchedule => n.light_schedules = true,
                Secret => n.secrets = true,
                SecurityEvent => n.security = true,
            }
        }
        n
    }
}

/// Read what `needs` asks for. `latest`: the health poller's newest report
/// per server.
pub fn gather(store: &Store, latest: &HashMap<String, HealthReport>, needs: Needs) -> EngineResult<Facts> {
    let mut f = Facts::default();
    if needs.servers {
        for s in crate::engine::servers::store::all(store)? {
            let report = latest.get(&s.name).cloned();
            f.servers.push(ServerFact { name: s.name, tags: s.tags, site: s.site, report });
        }
    }
    if needs.esphome {
        for d in crate::engine::esphome::registry::list(store)? {
            f.esphome.push(DeviceFact { name: d.name, site: d.site, online: d.online, last_seen: d.last_seen, last_error: d.last_error });
        }
    }
    if needs.wled || needs.fpp {
        let inv = crate::engine::lights::inventory::Inventory::open(store)?;
        if needs.wled {
            for d in inv.devices()? {
                f.wled.push(DeviceFact { name: d.name, site: d.site, online: d.online, last_seen: d.last_seen, last_error: d.last_error });
            }
        }
        if needs.fpp {
            for h in inv.hosts()? {
                f.fpp.push(DeviceFact { name: h.name, site: h.site, online: h.online, last_seen: h.last_seen, last_error: h.last_error });
            }
        }
    }
    if needs.deployments {
        let sites: HashMap<&str, Option<&str>> = f.servers.iter().map(|s| (s.name.as_str(), s.site.as_deref())).collect();
        for d in crate::engine::deploy::store::all(store)? {
            let site = crate::engine::sites::inherit(d.site.as_deref(), sites.get(d.server.as_str()).copied().flatten());
            f.deployments.push(DeploymentFact { name: d.name, server: d.server, site, status: d.status, reason: d.status_reason });
        }
    }
    if needs.backups {
        gather_backups(store, &mut f)?;
    }
    if needs.light_schedules {
        for s in crate::engine::lights::schedule::client::all(store)? {
            f.light_schedules.push(LightScheduleFact {
                last_missed: s.missed.last().copied(),
                name: s.name,
                target: s.target,
                enabled: s.enabled,
                last_run: s.last_run,
                last_result: s.last_result,
            });
        }
    }
    if needs.secrets {
        for m in crate::engine::vault::all_meta(store)? {
            f.secrets.push(SecretFact { due_at: m.rotation_due_at(), name: m.name });
        }
    }
    if needs.security {
        for e in security::list(store, None, usize::MAX)?.into_iter().filter(|e| e.status.is_open()) {
            f.security.push(SecurityFact { id: e.id, kind: e.kind, title: e.title, time: e.time, status: e.status });
        }
    }
    Ok(f)
}

fn gather_backups(store: &Store, f: &mut Facts) -> EngineResult<()> {
    use crate::engine::backup::catalog;
    let schedules = catalog::schedules(store)?;
    if schedules.is_empty() {
        return Ok(());
    }
    // Newest entry per source, in one pass over the catalog.
    let mut newest: HashMap<String, (DateTime<Utc>, Option<String>)> = HashMap::new();
    for e in catalog::entries(store)? {
        let slot = newest.entry(e.source.clone()).or_insert((e.created, e.verify_error.clone()));
        if e.created > slot.0 {
            *slot = (e.created, e.verify_error.clone());
        }
    }
    let sources: HashMap<String, Option<String>> = catalog::sources(store)?.into_iter().map(|s| (s.name.clone(), s.site.clone())).collect();
    for s in schedules {
        let (newest_at, verify) = newest.get(&s.source).cloned().map_or((None, None), |(t, v)| (Some(t), v));
        f.backups.push(BackupFact {
            site: sources.get(&s.source).cloned().flatten(),
            schedule: s.name,
            source: s.source,
            cron: s.cron,
            tz: s.tz,
            enabled: s.enabled,
            created: s.created,
            last_run: s.last_run,
            last_result: s.last_result,
            newest: newest_at,
            newest_verify_error: verify,
        });
    }
    Ok(())
}
