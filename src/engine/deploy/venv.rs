//! The venv runtime's install steps, as shell run on the server: find a
//! python ≥ 3.11 with venv, create a per-version venv, take the constraints
//! file out of that version's own wheel (a plain `pip install
//! homeassistant` can hang for a long time in dependency resolution), install
//! with it plus `josepy<2` (without it every HTTP request of HA 2024.x
//! answers 500), and write a minimal configuration.yaml when the config dir
//! is new. Each function returns the script; `lifecycle` runs them.

use super::model::Deployment;
use crate::engine::servers::quote::quote;

/// Prints `python=PATH version=X.Y.Z venv=yes|no` for the best python found,
/// or `python=none`. Newest first, so a server with 3.12 and 3.11 uses 3.12;
/// an explicit interpreter is the only one tried.
pub fn find_python(explicit: Option<&str>) -> String {
    match explicit {
        Some(p) => FIND_PYTHON.replacen("python3.13 python3.12 python3.11 python3", &quote(p), 1),
        None => FIND_PYTHON.to_string(),
    }
}

const FIND_PYTHON: &str = r#"for p in python3.13 python3.12 python3.11 python3; do
  path=$(command -v "$p" 2>/dev/null) || continue
  v=$("$path" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) || continue
  if "$path" -c 'import venv, ensurepip' >/dev/null 2>&1; then venv=yes; else venv=no; fi
  echo "python=$path version=$v venv=$venv"; exit 0
done
echo python=none"#;

/// What `FIND_PYTHON` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    pub path: String,
    pub version: (u32, u32, u32),
    pub venv: bool,
}

/// Parse `FIND_PYTHON`'s line; None when no python was found at all.
pub fn parse_python(out: &str) -> Option<Python> {
    let line = out.lines().rev().find(|l| l.starts_with("python="))?;
    let mut path = None;
    let mut version = None;
    let mut venv = false;
    for word in line.split_whitespace() {
        match word.split_once('=') {
            Some(("python", p)) if p != "none" => path = Some(p.to_string()),
            Some(("version", v)) => {
                let mut parts = v.split('.').map(|n| n.parse::<u32>().ok());
                if let (Some(Some(a)), Some(Some(b)), Some(Some(c))) = (parts.next(), parts.next(), parts.next()) {
                    version = Some((a, b, c));
                }
            }
            Some(("venv", v)) => venv = v == "yes",
            _ => {}
        }
    }
    Some(Python { path: path?, version: version?, venv })
}

/// Why this python cannot run Home Assistant, if it cannot.
pub fn python_problem(p: &Python) -> Option<String> {
    let (a, b, c) = p.version;
    if (a, b) < (3, 11) {
        return Some(format!("{} is Python {a}.{b}.{c}; Home Assistant needs Python ≥ 3.11", p.path));
    }
    if !p.venv {
        return Some(format!(
            "{} (Python {a}.{b}.{c}) has no venv/ensurepip module (Debian: apt install python3-venv)",
            p.path
        ));
    }
    None
}

/// pip options shared by every pip call (wheelhouse, quiet progress).
fn pip_opts(d: &Deployment) -> String {
    let mut o = String::from("--disable-pip-version-check --progress-bar off");
    if let Some(dir) = &d.find_links {
        o.push_str(&format!(" --find-links {}", quote(dir)));
    }
    o
}

/// Create the venv for `version` (removing a half-made one first).
pub fn create_venv(d: &Deployment, python: &str, version: &str) -> String {
    let venv = quote(&d.venv_for(version));
    format!("rm -rf {venv} && mkdir -p {base}/venvs && {py} -m venv {venv} && echo venv ready", base = quote(&d.base_dir), py = quote(python))
}

/// Download the wheel without dependencies and extract its constraints file.
pub fn constraints(d: &Deployment, version: &str) -> String {
    let venv = d.venv_for(version);
    let dl = format!("{venv}/.homedeck-dl");
    let out = format!("{venv}/.homedeck-constraints.txt");
    format!(
        "{pip} download {opts} --no-deps -d {dl} homeassistant=={version} && \
         {py} -c {extract} {dl} {version} {out} && echo constraints ready",
        pip = quote(&format!("{venv}/bin/pip")),
        py = quote(&format!("{venv}/bin/python")),
        opts = pip_opts(d),
        dl = quote(&dl),
        out = quote(&out),
        extract = quote(EXTRACT),
    )
}

