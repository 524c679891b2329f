//! Inventory commands: add, edit, remove, list, show. A key or password
//! handed to add/edit goes straight into the vault (as `server/<name>/key`
//! or `server/<name>/password`); the server record only names the secret.

use crate::engine::{ServersEvent, ServersOutcome};
use super::health::history;
use super::model::{Auth, AuthMethod, LOCAL, Server};
use super::store as servers;
use super::validate;
use super::views::{ServerDetail, ServerView};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::vault::{self, SecretKind};
use crate::engine::{Inner, Outcome};
use chrono::{Duration, Utc};

/// The fields of `server_add` / `server_edit` (None = not given).
#[derive(Default)]
pub struct Fields {
    pub host: Option<String>,
    pub port: Option<u32>,
    pub user: Option<String>,
    pub auth: Option<AuthMethod>,
    pub secret: Option<String>,
    pub key: Option<SecretValue>,
    pub key_passphrase: Option<SecretValue>,
    pub password: Option<SecretValue>,
    pub tags: Option<String>,
    pub site: Option<String>,
}

pub(crate) fn add(inner: &Inner, ctx: &mut Ctx, name: String, f: Fields) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.clone()));
    validate::name("name", &name)?;
    if servers::exists(&inner.store, &name)? {
        return Err(EngineError::AlreadyExists { what: "server".into(), name });
    }
    let host = f.host.clone().ok_or_else(|| EngineError::invalid("host", "", "a hostname or IP address"))?;
    let now = Utc::now();
    let mut server = Server {
        name: name.clone(),
        host,
        port: 22,
        user: whoami::username(),
        auth: Auth::Agent,
        tags: Vec::new(),
        site: None,
        host_key: None,
        created: now,
        updated: now,
    };
    apply(inner, ctx, &mut server, f)?;
    servers::put(&inner.store, &server)?;
    ctx.resource("server", None, Some(name.clone()));
    ctx.change("address", None, Some(server.address()));
    ctx.change("auth", None, Some(server.auth.label()));
    ctx.describe(format!("added server {name} ({}, {})", server.address(), server.auth.label()));
    inner.emit(Event::Servers(ServersEvent::ServersChanged));
    Ok(Outcome::done(format!("server {name} added ({}); `homedeck server test {name}` pins its host key", server.address())))
}

pub(crate) fn edit(inner: &Inner, ctx: &mut Ctx, name: String, f: Fields) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.clone()));
    if name == LOCAL {
        return Err(EngineError::invalid("server", LOCAL, "a server other than the built-in `local` (it cannot be edited)"));
    }
    let before = servers::get(&inner.store, &name)?;
    let mut server = before.clone();
    apply(inner, ctx, &mut server, f)?;
    // A new address is a new machine as far as the host key goes.
    if server.host != before.host || server.port != before.port {
        server.host_key = None;
    }
    server.updated = Utc::now();
    servers::put(&inner.store, &server)?;
    inner.servers.pool.forget(&name);
    ctx.resource("server", None, Some(name.clone()));
    for (field, a, b) in [
        ("address", before.address(), server.address()),
        ("auth", before.auth.label(), server.auth.label()),
        ("tags", before.tags.join(","), server.tags.join(",")),
        ("site", before.site.clone().unwrap_or_default(), server.site.clone().unwrap_or_default()),
    ] {
        if a != b {
            ctx.change(field, Some(a), Some(b));
        }
    }
    ctx.describe(format!("edited server {name}"));
    inner.emit(Event::Servers(ServersEvent::ServersChanged));
    Ok(Outcome::done(format!("server {name} updated")))
}

/// Apply and validate given fields onto `server`, storing key/password in the vault.
fn apply(inner: &Inner, ctx: &mut Ctx, server: &mut Server, f: Fields) -> EngineResult<()> {
    if let Some(h) = f.host {
        validate::host(&h)?;
        server.host = h.trim_start_matches('[').trim_end_matches(']').to_string();
    }
    if let Some(p) = f.port {
        server.port = validate::port(p)?;
    }
    if let Some(u) = f.user {
        validate::user(&u)?;
        server.user = u;
    }
    if let Some(t) = f.tags {
        server.tags = validate::tags(&t)?;
    }
    if let Some(s) = f.site {
        let s = s.trim().to_string();
        if s.is_empty() {
            server.site = None;
        } else {
            validate::name("site", &s)?;
            server.site = Some(s);
        }
    }
    let method = f.auth.or(if f.key.is_some() {
        Some(AuthMethod::Key)
    } else if f.password.is_some() {
        Some(AuthMethod::Password)
    } else {
        None
    });
    let Some(method) = method else { return Ok(()) };
    server.auth = match method {
        AuthMethod::Agent => Auth::Agent,
        AuthMethod::Key => {
            let secret = match (f.key, f.secret) {
                (Some(key), _) => {
                    let text = import_key(key, f.key_passphrase)?;
                    store_secret(inner, ctx, &format!("server/{}/key", server.name), SecretKind::SshKey, text)?
                }
                (None, Some(s)) => existing(inner, &s)?,
                (None, None) => {
                    return Err(EngineError::invalid("auth", "key", "a key (--key-file) or the name of a vault secret holding one (secret=…)"));
                }
            };
            Auth::Key { secret }
        }
        AuthMethod::Password => {
            let secret = match (f.password, f.secret) {
                (Some(pw), _) => store_secret(inner, ctx, &format!("server/{}/password", server.name), SecretKind::Password, pw)?,
                (None, Some(s)) => existing(inner, &s)?,
                (None, None) => {
                    return Err(EngineError::invalid("auth", "password", "a password (prompted) or the name of a vault secret holding one (secret=…)"));
                }
            };
            Auth::Password { secret }
        }
    };
    Ok(())
}

