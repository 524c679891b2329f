//! Editing a deployment's config files: read over SFTP, check YAML syntax
//! before anything is uploaded, snapshot the current content (sled) before
//! the save, upload over SFTP to a temporary name and rename into place, then
//! run Home Assistant's own config check and report its errors with line
//! numbers. `revert` puts the newest snapshot back.

use crate::engine::text::plural;
use crate::engine::DeployOutcome;
use super::model::{Deployment, RuntimeKind};
use super::remote::Host;
use super::store::{self, ConfigSnapshot};
use super::views::{ConfigCheck, ConfigFile};
use super::yaml::{self, ConfigProblem};
use super::{control, docker};
use crate::engine::actor::Actor;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::quote::quote;
use crate::engine::servers::transfer;
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use std::path::PathBuf;
use std::time::Duration;

/// Config files larger than this are not opened in the editor.
pub const MAX_FILE: u64 = 2 * 1024 * 1024;

/// A path under the config dir: relative, no `..`, no hidden tricks.
pub fn validate_path(path: &str) -> EngineResult<()> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && path.len() <= 255
        && !path.split('/').any(|p| p.is_empty() || p == "." || p == "..")
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok { Ok(()) } else { Err(EngineError::invalid("path", path, "a file under the config dir such as configuration.yaml or packages/lights.yaml")) }
}

/// A private temporary file in the data dir (removed on drop).
struct Temp(PathBuf);

impl Temp {
    fn new(inner: &Inner, tag: &str) -> EngineResult<Temp> {
        let dir = inner.opts.data_dir.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| EngineError::Other(format!("cannot create {}: {e}", dir.display())))?;
        let id = inner.store.next_id()?;
        Ok(Temp(dir.join(format!("{tag}-{id}"))))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The file's content, or None when it does not exist.
async fn fetch(inner: &Inner, host: &Host<'_>, d: &Deployment, path: &str) -> EngineResult<Option<String>> {
    let full = format!("{}/{path}", d.config_dir);
    let size = host.sh("checking the file", &format!("if [ -f {f} ]; then wc -c < {f}; else echo missing; fi", f = quote(&full)), Duration::from_secs(30)).await?;
    let size = size.trim();
    if size == "missing" {
        return Ok(None);
    }
    let n: u64 = size.parse().map_err(|_| EngineError::Remote { server: d.server.clone(), detail: format!("unexpected size {size:?} for {full}") })?;
    if n > MAX_FILE {
        return Err(EngineError::invalid("path", path, &format!("a file of at most {MAX_FILE} bytes (it has {n})")));
    }
    let tmp = Temp::new(inner, "config-read")?;
    transfer::get_file(inner, &host.server, &host.actor, &full, &tmp.0, |_, _| {}).await?;
    let bytes = std::fs::read(&tmp.0).map_err(|e| EngineError::Other(format!("reading the downloaded {path}: {e}")))?;
    String::from_utf8(bytes).map(Some).map_err(|_| EngineError::invalid("path", path, "a UTF-8 text file"))
}

async fn upload(inner: &Inner, host: &Host<'_>, d: &Deployment, path: &str, content: Option<&str>) -> EngineResult<()> {
    let full = format!("{}/{path}", d.config_dir);
    let Some(text) = content else {
        return host.sh("removing the file", &format!("rm -f {}", quote(&full)), Duration::from_secs(30)).await.map(|_| ());
    };
    let tmp = Temp::new(inner, "config-write")?;
    std::fs::write(&tmp.0, text).map_err(|e| EngineError::Other(format!("writing a temporary copy of {path}: {e}")))?;
    let part = format!("{full}.homedeck-upload");
    host.sh("preparing the directory", &format!("mkdir -p \"$(dirname {})\"", quote(&full)), Duration::from_secs(30)).await?;
    transfer::put_file(inner, &host.server, &host.actor, &tmp.0, &part, |_, _| {}).await?;
    host.sh("moving the upload into place", &format!("mv -f {} {}", quote(&part), quote(&full)), Duration::from_secs(30)).await?;
    Ok(())
}

/// A file as it is on the server now (`None`: absent), for a preview's diff.
pub(crate) async fn current(inner: &Inner, actor: &Actor, d: &Deployment, path: &str) -> EngineResult<Option<String>> {
    validate_path(path)?;
    let host = control::host(inner, actor, d)?;
    fetch(inner, &host, d, path).await
}

pub(crate) async fn read(inner: &Inner, actor: &Actor, name: &str, path: &str) -> EngineResult<Outcome> {
    validate_path(path)?;
    let d = store::get(&inner.store, name)?;
    let host = control::host(inner, actor, &d)?;
    let content = fetch(inner, &host, &d, path).await?.unwrap_or_default();
    let snapshots = store::snapshot_count(&inner.store, name, path)?;
    Ok(Outcome::Deploy(DeployOutcome::DeployConfig { file: ConfigFile { deployment: name.into(), path: path.into(), content, snapshots } }))
}

pub(crate) async fn write(inner: &Inner, ctx: &mut Ctx, name: &str, path: &str, content: &str, check: bool) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    validate_path(path)?;
    if yaml::is_yaml(path)
        && let Err(p) = yaml::check(content)
    {
        ctx.describe(format!("refused to save {path} of {name}: {}", describe(&p)));
        return Err(EngineError::invalid(path, where_(&p), &format!("valid YAML — {} (nothing was uploaded)", p.message)));
    }
    let d = store::get(&inner.store, name)?;
    let host = control::host(inner, &ctx.actor, &d)?;
    let before = fetch(inner, &host, &d, path).await?;
    let snap = ConfigSnapshot { deployment: name.into(), path: path.into(), at: Utc::now(), actor: ctx.actor.to_string(), content: before.clone() };
    store::push_snapshot(&inner.store, &snap)?;
    ctx.release_gate();
    upload(inner, &host, &d, path, Some(content)).await?;
    ctx.change(path, Some(format!("{} bytes", before.as_ref().map_or(0, String::len))), Some(format!("{} bytes", content.len())));
    let result = if check { Some(run_check(&host, &d).await?) } else { None };
    ctx.describe(format!(
        "saved {path} of {name} (snapshot kept){}",
        match &result {
            Some(c) if c.ok => "; config check passed".to_string(),
            Some(c) => format!("; config check found {}", plural(c.problems.len(), "problem", "problems")),
            None => String::new(),
        }
    ));
    Ok(Outcome::Deploy(DeployOutcome::DeployConfigSaved { deployment: name.into(), path: path.into(), check: result }))
}

