//! What keeps a venv deployment running, as text run on the server: a
//! systemd unit (Restart=on-failure) where the server runs systemd, else
//! homedeck's own supervisor — a POSIX sh script that starts `hass`, records
//! pids and start times, appends its output to a log file, and restarts it
//! when it dies (backing off when it dies quickly). Starting, stopping and
//! probing are shell snippets built here with every path quoted.

use super::model::{Deployment, Supervision};
use crate::engine::servers::quote::quote;

/// Does the server run systemd (and may we use it)? Prints `systemd` or `none`,
/// then `root` or `user`.
pub const DETECT: &str = "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd; else echo none; fi; \
     if [ \"$(id -u)\" = 0 ]; then echo root; else echo user; fi";

pub fn choose(detect_output: &str, wanted: Option<&str>) -> Result<Supervision, String> {
    let mut words = detect_output.split_whitespace();
    let has_systemd = words.next() == Some("systemd");
    let root = words.next() == Some("root");
    match wanted.unwrap_or("auto") {
        "auto" if has_systemd => Ok(Supervision::Systemd { user: !root }),
        "auto" | "homedeck" => Ok(Supervision::Homedeck),
        "systemd" if has_systemd => Ok(Supervision::Systemd { user: !root }),
        "systemd" => Err("systemd is not running on this server (no /run/systemd/system)".into()),
        other => Err(format!("unknown supervisor {other:?} — expected auto, systemd or homedeck")),
    }
}

/// The supervisor script for deployment `d` (installed as `run/supervise.sh`).
pub fn script(d: &Deployment) -> String {
    let run = d.run_dir();
    let env = match &d.find_links {
        Some(dir) => format!("export PIP_FIND_LINKS={}\n", quote(dir)),
        None => String::new(),
    };
    format!(
        r#"#!/bin/sh
# homedeck supervisor for Home Assistant deployment {name}.
# Restarts hass when it exits unless asked to stop (TERM); pid files and the
# log live next to this script. Written by homedeck; edits are overwritten.
RUN={run}
LOG={log}
HASS={venv}/bin/hass
CONFIG={config}
{env}cd "$RUN" || exit 1
echo $$ > "$RUN/supervisor.pid"
[ -f "$RUN/restarts" ] || echo 0 > "$RUN/restarts"
child=
stopping=
note() {{ echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) homedeck-supervisor: $*" >> "$LOG"; }}
stop() {{
  stopping=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  rm -f "$RUN/hass.pid" "$RUN/supervisor.pid"
  note "stopped"
  exit 0
}}
trap stop TERM INT HUP
delay=1
while [ -z "$stopping" ]; do
  if [ -f "$LOG" ] && [ "$(wc -c < "$LOG")" -gt 20000000 ]; then mv -f "$LOG" "$LOG.1"; fi
  note "starting Home Assistant"
  started=$(date +%s)
  "$HASS" -c "$CONFIG" >> "$LOG" 2>&1 &
  child=$!
  echo "$child" > "$RUN/hass.pid"
  echo "$started" > "$RUN/hass.started"
  wait "$child"
  code=$?
  [ -n "$stopping" ] && break
  rm -f "$RUN/hass.pid"
  child=
  echo $(( $(cat "$RUN/restarts" 2>/dev/null || echo 0) + 1 )) > "$RUN/restarts"
  if [ $(( $(date +%s) - started )) -gt 60 ]; then delay=1; elif [ $delay -lt 30 ]; then delay=$(( delay * 2 )); fi
  note "Home Assistant exited with status $code; restarting in $delay s"
  sleep "$delay" &
  wait $!
done
"#,
        name = d.name,
        run = quote(&run),
        log = quote(&d.log_file()),
        venv = quote(&d.data_volume),
        config = quote(&d.config_dir),
    )
}

/// The systemd unit for deployment `d`.
pub fn unit(d: &Deployment, user: bool) -> String {
    let env = match &d.find_links {
        Some(dir) => format!("Environment=PIP_FIND_LINKS={dir}\n"),
        None => String::new(),
    };
    format!(
        "[Unit]\nDescription=Home Assistant (homedeck deployment {name})\nAfter=network-online.target\nWants=network-online.target\n\n\
         [Service]\nType=simple\nExecStart={venv}/bin/hass -c {config}\n{env}Restart=on-failure\nRestartSec=5\n\n\
         [Install]\nWantedBy={target}\n",
        name = d.name,
        venv = d.data_volume,
        config = d.config_dir,
        target = if user { "default.target" } else { "multi-user.target" },
    )
}

/// Where the unit file goes (`$HOME` is expanded by the remote shell).
pub fn unit_path(d: &Deployment, user: bool) -> String {
    if user {
        format!("\"$HOME\"/.config/systemd/user/{}", d.unit())
    } else {
        format!("/etc/systemd/system/{}", d.unit())
    }
}

fn systemctl(user: bool) -> &'static str {
    if user { "systemctl --user" } else { "systemctl" }
}

