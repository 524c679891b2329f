//! Human-readable printing of deployment and Home Assistant outcomes.

use crate::engine::{DeployOutcome, HaOutcome};
use super::table::{self, age};
use crate::engine::views::deploy::{ConfigCheck, Health};

use crate::engine::views::deploy::uptime_text as uptime;

fn print_health(h: &Health) {
    println!("health:     {}", h.state.as_str());
    println!("process:    {}", h.process);
    println!("supervisor: {}", h.supervisor);
    println!("http:       {}", h.http);
    println!("api:        {}", h.api);
    println!("version:    {}", h.version.as_deref().unwrap_or("-"));
    println!("uptime:     {}", uptime(h.uptime_secs));
    println!("restarts:   {}", h.restarts.map(|r| r.to_string()).unwrap_or_else(|| "-".into()));
    for r in &h.reasons {
        println!("  · {r}");
    }
}

pub fn print_check(check: &ConfigCheck) {
    if check.ok {
        println!("configuration valid");
        return;
    }
    println!("configuration check found {}:", crate::engine::views::text::plural(check.problems.len(), "problem", "problems"));
    for p in &check.problems {
        match p.line {
            Some(l) => println!("  line {l}: {}", p.message),
            None => println!("  {}", p.message),
        }
    }
}

pub fn human(outcome: &DeployOutcome) {
    match outcome {
        DeployOutcome::Deployments { deployments } => {
            if deployments.is_empty() {
                println!("no deployments — install Home Assistant with `homedeck deploy create NAME --server SERVER --version 2024.3.3`");
                return;
            }
            let rows: Vec<Vec<String>> = deployments
                .iter()
                .map(|v| {
                    let d = &v.deployment;
                    let state = v.health.as_ref().map(|h| h.state.as_str().to_string()).unwrap_or_else(|| d.status.to_string());
                    let site = d.site.clone().unwrap_or_else(|| "-".into());
                    vec![d.name.clone(), state, d.version.clone(), d.port.to_string(), d.server.clone(), site, d.runtime.to_string(), age(d.updated)]
                })
                .collect();
            print!("{}", table::render(&["NAME", "STATUS", "VERSION", "PORT", "SERVER", "SITE", "RUNTIME", "UPDATED"], &rows));
        }
        DeployOutcome::Deployment { view } => {
            let d = &view.deployment;
            println!("{} — Home Assistant {} on {} port {} ({}, {})", d.name, d.version, d.server, d.port, d.runtime, d.supervision.label());
            println!("status:     {}{}", d.status, if d.status_reason.is_empty() { String::new() } else { format!(" ({})", d.status_reason) });
            println!("config:     {}", d.config_dir);
            println!("installed:  {}", d.data_volume);
            if let Some(h) = &view.health {
                print_health(h);
            }
        }
        DeployOutcome::Upgraded { report } => {
            println!("{}: upgraded {} → {} (config snapshot {})", report.deployment, report.from, report.to, report.snapshot);
            if let Some(h) = &report.health {
                print_health(h);
            }
        }
        DeployOutcome::DeploymentRemoved { report } => {
            println!("deleted {}", report.deployment);
            match (&report.backup_remote, &report.backup_local) {
                (Some(r), Some(l)) => println!("final config backup: {l} (also on the server at {r})"),
                _ => println!("no config backup was kept"),
            }
        }
        DeployOutcome::DeployLogs { lines, .. } => {
            for l in lines {
                println!("{l}");
            }
        }
        DeployOutcome::DeployConfig { file } => print!("{}", file.content),
        DeployOutcome::DeployConfigSaved { deployment, path, check } => {
            println!("{deployment}: saved {path} (the previous content is kept for `homedeck deploy config revert`)");
            if let Some(c) = check {
                print_check(c);
            }
        }
        DeployOutcome::DeployConfigChecked { check, .. } => print_check(check),
    }
}

pub fn ha(outcome: &HaOutcome) {
    match outcome {
        HaOutcome::HaProfiles { profiles } => {
            if profiles.is_empty() {
                println!("no Home Assistant profiles — add one with `homedeck ha add NAME --url http://host:8123` (the token is prompted)");
                return;
            }
            let rows: Vec<Vec<String>> = profiles
                .iter()
                .map(|p| vec![p.name.clone(), p.url.clone(), p.token_secret.clone(), p.deployment.clone().unwrap_or_else(|| "-".into()), p.site.clone().unwrap_or_else(|| "-".into())])
                .collect();
            print!("{}", table::render(&["NAME", "URL", "TOKEN SECRET", "DEPLOYMENT", "SITE"], &rows));
        }
        HaOutcome::HaTested { report: r } => {
            println!("{} at {}", r.profile, r.url);
            println!("latency:   {} ms", r.latency_ms);
            println!("version:   {}", r.version);
            println!("location:  {}", r.location_name);
            println!("entities:  {}", r.entity_count);
        }
        HaOutcome::HaHistory { profile, entity, since, until, states, truncated } => {
            println!("{profile}: {entity} from {since} to {until}{}", if *truncated { " (newest states only)" } else { "" });
            let rows: Vec<Vec<String>> = states.iter().map(|s| vec![s.last_changed.clone(), s.state.clone()]).collect();
            print!("{}", table::render(&["CHANGED", "STATE"], &rows));
        }
        HaOutcome::HaStates { states, .. } | HaOutcome::HaCalled { changed: states, .. } => {
            if let HaOutcome::HaCalled { profile, service, .. } = outcome {
                println!("{profile}: called {service}");
            }
            let rows: Vec<Vec<String>> =
                states.iter().map(|s| vec![s.entity_id.clone(), s.state.clone(), s.friendly_name.clone(), s.last_changed.clone()]).collect();
            print!("{}", table::render(&["ENTITY", "STATE", "NAME", "CHANGED"], &rows));
        }
    }
}

impl super::output::Human for DeployOutcome {
    fn human(&self) {
        human(self);
    }
}

impl super::output::Human for HaOutcome {
    fn human(&self) {
        ha(self);
    }
}
