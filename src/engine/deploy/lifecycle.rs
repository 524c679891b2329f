//! Creating a deployment: checks on the server first (python or docker,
//! systemd, the port actually free there, leftovers), then the record is
//! stored as `installing` and the write gate released, then the runtime's
//! steps run with their output streamed and a cancel token watched. A
//! failed or cancelled install removes what it created — the directories,
//! the unit or container, and the record — and says so.

use crate::engine::{DeployEvent, DeployOutcome};
use super::control::{self, wait_healthy};
use super::model::{self, DeployStatus, Deployment, RuntimeKind, Supervision};
use super::remote::{Host, write_file_script};
use super::views::DeploymentView;
use super::{docker, ports, store, supervisor, venv};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::servers::quote::quote;
use crate::engine::servers::store as servers;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const PROBE: Duration = Duration::from_secs(30);

/// What `deploy_create` was asked for.
pub struct CreateRequest {
    pub name: String,
    pub server: String,
    pub version: String,
    pub runtime: Option<String>,
    pub port: Option<u16>,
    pub config_dir: Option<String>,
    pub bind: Option<String>,
    pub find_links: Option<String>,
    pub supervisor: Option<String>,
    pub wait: Option<bool>,
    /// The directory deployments go under [default `$HOME/homedeck/deployments`].
    pub root: Option<String>,
    /// The interpreter to build the venv with [default: the newest python3 found].
    pub python: Option<String>,
    /// The deployment's own site [default: its server's].
    pub site: Option<String>,
}

pub(crate) async fn create(inner: &Inner, ctx: &mut Ctx, req: CreateRequest) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(req.name.clone()));
    model::validate_name(&req.name)?;
    model::validate_version(&req.version)?;
    let runtime = RuntimeKind::parse(req.runtime.as_deref().unwrap_or("venv"))?;
    if let Some(dir) = &req.config_dir {
        model::validate_remote_dir("config_dir", dir)?;
    }
    if let Some(dir) = &req.find_links {
        model::validate_remote_dir("find_links", dir)?;
    }
    if let Some(dir) = &req.root {
        model::validate_remote_dir("root", dir)?;
    }
    if let Some(py) = &req.python {
        model::validate_remote_dir("python", py)?;
    }
    // Checked before anything is made on the server.
    crate::engine::sites::parse_site(req.site.clone())?;
    if let Some(b) = &req.bind
        && b.parse::<std::net::IpAddr>().is_err()
    {
        return Err(EngineError::invalid("bind", b, "an IP address such as 127.0.0.1 or 0.0.0.0"));
    }
    if store::exists(&inner.store, &req.name)? {
        return Err(EngineError::AlreadyExists { what: "deployment".into(), name: req.name });
    }
    let server = servers::get(&inner.store, &req.server)?;
    let host = Host { inner, server, actor: ctx.actor.clone() };
    let d = preflight(inner, &host, &req, runtime).await?;
    ctx.change("server", None, Some(d.server.clone()));
    ctx.change("version", None, Some(d.version.clone()));
    ctx.change("port", None, Some(d.port.to_string()));
    ctx.change("runtime", None, Some(format!("{} ({})", d.runtime, d.supervision.label())));
    let Some(cancel) = inner.deploy.begin(&d.name) else {
        return Err(EngineError::invalid("deployment", &d.name, "a deployment with no other operation running"));
    };
    store::put(&inner.store, &d)?;
    inner.store.flush()?;
    inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
    // Stored: other commands (and `deploy_cancel`) may run meanwhile.
    ctx.release_gate();
    let result = install(&host, &d, &cancel, req.wait.unwrap_or(true)).await;
    inner.deploy.end(&d.name);
    match result {
        Ok(health) => {
            let mut d = d;
            d.status = match health.as_ref().map(|h| h.state) {
                Some(super::views::HealthState::Running) => DeployStatus::Running,
                _ => DeployStatus::Starting,
            };
            d.updated = Utc::now();
            store::put(&inner.store, &d)?;
            inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
            ctx.describe(format!("created {} on {}: Home Assistant {} on port {}", d.name, d.server, d.version, d.port));
            Ok(Outcome::Deploy(DeployOutcome::Deployment { view: Box::new(DeploymentView { deployment: d, health }) }))
        }
        Err(e) => {
            let cleaned = cleanup(&host, &d).await;
            store::remove(&inner.store, &d.name)?;
            inner.emit(Event::Deploy(DeployEvent::DeploymentsChanged));
            ctx.describe(format!("create {} on {} failed; {cleaned}", d.name, d.server));
            Err(EngineError::Other(format!("creating deployment {} failed: {e} ({cleaned})", d.name)))
        }
    }
}