/// Python that copies `homeassistant/package_constraints.txt` out of the wheel.
const EXTRACT: &str = "import glob, sys, zipfile\n\
dl, version, out = sys.argv[1:]\n\
whl = glob.glob(dl + '/homeassistant-' + version + '-*.whl')\n\
if not whl: sys.exit('no homeassistant ' + version + ' wheel was downloaded')\n\
z = zipfile.ZipFile(whl[0])\n\
open(out, 'wb').write(z.read('homeassistant/package_constraints.txt'))\n";

/// The real install, with the version's own constraints.
pub fn pip_install(d: &Deployment, version: &str) -> String {
    let venv = d.venv_for(version);
    format!(
        "{pip} install {opts} -c {c} homeassistant=={version} 'josepy<2' && rm -rf {dl} && echo installed homeassistant {version}",
        pip = quote(&format!("{venv}/bin/pip")),
        opts = pip_opts(d),
        c = quote(&format!("{venv}/.homedeck-constraints.txt")),
        dl = quote(&format!("{venv}/.homedeck-dl")),
    )
}

/// Point the `venv` symlink at `version`'s venv.
pub fn activate(d: &Deployment, version: &str) -> String {
    format!("ln -sfn {} {}", quote(&d.venv_for(version)), quote(&d.data_volume))
}

/// The configuration homedeck writes into a new config dir: the pieces a
/// console-managed instance needs, and deliberately not `default_config:`
/// (it turns on zeroconf, ssdp and dhcp discovery, which multicast on every
/// network the server is on).
/// `port` is the port HA itself listens on (8123 inside a container).
pub fn minimal_configuration(d: &Deployment, port: u16) -> String {
    // In a container HA must listen on all addresses; docker publishes
    // the port on `bind` instead.
    let host = match (&d.bind, d.runtime) {
        (Some(b), super::model::RuntimeKind::Venv) => format!("  server_host: {b}\n"),
        _ => String::new(),
    };
    format!(
        "# Written by homedeck for deployment {name}. Edit freely: homedeck only\n\
         # writes this file when the config directory is new.\n\
         homeassistant:\n  name: {name}\n  unit_system: metric\n  time_zone: UTC\n\
         http:\n{host}  server_port: {port}\n\
         api:\nconfig:\nfrontend:\nonboarding:\nwebsocket_api:\n",
        name = d.name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_probe_parsing() {
        let p = parse_python("python=/usr/bin/python3.11 version=3.11.2 venv=yes\n").unwrap();
        assert_eq!(p.version, (3, 11, 2));
        assert!(python_problem(&p).is_none());
        let old = parse_python("python=/usr/bin/python3 version=3.9.2 venv=yes").unwrap();
        assert!(python_problem(&old).unwrap().contains("needs Python ≥ 3.11"));
        let nov = parse_python("python=/usr/bin/python3 version=3.12.1 venv=no").unwrap();
        assert!(python_problem(&nov).unwrap().contains("python3-venv"));
        assert_eq!(parse_python("python=none"), None);
        for junk in ["", "python=/x version=abc venv=yes", "python=/x version=3", "garbage"] {
            assert_eq!(parse_python(junk), None, "{junk}");
        }
    }

    #[test]
    fn scripts_parse_in_sh_and_config_has_no_default_config() {
        for explicit in [None, Some("/opt/py it's/bin/python3")] {
            assert!(std::process::Command::new("sh").arg("-n").arg("-c").arg(find_python(explicit)).status().unwrap().success());
        }
        let out = std::process::Command::new("sh").arg("-c").arg(find_python(Some("/nonexistent/python3"))).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "python=none");
        let d = crate::engine::deploy::supervisor::tests::sample(crate::engine::deploy::model::Supervision::Homedeck);
        for s in [create_venv(&d, "/usr/bin/python3", "2024.3.3"), constraints(&d, "2024.3.3"), pip_install(&d, "2024.3.3"), activate(&d, "1")] {
            assert!(std::process::Command::new("sh").arg("-n").arg("-c").arg(&s).status().unwrap().success(), "{s}");
        }
        let c = minimal_configuration(&d, d.port);
        assert!(!c.contains("default_config"), "{c}");
        assert!(c.contains("server_port: 8123"));
        crate::engine::deploy::yaml::check(&c).unwrap();
        let run = std::process::Command::new("python3").arg("-c").arg(EXTRACT).arg("/nonexistent").arg("1").arg("/dev/null").output().unwrap();
        assert!(String::from_utf8_lossy(&run.stderr).contains("no homeassistant 1 wheel"));
    }
}