/// Install the supervision (script or unit) — the deployment's files exist.
pub fn install(d: &Deployment) -> String {
    match d.supervision {
        Supervision::Homedeck => super::remote::write_file_script(&format!("{}/supervise.sh", d.run_dir()), &script(d), "755"),
        Supervision::Systemd { user } => {
            let path = unit_path(d, user);
            format!(
                "mkdir -p \"$(dirname {path})\" && printf %s {text} > {path} && {sc} daemon-reload && {sc} enable {unit}",
                text = quote(&unit(d, user)),
                sc = systemctl(user),
                unit = d.unit(),
            )
        }
        Supervision::Docker => "true".into(),
    }
}

/// Start (idempotent: a running supervisor is left alone).
pub fn start(d: &Deployment) -> String {
    match d.supervision {
        Supervision::Homedeck => {
            let run = quote(&d.run_dir());
            format!(
                "cd {run} && if [ -f supervisor.pid ] && kill -0 \"$(cat supervisor.pid)\" 2>/dev/null; then echo already; else \
                 rm -f hass.pid; setsid sh {run}/supervise.sh </dev/null >/dev/null 2>&1 & echo started; fi"
            )
        }
        Supervision::Systemd { user } => format!("{} start {}", systemctl(user), d.unit()),
        Supervision::Docker => "true".into(),
    }
}

/// Stop and wait (up to 60 s) until Home Assistant has exited; KILL after that.
pub fn stop(d: &Deployment) -> String {
    match d.supervision {
        Supervision::Homedeck => {
            let run = quote(&d.run_dir());
            format!(
                "cd {run} 2>/dev/null || exit 0; sup=$(cat supervisor.pid 2>/dev/null); hass=$(cat hass.pid 2>/dev/null); \
                 [ -n \"$sup\" ] && kill -TERM \"$sup\" 2>/dev/null; i=0; \
                 while [ $i -lt 600 ]; do alive=; for p in $sup $hass; do kill -0 \"$p\" 2>/dev/null && alive=1; done; [ -z \"$alive\" ] && break; \
                 [ $i = 20 ] && [ -n \"$hass\" ] && kill -TERM \"$hass\" 2>/dev/null; sleep 0.1; i=$((i+1)); done; \
                 for p in $sup $hass; do kill -KILL \"$p\" 2>/dev/null; done; \
                 [ -n \"$sup\" ] && kill -KILL -- -\"$sup\" 2>/dev/null; rm -f supervisor.pid hass.pid; echo stopped"
            )
        }
        Supervision::Systemd { user } => format!("{} stop {}", systemctl(user), d.unit()),
        Supervision::Docker => "true".into(),
    }
}

/// Remove the unit (systemd); the script goes with the base dir.
pub fn uninstall(d: &Deployment) -> String {
    match d.supervision {
        Supervision::Systemd { user } => format!(
            "{sc} disable {unit} 2>/dev/null; rm -f {path}; {sc} daemon-reload",
            sc = systemctl(user),
            unit = d.unit(),
            path = unit_path(d, user)
        ),
        _ => "true".into(),
    }
}