/// Everything that can be checked before anything is written.
async fn preflight(inner: &Inner, host: &Host<'_>, req: &CreateRequest, runtime: RuntimeKind) -> EngineResult<Deployment> {
    let name = &host.server.name;
    let root = match &req.root {
        Some(r) => r.trim_end_matches('/').to_string(),
        None => {
            let home = host.sh("reading $HOME", "printf %s \"$HOME\"", PROBE).await?;
            let home = home.trim().trim_end_matches('/').to_string();
            model::validate_remote_dir("home directory", if home.is_empty() { "(empty)" } else { &home })?;
            format!("{home}/homedeck/deployments")
        }
    };
    let base_dir = format!("{root}/{}", req.name);
    let listening = ports::listening_ports(&host.sh("reading listening ports", ports::LISTENING_PROBE, PROBE).await?);
    let taken: BTreeSet<u16> = store::all(&inner.store)?.iter().filter(|d| d.server == *name).map(|d| d.port).collect();
    let port = match req.port {
        Some(p) => {
            if let Some(other) = store::all(&inner.store)?.iter().find(|d| d.server == *name && d.port == p) {
                return Err(EngineError::invalid("port", p.to_string(), &format!("a port no other deployment on {name} uses (deployment {} has it)", other.name)));
            }
            if listening.contains(&p) {
                return Err(EngineError::invalid("port", p.to_string(), &format!("a free port: something on server {name} already listens on {p}")));
            }
            p
        }
        None => {
            let range = ports::parse_range(&inner.deploy.opts.get().port_range)?;
            ports::pick(&range, &taken, &listening).ok_or_else(|| {
                EngineError::invalid("port", &inner.deploy.opts.get().port_range, &format!("a range with a port that is free on server {name} (all are in use)"))
            })?
        }
    };
    let (supervision, python) = match runtime {
        RuntimeKind::Venv => {
            let found = host.sh("looking for python", &venv::find_python(req.python.as_deref()), PROBE).await?;
            let py = venv::parse_python(&found).ok_or_else(|| EngineError::Remote {
                server: name.clone(),
                detail: match &req.python {
                    Some(p) => format!("{p} was not found or is not a working python"),
                    None => "python3 was not found (Home Assistant needs Python ≥ 3.11 with venv; Debian: apt install python3 python3-venv)".into(),
                },
            })?;
            if let Some(problem) = venv::python_problem(&py) {
                return Err(EngineError::Remote { server: name.clone(), detail: problem });
            }
            let detect = host.sh("detecting systemd", supervisor::DETECT, PROBE).await?;
            let sup = supervisor::choose(&detect, req.supervisor.as_deref())
                .map_err(|why| EngineError::invalid("supervisor", req.supervisor.as_deref().unwrap_or("auto"), &why))?;
            (sup, py.path)
        }
        RuntimeKind::Docker => {
            let out = host.sh("checking docker", docker::PREFLIGHT, PROBE).await?;
            if let Some(problem) = docker::preflight_problem(&out) {
                return Err(EngineError::Remote { server: name.clone(), detail: problem });
            }
            (Supervision::Docker, String::new())
        }
    };
    let config_dir = req.config_dir.clone().unwrap_or_else(|| format!("{base_dir}/config"));
    let check = format!(
        "[ -e {b} ] && echo base=exists; [ -e {c}/configuration.yaml ] && echo config=exists; true",
        b = quote(&base_dir),
        c = quote(&config_dir)
    );
    let found = host.sh("checking directories", &check, PROBE).await?;
    if found.contains("base=exists") {
        return Err(EngineError::invalid(
            "deployment",
            &req.name,
            &format!("a name whose directory {base_dir} does not exist on {name} yet (left over from an earlier install? remove it first)"),
        ));
    }
    let now = Utc::now();
    Ok(Deployment {
        name: req.name.clone(),
        server: name.clone(),
        runtime,
        supervision,
        version: req.version.clone(),
        port,
        bind: req.bind.clone(),
        data_volume: match runtime {
            RuntimeKind::Venv => format!("{base_dir}/venv"),
            RuntimeKind::Docker => config_dir.clone(),
        },
        base_dir,
        config_dir,
        config_preexisting: found.contains("config=exists"),
        find_links: req.find_links.clone(),
        python: (!python.is_empty()).then_some(python),
        status: DeployStatus::Installing,
        status_reason: String::new(),
        site: crate::engine::sites::parse_site(req.site.clone())?,
        created: now,
        updated: now,
    })
}