fn existing(inner: &Inner, name: &str) -> EngineResult<String> {
    if !vault::exists(inner, name)? {
        return Err(EngineError::invalid("secret", name, "the name of a secret in the vault (see `homedeck secret list`)"));
    }
    Ok(name.to_string())
}

/// Check that `key` is a private key; decrypt it with the passphrase if it
/// has one (the vault encrypts it again). Returns OpenSSH text.
fn import_key(key: SecretValue, passphrase: Option<SecretValue>) -> EngineResult<SecretValue> {
    use russh::keys::ssh_key::LineEnding;
    let parsed = match russh::keys::decode_secret_key(key.expose(), None) {
        Ok(k) => k,
        Err(russh::keys::Error::KeyIsEncrypted) => {
            let Some(pass) = passphrase else { return Err(EngineError::KeyPassphraseRequired) };
            russh::keys::decode_secret_key(key.expose(), Some(pass.expose()))
                .map_err(|e| EngineError::invalid("key passphrase", "(hidden)", &format!("the passphrase that opens this key ({e})")))?
        }
        Err(e) => {
            return Err(EngineError::invalid("key", "(the given key file)", &format!("an OpenSSH or PEM private key ({e})")));
        }
    };
    let text = parsed
        .to_openssh(LineEnding::LF)
        .map_err(|e| EngineError::invalid("key", "(the given key file)", &format!("a key that can be re-encoded ({e})")))?;
    Ok(SecretValue::new(text.to_string()))
}

/// Store (or replace) a server's login secret, keeping the server's audit draft.
fn store_secret(inner: &Inner, ctx: &mut Ctx, name: &str, kind: SecretKind, value: SecretValue) -> EngineResult<String> {
    let saved = ctx.draft.clone();
    let result = if vault::exists(inner, name)? {
        vault::rotate(inner, ctx, name, value)
    } else {
        vault::add(inner, ctx, name.to_string(), kind, value, None, Some("login secret of a homedeck server".into()))
    };
    ctx.draft = saved;
    result?;
    ctx.change("secret", None, Some(format!("{name} (stored in the vault)")));
    Ok(name.to_string())
}

pub(crate) fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("server", None, Some(name.to_string()));
    if name == LOCAL {
        return Err(EngineError::invalid("server", LOCAL, "a server other than the built-in `local` (it cannot be removed)"));
    }
    let server = servers::get(&inner.store, name)?;
    servers::remove(&inner.store, name)?;
    history::forget(&inner.store, name)?;
    inner.servers.pool.forget(name);
    if let Ok(mut m) = inner.servers.latest.lock() {
        m.remove(name);
    }
    ctx.change("address", Some(server.address()), None);
    ctx.describe(format!("removed server {name}"));
    inner.emit(Event::Servers(ServersEvent::ServersChanged));
    let kept = match &server.auth {
        Auth::Key { secret } | Auth::Password { secret } => format!("; its secret {secret:?} stays in the vault"),
        _ => String::new(),
    };
    Ok(Outcome::done(format!("server {name} removed{kept}")))
}

pub(crate) fn view(inner: &Inner, server: Server) -> EngineResult<ServerView> {
    let now = Utc::now();
    let points = history::load(&inner.store, &server.name, now - Duration::minutes(60))?;
    let mut cpu_hour = vec![None; 60];
    for p in points {
        let age = (now - p.time).num_minutes();
        if (0..60).contains(&age) {
            cpu_hour[59 - age as usize] = p.cpu;
        }
    }
    let health = inner.servers.latest(&server.name);
    Ok(ServerView { server, health, cpu_hour })
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    let servers = servers::all(&inner.store)?.into_iter().map(|s| view(inner, s)).collect::<EngineResult<Vec<_>>>()?;
    Ok(Outcome::Servers(ServersOutcome::Servers { servers }))
}

pub(crate) fn show(inner: &Inner, name: &str) -> EngineResult<Outcome> {
    let server = servers::get(&inner.store, name)?;
    let hours = inner.servers.opts.get().history_hours;
    let history = history::load(&inner.store, name, Utc::now() - Duration::hours(i64::from(hours)))?;
    Ok(Outcome::Servers(ServersOutcome::Server { detail: Box::new(ServerDetail { view: view(inner, server)?, history }) }))
}
