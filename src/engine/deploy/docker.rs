//! The docker runtime: the official image run through the docker CLI over
//! SSH, with a restart policy, the config dir mounted at /config and the
//! deployment's port published to HA's 8123. Status and logs come from
//! `docker inspect` / `docker logs`. No Docker engine runs on homedeck's
//! test machines, so this module is tested for the command lines it builds
//! and the errors it gives (see docs/user-guide.md).

use super::model::Deployment;
use crate::engine::servers::quote::{join, quote};

pub const IMAGE: &str = "ghcr.io/home-assistant/home-assistant";

/// Prints `docker=missing`, `docker=no-engine <why>` or `docker=ok <version>`.
pub const PREFLIGHT: &str = "if ! command -v docker >/dev/null 2>&1; then echo docker=missing; exit 0; fi; \
     if v=$(docker version --format '{{.Server.Version}}' 2>&1); then echo \"docker=ok $v\"; else echo \"docker=no-engine $v\"; fi";

/// What the preflight says, as an error message when docker cannot be used.
pub fn preflight_problem(out: &str) -> Option<String> {
    let line = out.lines().find(|l| l.starts_with("docker="))?;
    if line == "docker=missing" {
        return Some("the docker CLI is not installed (the docker runtime needs Docker; or use runtime=venv)".into());
    }
    if let Some(why) = line.strip_prefix("docker=no-engine") {
        return Some(format!("the docker CLI cannot reach a Docker engine: {}", why.trim()));
    }
    None
}

pub fn image(version: &str) -> String {
    format!("{IMAGE}:{version}")
}

pub fn pull(version: &str) -> String {
    join(&["docker".into(), "pull".into(), image(version)])
}

/// `docker run -d` with the restart policy, volume and port.
pub fn run_args(d: &Deployment, version: &str) -> Vec<String> {
    let bind = d.bind.clone().map(|b| format!("{b}:")).unwrap_or_default();
    vec![
        "docker".into(),
        "run".into(),
        "-d".into(),
        "--name".into(),
        d.container(),
        "--restart".into(),
        "unless-stopped".into(),
        "-e".into(),
        "TZ=UTC".into(),
        "-v".into(),
        format!("{}:/config", d.config_dir),
        "-p".into(),
        format!("{bind}{}:8123", d.port),
        "--label".into(),
        format!("homedeck.deployment={}", d.name),
        image(version),
    ]
}

pub fn run(d: &Deployment, version: &str) -> String {
    join(&run_args(d, version))
}

/// start / stop / restart / rm -f of the container.
pub fn action(d: &Deployment, verb: &str) -> String {
    let mut words = vec!["docker".to_string(), verb.to_string()];
    if verb == "rm" {
        words.push("-f".into());
    }
    words.push(d.container());
    join(&words)
}

/// Prints `state=running started=2024-… restarts=N image=…` or `state=missing`.
pub fn probe(d: &Deployment) -> String {
    format!(
        "docker inspect -f 'state={{{{.State.Status}}}} started={{{{.State.StartedAt}}}} restarts={{{{.RestartCount}}}} image={{{{.Config.Image}}}}' {} 2>/dev/null || echo state=missing; echo now=$(date +%s)",
        quote(&d.container())
    )
}

pub fn logs(d: &Deployment, lines: u32, follow: bool) -> String {
    let mut w = vec!["docker".to_string(), "logs".into(), "--tail".into(), lines.to_string()];
    if follow {
        w.push("-f".into());
    }
    w.push(d.container());
    format!("{} 2>&1", join(&w))
}

/// HA's config check inside the container.
pub fn check_config(d: &Deployment) -> String {
    join(&[
        "docker".into(),
        "exec".into(),
        d.container(),
        "python".into(),
        "-m".into(),
        "homeassistant".into(),
        "--script".into(),
        "check_config".into(),
        "-c".into(),
        "/config".into(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::deploy::model::{RuntimeKind, Supervision};

    fn d() -> Deployment {
        let mut d = crate::engine::deploy::supervisor::tests::sample(Supervision::Docker);
        d.runtime = RuntimeKind::Docker;
        d.port = 8201;
        d
    }

    #[test]
    fn command_lines() {
        let d = d();
        assert_eq!(
            run(&d, "2024.3.3"),
            "docker run -d --name homedeck-home --restart unless-stopped -e TZ=UTC -v \
             '/srv/it'\\''s here/config:/config' -p 8201:8123 --label homedeck.deployment=home \
             ghcr.io/home-assistant/home-assistant:2024.3.3"
        );
        let mut bound = d.clone();
        bound.bind = Some("127.0.0.1".into());
        assert!(run(&bound, "2024.3.3").contains(" -p 127.0.0.1:8201:8123 "));
        assert_eq!(action(&d, "rm"), "docker rm -f homedeck-home");
        assert_eq!(action(&d, "restart"), "docker restart homedeck-home");
        assert_eq!(logs(&d, 100, true), "docker logs --tail 100 -f homedeck-home 2>&1");
        assert_eq!(pull("2024.3.3"), "docker pull ghcr.io/home-assistant/home-assistant:2024.3.3");
        assert!(probe(&d).contains("{{.State.Status}}"), "{}", probe(&d));
        assert!(check_config(&d).starts_with("docker exec homedeck-home python -m homeassistant --script check_config"));
        for s in [run(&d, "1"), probe(&d), logs(&d, 1, false), check_config(&d), PREFLIGHT.to_string()] {
            assert!(std::process::Command::new("sh").arg("-n").arg("-c").arg(&s).status().unwrap().success(), "{s}");
        }
    }

    #[test]
    fn preflight_errors() {
        assert!(preflight_problem("docker=missing\n").unwrap().contains("not installed"));
        let e = preflight_problem("docker=no-engine Cannot connect to the Docker daemon at unix:///var/run/docker.sock").unwrap();
        assert!(e.contains("Cannot connect to the Docker daemon"), "{e}");
        assert_eq!(preflight_problem("docker=ok 24.0.7"), None);
        assert_eq!(preflight_problem(""), None);
    }
}