/// The runtime's steps; the health at the end when asked to wait.
async fn install(host: &Host<'_>, d: &Deployment, cancel: &CancellationToken, wait: bool) -> EngineResult<Option<super::views::Health>> {
    let t = host.inner.deploy.opts.get().install_timeout;
    let short = Duration::from_secs(120);
    let dirs = format!(
        "mkdir -p {b}/run {b}/snapshots {c} && echo directories ready",
        b = quote(&d.base_dir),
        c = quote(&d.config_dir)
    );
    host.step(&d.name, "directories", &dirs, cancel, short).await?;
    if !d.config_preexisting {
        let internal = if d.runtime == RuntimeKind::Docker { 8123 } else { d.port };
        let text = venv::minimal_configuration(d, internal);
        let script = write_file_script(&format!("{}/configuration.yaml", d.config_dir), &text, "644");
        host.step(&d.name, "configuration.yaml", &script, cancel, short).await?;
    }
    match d.runtime {
        RuntimeKind::Venv => {
            let python = d.python.clone().unwrap_or_else(|| "python3".into());
            host.step(&d.name, "venv", &venv::create_venv(d, &python, &d.version), cancel, short).await?;
            host.step(&d.name, "constraints", &venv::constraints(d, &d.version), cancel, t).await?;
            host.step(&d.name, "pip install", &venv::pip_install(d, &d.version), cancel, t).await?;
            host.step(&d.name, "activate", &venv::activate(d, &d.version), cancel, short).await?;
            host.step(&d.name, "supervision", &supervisor::install(d), cancel, short).await?;
        }
        RuntimeKind::Docker => {
            host.step(&d.name, "docker pull", &docker::pull(&d.version), cancel, t).await?;
            host.step(&d.name, "docker run", &docker::run(d, &d.version), cancel, short).await?;
        }
    }
    control::launch(host, d, cancel).await?;
    if !wait {
        return Ok(None);
    }
    Ok(Some(wait_healthy(host, d, cancel).await?))
}

/// Remove what an install created; says what it removed.
pub(crate) async fn cleanup(host: &Host<'_>, d: &Deployment) -> String {
    let mut script = String::new();
    match d.runtime {
        RuntimeKind::Venv => {
            script.push_str(&supervisor::stop(d));
            script.push_str("; ");
            script.push_str(&supervisor::uninstall(d));
        }
        RuntimeKind::Docker => script.push_str(&format!("{} >/dev/null 2>&1", docker::action(d, "rm"))),
    }
    let mut removed = vec![d.base_dir.clone()];
    script.push_str(&format!("; rm -rf {}", quote(&d.base_dir)));
    if !d.config_preexisting && !d.config_dir.starts_with(&format!("{}/", d.base_dir)) {
        script.push_str(&format!(" {}", quote(&d.config_dir)));
        removed.push(d.config_dir.clone());
    }
    // Removing a venv is hundreds of MB of small files: allow for slow disks.
    match host.sh_any(&script, host.inner.deploy.opts.get().install_timeout).await {
        Ok(_) => format!("cleaned up: removed {} on {}", removed.join(" and "), d.server),
        Err(e) => format!("cleanup on {} failed, remove {} by hand: {e}", d.server, removed.join(" and ")),
    }
}