/// Print `key=value` lines: supervisor, hass (running/stopped), pid,
/// started (epoch s), now, restarts, version (.HA_VERSION).
pub fn probe(d: &Deployment) -> String {
    let config = quote(&d.config_dir);
    let common = format!("echo now=$(date +%s); echo version=$(cat {config}/.HA_VERSION 2>/dev/null)");
    match d.supervision {
        Supervision::Homedeck => {
            let run = quote(&d.run_dir());
            format!(
                "cd {run} 2>/dev/null || {{ echo supervisor=missing; {common}; exit 0; }}; \
                 sup=stopped; [ -f supervisor.pid ] && kill -0 \"$(cat supervisor.pid)\" 2>/dev/null && sup=running; echo supervisor=$sup; \
                 h=stopped; p=$(cat hass.pid 2>/dev/null); [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null && h=running; echo hass=$h; echo pid=$p; \
                 echo started=$(cat hass.started 2>/dev/null); echo restarts=$(cat restarts 2>/dev/null); {common}"
            )
        }
        Supervision::Systemd { user } => format!(
            "s=$({sc} is-active {unit} 2>/dev/null); echo supervisor=$s; [ \"$s\" = active ] && echo hass=running || echo hass=stopped; \
             echo pid=$({sc} show -p MainPID --value {unit}); echo restarts=$({sc} show -p NRestarts --value {unit}); \
             t=$({sc} show -p ActiveEnterTimestamp --value {unit}); [ -n \"$t\" ] && echo started=$(date -d \"$t\" +%s 2>/dev/null); {common}",
            sc = systemctl(user),
            unit = d.unit()
        ),
        Supervision::Docker => common,
    }
}

/// Last `lines` lines of the log, and with `follow` keep printing new ones.
pub fn logs(d: &Deployment, lines: u32, follow: bool) -> String {
    let f = if follow { " -F" } else { "" };
    match d.supervision {
        Supervision::Homedeck => format!("tail -n {lines}{f} {}", quote(&d.log_file())),
        Supervision::Systemd { user } => {
            let fj = if follow { " -f" } else { "" };
            format!("journalctl{} -u {} -n {lines} --no-pager -o cat{fj}", if user { " --user" } else { "" }, d.unit())
        }
        Supervision::Docker => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::deploy::model::{DeployStatus, RuntimeKind};

    pub(crate) fn sample(sup: Supervision) -> Deployment {
        Deployment {
            name: "home".into(),
            server: "nas".into(),
            runtime: RuntimeKind::Venv,
            supervision: sup,
            version: "2024.3.3".into(),
            port: 8123,
            bind: None,
            base_dir: "/srv/it's here".into(),
            config_dir: "/srv/it's here/config".into(),
            data_volume: "/srv/it's here/venv".into(),
            config_preexisting: false,
            find_links: None,
            python: Some("/usr/bin/python3".into()),
            status: DeployStatus::Running,
            status_reason: String::new(),
            site: None,
            created: chrono::Utc::now(),
            updated: chrono::Utc::now(),
        }
    }

    #[test]
    fn choosing_supervision() {
        assert_eq!(choose("systemd root", None), Ok(Supervision::Systemd { user: false }));
        assert_eq!(choose("systemd user", Some("auto")), Ok(Supervision::Systemd { user: true }));
        assert_eq!(choose("none root", None), Ok(Supervision::Homedeck));
        assert_eq!(choose("systemd root", Some("homedeck")), Ok(Supervision::Homedeck));
        assert!(choose("none root", Some("systemd")).unwrap_err().contains("systemd is not running"));
        assert!(choose("", Some("runit")).unwrap_err().contains("runit"));
    }

    #[test]
    fn scripts_quote_paths_and_parse_in_sh() {
        let d = sample(Supervision::Homedeck);
        for text in [script(&d), start(&d), stop(&d), probe(&d), logs(&d, 50, true)] {
            assert!(text.contains("'/srv/it'\\''s here"), "{text}");
            let ok = std::process::Command::new("sh").arg("-n").arg("-c").arg(&text).status().unwrap().success();
            assert!(ok, "sh -n refused: {text}");
        }
        let s = sample(Supervision::Systemd { user: true });
        let u = unit(&s, true);
        assert!(u.contains("Restart=on-failure") && u.contains("WantedBy=default.target"), "{u}");
        assert!(install(&s).contains("systemctl --user daemon-reload"));
        assert_eq!(logs(&s, 10, false), "journalctl --user -u homedeck-ha-home.service -n 10 --no-pager -o cat");
        assert!(probe(&s).contains("systemctl --user is-active homedeck-ha-home.service"));
    }
}