pub(crate) async fn revert(inner: &Inner, ctx: &mut Ctx, name: &str, path: &str) -> EngineResult<Outcome> {
    ctx.resource("deployment", None, Some(name.to_string()));
    validate_path(path)?;
    let d = store::get(&inner.store, name)?;
    let Some((key, snap)) = store::newest_snapshot(&inner.store, name, path)? else {
        return Err(EngineError::invalid("path", path, &format!("a file of {name} saved through homedeck (it has no snapshot to revert to)")));
    };
    let host = control::host(inner, &ctx.actor, &d)?;
    upload(inner, &host, &d, path, snap.content.as_deref()).await?;
    store::drop_snapshot(&inner.store, &key)?;
    ctx.change(path, None, Some(format!("content of {}", snap.at.to_rfc3339())));
    ctx.describe(format!("reverted {path} of {name} to its content before the save at {}", snap.at.to_rfc3339()));
    let check = run_check(&host, &d).await?;
    Ok(Outcome::Deploy(DeployOutcome::DeployConfigSaved { deployment: name.into(), path: path.into(), check: Some(check) }))
}

pub(crate) async fn check(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<Outcome> {
    let d = store::get(&inner.store, name)?;
    let host = control::host(inner, actor, &d)?;
    let check = run_check(&host, &d).await?;
    Ok(Outcome::Deploy(DeployOutcome::DeployConfigChecked { deployment: name.into(), check }))
}

/// `hass --script check_config` (or inside the container).
async fn run_check(host: &Host<'_>, d: &Deployment) -> EngineResult<ConfigCheck> {
    let script = match d.runtime {
        RuntimeKind::Venv => {
            let env = d.find_links.as_ref().map(|f| format!("PIP_FIND_LINKS={} ", quote(f))).unwrap_or_default();
            format!("{env}{}/bin/hass --script check_config -c {} 2>&1", quote(&d.data_volume), quote(&d.config_dir))
        }
        RuntimeKind::Docker => format!("{} 2>&1", docker::check_config(d)),
    };
    let (code, out, _) = host.sh_any(&script, Duration::from_secs(300)).await?;
    Ok(parse_check(code == Some(0), &out))
}

/// Errors out of check_config's output: the `- ` lines under "Failed
/// config" / "Incorrect config" that are messages rather than the config
/// dump (`[source …]`), with `line N` picked out.
pub fn parse_check(ok: bool, output: &str) -> ConfigCheck {
    let text = strip_ansi(output);
    let mut problems = Vec::new();
    let mut in_errors = false;
    for line in text.lines() {
        let t = line.trim();
        if t == "Failed config" || t == "Incorrect config" {
            in_errors = true;
            continue;
        }
        if t.starts_with("Successful config") {
            in_errors = false;
        }
        if in_errors && let Some(msg) = t.strip_prefix("- ") && !msg.contains("[source ") {
            problems.push(ConfigProblem { line: line_number(msg), column: None, message: msg.to_string() });
        }
    }
    if !ok && problems.is_empty() {
        let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("the config check failed").trim().to_string();
        problems.push(ConfigProblem { line: None, column: None, message: last });
    }
    ConfigCheck { ok: ok && problems.is_empty(), problems, output: super::remote::last(&text) }
}

fn line_number(msg: &str) -> Option<u32> {
    let i = msg.find("line ")?;
    let digits: String = msg[i + 5..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for n in chars.by_ref() {
                    if n.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn where_(p: &ConfigProblem) -> String {
    match (p.line, p.column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}"),
        (Some(l), None) => format!("line {l}"),
        _ => "the file".into(),
    }
}

fn describe(p: &ConfigProblem) -> String {
    format!("{} at {}", p.message, where_(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = "\u{1b}[1mTesting configuration at /tmp/c\u{1b}[0m\n\u{1b}[1;37mFailed config\u{1b}[0m\n  \u{1b}[1;31mhttp:\u{1b}[0m\n    - Invalid config for 'http' at configuration.yaml, line 3: 'bogus_option' is an invalid option for 'http', check: http->bogus_option\n    - bogus_option: 1 \u{1b}[36m[source /tmp/c/configuration.yaml:3]\u{1b}[31m\n      server_port: 18123 [source /tmp/c/configuration.yaml:2]\n\u{1b}[1;37mIncorrect config\u{1b}[0m\n  General Warnings:\n    - Integration error: not_an_integration_xyz - Integration 'not_an_integration_xyz' not found.\n\u{1b}[1;37mSuccessful config (partial)\u{1b}[0m\n  http:\n";

    #[test]
    fn check_config_output_is_parsed() {
        let c = parse_check(false, FAILED);
        assert!(!c.ok);
        assert_eq!(c.problems.len(), 2, "{c:?}");
        assert_eq!(c.problems[0].line, Some(3));
        assert!(c.problems[0].message.contains("'bogus_option' is an invalid option"));
        assert_eq!(c.problems[1].line, None);
        assert!(!c.output.contains('\u{1b}'));
        let good = parse_check(true, "Testing configuration at /tmp/c\n");
        assert!(good.ok && good.problems.is_empty());
        let odd = parse_check(false, "Traceback …\nModuleNotFoundError: x\n");
        assert_eq!(odd.problems[0].message, "ModuleNotFoundError: x");
        for junk in ["\u{1b}", "\u{1b}[", "- line 99999999999999", "Failed config\n- line x"] {
            let _ = parse_check(false, junk);
        }
    }

    #[test]
    fn paths() {
        for good in ["configuration.yaml", "packages/lights.yaml", ".storage/core.config_entries"] {
            validate_path(good).unwrap();
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a b", "./x", "x;y"] {
            assert!(validate_path(bad).is_err(), "{bad}");
        }
    }
}
