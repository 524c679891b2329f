//! A deployment's health, from two sides: the process (supervisor pid files,
//! the systemd unit, or the container) probed over SSH, and Home Assistant's
//! web server over HTTP — `/manifest.json` (no token needed) and, when a
//! connection profile of the same name exists, `/api/` with its token.

use super::model::{Deployment, RuntimeKind, Supervision};
use super::remote::Host;
use super::views::{Health, HealthState};
use super::{docker, supervisor};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::EngineResult;
use crate::engine::ha;
use crate::engine::servers::model::Server;
use crate::engine::servers::store as servers;
use chrono::Utc;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Where homedeck reaches the deployment's web server.
pub fn base_url(d: &Deployment, server: &Server) -> String {
    let wildcard = |b: &str| b == "0.0.0.0" || b == "::" || b.is_empty();
    let host = if server.is_local() {
        d.bind.clone().filter(|b| !wildcard(b)).unwrap_or_else(|| "127.0.0.1".into())
    } else {
        server.host.clone()
    };
    let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host };
    format!("http://{host}:{}", d.port)
}

/// The URL of deployment `name`, for `ha_add deployment=NAME` (handed to
/// the `ha` runtime at engine start so `ha` never imports `deploy`).
pub(crate) fn deployment_url(inner: &Inner, name: &str) -> EngineResult<String> {
    let d = super::store::get(&inner.store, name)?;
    let server = servers::get(&inner.store, &d.server)?;
    Ok(base_url(&d, &server))
}

