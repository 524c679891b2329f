//! Import from an OpenSSH client config: each concrete `Host` alias with
//! its HostName, Port, User and IdentityFile becomes a server. Patterns
//! (`*`, `?`, `!`) are not servers but their values fill gaps, the way ssh
//! applies `Host *` defaults. An unencrypted IdentityFile is imported into
//! the vault; a passphrase-protected one is left to the ssh-agent.

use crate::engine::text::plural;
use crate::engine::ServersOutcome;
use super::manage::{self, Fields};
use super::model::AuthMethod;
use super::store as servers;
use super::validate;
use super::views::ImportRow;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::{Inner, Outcome};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct HostBlock {
    pub patterns: Vec<String>,
    pub hostname: Option<String>,
    pub port: Option<String>,
    pub user: Option<String>,
    pub identity_file: Option<String>,
}

/// Parse the file's text. Keywords are case-insensitive; `Key=Value` and
/// `Key Value` both work; the first value of a keyword in a block wins.
pub fn parse(text: &str) -> Vec<HostBlock> {
    let mut blocks: Vec<HostBlock> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once(|c: char| c.is_whitespace() || c == '=') {
            Some((k, v)) => (k.to_ascii_lowercase(), v.trim_start_matches(|c: char| c.is_whitespace() || c == '=').trim()),
            None => continue,
        };
        let value = value.trim_matches('"').to_string();
        if key == "host" {
            blocks.push(HostBlock { patterns: value.split_whitespace().map(String::from).collect(), ..Default::default() });
            continue;
        }
        if key == "match" {
            // Match blocks are conditional; their settings are not imported.
            blocks.push(HostBlock { patterns: vec!["!match".into()], ..Default::default() });
            continue;
        }
        let Some(b) = blocks.last_mut() else { continue };
        let slot = match key.as_str() {
            "hostname" => &mut b.hostname,
            "port" => &mut b.port,
            "user" => &mut b.user,
            "identityfile" => &mut b.identity_file,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    blocks
}

fn is_pattern(p: &str) -> bool {
    p.contains(['*', '?', '!'])
}

fn expand_home(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new().map(|b| b.home_dir().join(rest)).unwrap_or_else(|| PathBuf::from(p)),
        None => PathBuf::from(p),
    }
}

pub(crate) fn import(inner: &Inner, ctx: &mut Ctx, path: Option<String>, dry_run: bool) -> EngineResult<Outcome> {
    let path = path.map(PathBuf::from).unwrap_or_else(|| expand_home("~/.ssh/config"));
    ctx.resource("ssh_config", None, Some(path.display().to_string()));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| EngineError::invalid("ssh config", path.display().to_string(), &format!("a readable OpenSSH client config ({e})")))?;
    let blocks = parse(&text);
    // Keys found on the way go into the vault: ask for it open up front,
    // rather than half-importing.
    if !dry_run && !crate::engine::vault::session::is_unlocked(inner) && blocks.iter().any(|b| b.identity_file.is_some()) {
        return Err(EngineError::VaultLocked);
    }
    let defaults: Vec<&HostBlock> = blocks.iter().filter(|b| b.patterns.iter().any(|p| p == "*")).collect();
    let fill = |b: &HostBlock, f: fn(&HostBlock) -> &Option<String>| {
        f(b).clone().or_else(|| defaults.iter().find_map(|d| f(d).clone()))
    };
    let mut rows = Vec::new();
    for b in blocks.iter().filter(|b| !b.patterns.iter().any(|p| is_pattern(p))) {
        for alias in &b.patterns {
            let host = fill(b, |b| &b.hostname).unwrap_or_else(|| alias.clone());
            let port_text = fill(b, |b| &b.port).unwrap_or_else(|| "22".into());
            let user = fill(b, |b| &b.user).unwrap_or_else(whoami::username);
            let identity = fill(b, |b| &b.identity_file);
            let mut row = ImportRow { name: alias.clone(), host: host.clone(), port: 22, user: user.clone(), auth: "agent".into(), action: String::new(), note: String::new() };
            let checked = validate::name("name", alias)
                .and_then(|_| validate::host(&host))
                .and_then(|_| port_text.parse::<u32>().map_err(|_| EngineError::invalid("port", &port_text, "a TCP port from 1 to 65535")).and_then(validate::port))
                .and_then(|p| validate::user(&user).map(|_| p));
            let port = match checked {
                Ok(p) => p,
                Err(e) => {
                    row.action = "skipped".into();
                    row.note = e.to_string();
                    rows.push(row);
                    continue;
                }
            };
            row.port = port;
            if servers::exists(&inner.store, alias)? {
                row.action = "skipped".into();
                row.note = "a server with this name exists".into();
                rows.push(row);
                continue;
            }
            let mut fields = Fields { host: Some(host), port: Some(u32::from(port)), user: Some(user), auth: Some(AuthMethod::Agent), ..Default::default() };
            if let Some(file) = identity.as_deref().map(expand_home) {
                match key_text(&file) {
                    Ok(Some(key)) => {
                        row.auth = format!("key from {}", file.display());
                        fields.auth = Some(AuthMethod::Key);
                        fields.key = Some(key);
                    }
                    Ok(None) => row.note = format!("{} is passphrase-protected: using the ssh-agent (or `server edit {alias} --key-file`)", file.display()),
                    Err(e) => row.note = format!("{}: {e}; using the ssh-agent", file.display()),
                }
            }
            if dry_run {
                row.action = "would add".into();
            } else {
                let saved = ctx.draft.clone();
                let added = manage::add(inner, ctx, alias.clone(), fields);
                ctx.draft = saved;
                match added {
                    Ok(_) => row.action = "added".into(),
                    Err(e) => {
                        row.action = "skipped".into();
                        row.note = e.to_string();
                    }
                }
            }
            rows.push(row);
        }
    }
    let added = rows.iter().filter(|r| r.action == "added").count();
    ctx.change("servers", None, Some(format!("+{added}")));
    ctx.describe(format!("imported {} from {}{}", plural(added, "server", "servers"), path.display(), if dry_run { " (dry run)" } else { "" }));
    Ok(Outcome::Servers(ServersOutcome::SshImport { rows, dry_run }))
}

/// The key file's text if it is an unencrypted private key; None if it is
/// passphrase-protected.
fn key_text(path: &Path) -> Result<Option<SecretValue>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("unreadable ({e})"))?;
    match russh::keys::decode_secret_key(&text, None) {
        Ok(_) => Ok(Some(SecretValue::new(text))),
        Err(russh::keys::Error::KeyIsEncrypted) => Ok(None),
        Err(e) => Err(format!("not a private key ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_and_first_value_wins() {
        let text = "# c\nHost nas backup\n  HostName 192.168.1.5\n  Port=2222\n  User admin\n  User other\n\
                    Host *.lan !x\n  User lan\nHost *\n  IdentityFile ~/.ssh/id_ed25519\nMatch host y\n  User m\n";
        let b = parse(text);
        assert_eq!(b[0].patterns, vec!["nas", "backup"]);
        assert_eq!(b[0].hostname.as_deref(), Some("192.168.1.5"));
        assert_eq!(b[0].port.as_deref(), Some("2222"));
        assert_eq!(b[0].user.as_deref(), Some("admin"));
        assert!(is_pattern(&b[1].patterns[0]));
        assert_eq!(b[2].identity_file.as_deref(), Some("~/.ssh/id_ed25519"));
        assert_eq!(b[3].patterns, vec!["!match"]);
        assert!(parse("garbage\n\u{0}\nHost\n").len() <= 1);
    }
}
