//! From a stored server to a live, trusted connection: credentials out of
//! the vault, the pool consulted, the host key pinned on first use (and the
//! pin audited), a changed key refused and raised as a security event.

use crate::engine::ServersEvent;
use super::model::{Auth, PinnedKey, Server};
use super::pool::Lookup;
use super::ssh::{self, Connection, Credentials, Dial, Presented};
use super::store as servers;
use crate::engine::Inner;
use crate::engine::actor::{Actor, Frontend};
use crate::engine::audit::{self, Category, Resource, Severity, Status};
use crate::engine::context::AuditDraft;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::security::{self, Raise, SecurityStatus};
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Get the server's shared connection, dialling if needed. `force` skips
/// the failure backoff (a person asked).
pub(crate) async fn connection(inner: &Inner, server: &Server, actor: &Actor, force: bool) -> EngineResult<Arc<Connection>> {
    let guard = match inner.servers.pool.lookup(&server.name, force) {
        Lookup::Ready(c) => return Ok(c),
        Lookup::BackingOff(e, _) => return Err(e),
        Lookup::Dial(g) => g,
    };
    let _dialing = guard.lock().await;
    if let Some(c) = inner.servers.pool.ready(&server.name) {
        return Ok(c);
    }
    // Re-read: a trust or edit may have changed the pin while we waited.
    let server = servers::get(&inner.store, &server.name)?;
    match dial(inner, &server, actor).await {
        Ok(c) => {
            let c = Arc::new(c);
            inner.servers.pool.connected(&server.name, c.clone());
            Ok(c)
        }
        Err(e) => {
            inner.servers.pool.failed(&server.name, &e);
            Err(e)
        }
    }
}

/// Dial without the pool (used by `server trust`, which must see the key
/// whatever the pin says).
pub(crate) async fn dial_expecting(inner: &Inner, server: &Server, actor: &Actor, expect: Option<&str>) -> EngineResult<Connection> {
    let creds = credentials(inner, server, actor)?;
    let dial = Dial {
        server: &server.name,
        host: &server.host,
        port: server.port,
        user: &server.user,
        pinned: expect,
        timeout: inner.servers.opts.get().connect_timeout,
    };
    ssh::connect(&dial, creds).await
}

async fn dial(inner: &Inner, server: &Server, actor: &Actor) -> EngineResult<Connection> {
    let pinned = server.host_key.as_ref().map(|k| k.fingerprint.as_str());
    match dial_expecting(inner, server, actor, pinned).await {
        Ok(conn) => {
            if server.host_key.is_none() {
                if inner.opts.readonly {
                    return Err(EngineError::ReadOnly { command: format!("pinning the host key of {} on first use", server.name) });
                }
                pin(inner, server, &conn.host_key, actor, true)?;
            }
            Ok(conn)
        }
        Err(EngineError::HostKeyMismatch { server: name, pinned, presented }) => {
            raise_mismatch(inner, server, &pinned, &presented);
            Err(EngineError::HostKeyMismatch { server: name, pinned, presented })
        }
        Err(e) => Err(e),
    }
}

/// Take the login secret out of the vault for this one dial.
fn credentials(inner: &Inner, server: &Server, actor: &Actor) -> EngineResult<Credentials> {
    let purpose = format!("ssh login {}", server.name);
    match &server.auth {
        Auth::Key { secret } => {
            let text = crate::engine::vault::use_secret(inner, actor, secret, &purpose)?;
            let key = russh::keys::decode_secret_key(text.expose(), None).map_err(|e| {
                EngineError::invalid("ssh key secret", secret.as_str(), &format!("an unencrypted OpenSSH/PEM private key ({e})"))
            })?;
            Ok(Credentials::Key { key: Box::new(key), label: format!("key {secret:?}") })
        }
        Auth::Password { secret } => {
            let password = crate::engine::vault::use_secret(inner, actor, secret, &purpose)?;
            Ok(Credentials::Password { password, label: format!("password {secret:?}") })
        }
        Auth::Agent => Ok(Credentials::Agent),
        Auth::Local => Err(EngineError::invalid("server", server.name.as_str(), "an SSH server (local runs without SSH)")),
    }
}

/// Store `key` as the server's pin and audit it.
/// `first_use`: trust on first contact (audited here, as the engine); otherwise
/// `server trust`, whose own command entry is the audit.
pub(crate) fn pin(inner: &Inner, server: &Server, key: &Presented, actor: &Actor, first_use: bool) -> EngineResult<()> {
    let mut updated = servers::get(&inner.store, &server.name)?;
    let before = updated.host_key.as_ref().map(|k| k.fingerprint.clone());
    updated.host_key = Some(PinnedKey {
        algorithm: key.algorithm.clone(),
        fingerprint: key.fingerprint.clone(),
        openssh: key.openssh.clone(),
        pinned_at: Utc::now(),
        pinned_by: if first_use { "first use".to_string() } else { actor.to_string() },
    });
    servers::put(&inner.store, &updated)?;
    if first_use {
        let mut draft = AuditDraft {
            category: Category::Server,
            severity: Severity::Info,
            resource: Some(Resource::new("server", None, Some(server.name.clone()))),
            description: format!("pinned host key of {} on first use: {} {}", server.name, key.algorithm, key.fingerprint),
            changes: Vec::new(),
            action: None,
            ended: None,
        };
        draft.changes.push(crate::engine::audit::Change::new("host_key", before, Some(key.fingerprint.clone())));
        let engine = Actor { frontend: Frontend::Engine, ..actor.clone() };
        audit::record(inner, &engine, "server_host_key_pinned", draft, Status::Success, None)?;
        inner.store.flush()?;
    }
    inner.emit(Event::Servers(ServersEvent::ServersChanged));
    Ok(())
}

/// One pending event per server and presented key, however often the
/// poller meets it.
fn raise_mismatch(inner: &Inner, server: &Server, pinned: &str, presented: &str) {
    let open = security::list(&inner.store, None, 1000).unwrap_or_default().into_iter().any(|e| {
        e.kind == "host_key_mismatch"
            && matches!(e.status, SecurityStatus::Pending | SecurityStatus::Investigating)
            && e.evidence.get("server").is_some_and(|s| *s == server.name)
            && e.evidence.get("presented").is_some_and(|p| p == presented)
    });
    if open {
        return;
    }
    let mut evidence = BTreeMap::new();
    evidence.insert("server".into(), server.name.clone());
    evidence.insert("address".into(), server.address());
    evidence.insert("pinned".into(), pinned.to_string());
    evidence.insert("presented".into(), presented.to_string());
    let raised = security::raise(
        inner,
        Raise {
            severity: Severity::High,
            kind: "host_key_mismatch",
            title: format!("host key of server {} changed", server.name),
            description: format!(
                "{} presented a different SSH host key than the one pinned. homedeck refused to log in. If the machine was reinstalled, verify the new fingerprint on its console and run `homedeck server trust {}`; otherwise treat this as an attack.",
                server.name, server.name
            ),
            evidence,
        },
    );
    if let Err(e) = raised {
        tracing::error!(error = %e, "could not raise host key mismatch event");
    }
}