/// `key=value` words → map (later keys win; junk ignored). Values never
/// hold spaces in the probes homedeck writes.
pub fn parse_probe(out: &str) -> HashMap<String, String> {
    out.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What the process side says: (running, process text, supervisor text, uptime, restarts, version).
struct Process {
    running: bool,
    process: String,
    supervisor: String,
    uptime: Option<u64>,
    restarts: Option<u64>,
    version: Option<String>,
}

fn judge_process(d: &Deployment, p: &HashMap<String, String>) -> Process {
    let num = |k: &str| p.get(k).and_then(|v| v.parse::<i64>().ok());
    let version = p.get("version").filter(|v| !v.is_empty()).cloned();
    let restarts = num("restarts").and_then(|n| u64::try_from(n).ok());
    match d.supervision {
        Supervision::Docker => {
            let state = p.get("state").cloned().unwrap_or_else(|| "missing".into());
            let started = p.get("started").and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
            let uptime = started.map(|s| (Utc::now() - s.with_timezone(&Utc)).num_seconds().max(0) as u64);
            let image_version = p.get("image").and_then(|i| i.rsplit(':').next()).map(String::from);
            Process {
                running: state == "running",
                process: format!("container {state}"),
                supervisor: supervisor_label(d, &state),
                uptime: if state == "running" { uptime } else { None },
                restarts,
                version: version.or(image_version),
            }
        }
        _ => {
            let running = p.get("hass").is_some_and(|h| h == "running");
            let sup = p.get("supervisor").cloned().unwrap_or_else(|| "unknown".into());
            let uptime = match (num("started"), num("now")) {
                (Some(s), Some(n)) if running => u64::try_from(n - s).ok(),
                _ => None,
            };
            let pid = p.get("pid").filter(|x| !x.is_empty() && *x != "0");
            Process {
                running,
                process: match (running, pid) {
                    (true, Some(pid)) => format!("running (pid {pid})"),
                    (true, None) => "running".into(),
                    (false, _) => "not running".into(),
                },
                supervisor: supervisor_label(d, &sup),
                uptime,
                restarts,
                version,
            }
        }
    }
}

fn supervisor_label(d: &Deployment, state: &str) -> String {
    format!("{}: {state}", d.supervision.label())
}

/// Probe both sides. `with_api` also checks `/api/` with the profile's token
/// (that reads a vault secret, so list views skip it).
pub(crate) async fn check(inner: &Inner, actor: &Actor, d: &Deployment, with_api: bool) -> Health {
    let mut reasons = Vec::new();
    let server = match servers::get(&inner.store, &d.server) {
        Ok(s) => s,
        Err(e) => return unknown(d, &e.to_string()),
    };
    let host = Host { inner, server: server.clone(), actor: actor.clone() };
    let script = match d.runtime {
        RuntimeKind::Venv => supervisor::probe(d),
        RuntimeKind::Docker => docker::probe(d),
    };
    let probe = match host.sh("status probe", &script, Duration::from_secs(15)).await {
        Ok(out) => parse_probe(&out),
        Err(e) => return unknown(d, &e.to_string()),
    };
    let p = judge_process(d, &probe);
    let base = base_url(d, &server);
    let started = Instant::now();
    let rest = &inner.ha.rest;
    let http = rest.get(&base, "/manifest.json", None).await;
    let http_text = match &http {
        Ok(_) => format!("ok in {} ms", started.elapsed().as_millis()),
        Err(ha::rest::Failure::Unreachable(w)) => format!("no answer at {base}: {w}"),
        Err(ha::rest::Failure::Status(c, _)) => format!("HTTP {c} from {base}/manifest.json"),
        Err(f) => format!("{f:?}"),
    };
    let mut version = p.version.clone();
    let mut api = "not checked".to_string();
    let mut api_broken = false;
    if with_api && http.is_ok() {
        api = match ha::handlers::profile_for_deployment(inner, &d.name) {
            Ok(Some(profile)) => match ha::handlers::token(inner, actor, &profile, "health check") {
                Ok(token) => match rest.get(&profile.url, "/api/config", Some(&token)).await {
                    Ok(cfg) => {
                        if let Some(v) = cfg["version"].as_str() {
                            version = Some(v.to_string());
                        }
                        "ok".into()
                    }
                    Err(ha::rest::Failure::Unauthorized) => format!("token in secret {} refused", profile.token_secret),
                    Err(f) => {
                        api_broken = true;
                        format!("{f:?}")
                    }
                },
                Err(e) => format!("token unavailable: {e}"),
            },
            Ok(None) => "no connection profile (homedeck ha add NAME … deployment=NAME)".into(),
            Err(e) => e.to_string(),
        };
    }
    let grace = inner.deploy.opts.get().start_grace.as_secs();
    let state = if !p.running {
        reasons.push(format!("Home Assistant is not running ({})", p.supervisor));
        HealthState::Stopped
    } else if http.is_err() {
        if p.uptime.is_none_or(|u| u < grace) {
            reasons.push(format!("started {} s ago; web server not answering yet", p.uptime.unwrap_or(0)));
            HealthState::Starting
        } else {
            reasons.push(format!("web server not answering after {} s: {http_text}", p.uptime.unwrap_or(0)));
            HealthState::Unhealthy
        }
    } else if api_broken {
        reasons.push(format!("the API fails: {api}"));
        HealthState::Unhealthy
    } else {
        HealthState::Running
    };
    Health {
        state,
        process: p.process,
        supervisor: p.supervisor,
        http: http_text,
        api,
        version,
        uptime_secs: p.uptime,
        restarts: p.restarts,
        checked: Utc::now(),
        reasons,
    }
}

/// The server could not be asked at all.
fn unknown(d: &Deployment, why: &str) -> Health {
    Health {
        state: HealthState::Unknown,
        process: "unknown".into(),
        supervisor: format!("{}: unknown", d.supervision.label()),
        http: "not checked".into(),
        api: "not checked".into(),
        version: None,
        uptime_secs: None,
        restarts: None,
        checked: Utc::now(),
        reasons: vec![format!("cannot probe server {}: {why}", d.server)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_judgement() {
        let d = supervisor::tests::sample(Supervision::Homedeck);
        let p = judge_process(&d, &parse_probe("supervisor=running\nhass=running\npid=42\nstarted=100\nnow=160\nrestarts=2\nversion=2024.3.3\n"));
        assert!(p.running);
        assert_eq!((p.uptime, p.restarts, p.version.as_deref()), (Some(60), Some(2), Some("2024.3.3")));
        assert_eq!(p.process, "running (pid 42)");
        let p = judge_process(&d, &parse_probe("supervisor=missing\nnow=5\nversion=\n"));
        assert!(!p.running && p.version.is_none() && p.uptime.is_none());
        let p = judge_process(&d, &parse_probe("garbage\n=\nhass=running\nstarted=x\n"));
        assert!(p.running && p.uptime.is_none());
        let mut docker = d.clone();
        docker.supervision = Supervision::Docker;
        let p = judge_process(&docker, &parse_probe("state=running started=2024-01-01T00:00:00.1Z restarts=0 image=ghcr.io/home-assistant/home-assistant:2024.3.3\n"));
        assert!(p.running && p.uptime.is_some_and(|u| u > 1000));
        assert_eq!((p.version.as_deref(), p.process.as_str()), (Some("2024.3.3"), "container running"));
        let p = judge_process(&docker, &parse_probe("state=missing\nnow=1\n"));
        assert!(!p.running && p.process == "container missing");
    }

    #[test]
    fn urls() {
        let d = supervisor::tests::sample(Supervision::Homedeck);
        assert_eq!(base_url(&d, &Server::local()), "http://127.0.0.1:8123");
    }
}
