//! Previews of the servers verbs: inventory edits as field changes (the old
//! values are the undo), and for `server_exec` the servers a target list
//! (`all`, names, `tag:T`, `site:S`) resolves to now. What a remote command
//! does cannot be known before it runs, and the card says so.

use super::model::{Auth, Server};
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, ServersCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::{Preview, scratch_ctx};
use crate::engine::{Outcome, ServersOutcome};

/// Why a remote command has no field-by-field preview.
pub const REMOTE_UNKNOWN: &str = "a remote command's effect cannot be known before it runs";

pub(crate) async fn preview(inner: &Inner, actor: &Actor, spec: &'static CommandSpec, command: ServersCommand) -> EngineResult<Preview> {
    use ServersCommand::*;
    let p = match command {
        ServerList {} | ServerShow { .. } | ServerTest { .. } | ServerHealth { .. } | TailscaleStatus { .. } => Preview::reads(spec),
        ServerAdd { name, host, port, user, auth, secret, key, password, tags, site, .. } => {
            let mut p = Preview::new(spec, format!("add server {name} at {host}")).target(name.clone());
            p.add_change(&name, "host", None, Some(host));
            p.add_change(&name, "port", None, Some(port.unwrap_or(22).to_string()));
            p.add_change(&name, "user", None, user);
            p.add_change(&name, "auth", None, auth.map(|a| format!("{a:?}").to_lowercase()));
            p.add_change(&name, "tags", None, tags);
            p.add_change(&name, "site", None, site);
            if key.is_some() || password.is_some() {
                p.notes.push("the key or password given goes into the vault (never shown here)".into());
            } else if let Some(s) = secret {
                p.notes.push(format!("logs in with vault secret {s}"));
            }
            p.inverse(Command::ServerRemove { name })
        }
        ServerEdit { name, host, port, user, auth, secret, key, password, tags, site, .. } => {
            let s = super::store::get(&inner.store, &name)?;
            let mut p = Preview::new(spec, format!("change server {name}")).target(name.clone());
            let mut undo = Command::ServerEdit {
                name: name.clone(), host: None, port: None, user: None, auth: None, secret: None, key: None,
                key_passphrase: None, password: None, tags: None, site: None,
            };
            if let Command::ServerEdit { host: h, port: pt, user: u, tags: t, site: st, .. } = &mut undo {
                if let Some(v) = host {
                    p.add_change(&name, "host", Some(s.host.clone()), Some(v.clone()));
                    *h = Some(s.host.clone());
                    if v != s.host && s.host_key.is_some() {
                        p.notes.push("a new address forgets the pinned host key (it is pinned again on first use)".into());
                    }
                }
                if let Some(v) = port {
                    p.add_change(&name, "port", Some(s.port.to_string()), Some(v.to_string()));
                    *pt = Some(u32::from(s.port));
                }
                if let Some(v) = user {
                    p.add_change(&name, "user", Some(s.user.clone()), Some(v));
                    *u = Some(s.user.clone());
                }
                if let Some(v) = tags {
                    p.add_change(&name, "tags", Some(s.tags.join(",")), Some(v));
                    *t = Some(s.tags.join(","));
                }
                if let Some(v) = site {
                    p.add_change(&name, "site", s.site.clone(), Some(v));
                    *st = Some(s.site.clone().unwrap_or_else(|| "-".into()));
                }
            }
            if auth.is_some() || secret.is_some() || key.is_some() || password.is_some() {
                p.add_change(&name, "auth", Some(s.auth.label()), auth.map(|a| format!("{a:?}").to_lowercase()).or(secret));
                p.notes.push("a login change has no undo here (the old secret stays in the vault)".into());
                p
            } else {
                p.inverse(undo)
            }
        }
        ServerRemove { name } => {
            let s = super::store::get(&inner.store, &name)?;
            Preview::new(spec, format!("remove server {name} from the inventory (its vault secrets stay until revoked)"))
                .target(name.clone())
                .change(&name, "server", Some(describe(&s)), None)
                .inverse(add_back(&s))
                .note("the undo adds it back with the same login secret; the pinned host key is pinned again on first use")
        }
        ServerTrust { name, fingerprint } => {
            let s = super::store::get(&inner.store, &name)?;
            Preview::new(spec, format!("replace the pinned host key of {name} with the key it presents now"))
                .target(name.clone())
                .change(&name, "host key", s.host_key.map(|k| k.fingerprint), fingerprint.or(Some("(the key presented when this runs)".into())))
        }
        ServerExec { targets, line, shell, confirmed, .. } => {
            let servers = super::resolve_targets(&inner.store, &targets)?;
            super::quote::remote_command(&line, shell.unwrap_or(false))?;
            let mut p = Preview::unavailable(
                spec,
                format!("run `{line}` on {} ({targets})", crate::engine::text::plural(servers.len(), "server", "servers")),
                REMOTE_UNKNOWN,
            )
            .targets(servers.iter().map(|s| s.name.clone()));
            if let Some(reason) = super::quote::danger(&line)
                && confirmed != Some(true)
            {
                p.notes.push(format!("needs confirmation: {reason}"));
            }
            p
        }
        ServerExecCancel { run } => Preview::new(spec, format!("cancel command run {run} (servers already finished keep their result)")).target(format!("run {run}")),
        ServerImportSshConfig { path, .. } => {
            let mut ctx = scratch_ctx(actor, spec);
            let Outcome::Servers(ServersOutcome::SshImport { rows, .. }) = super::ssh_config::import(inner, &mut ctx, path.clone(), true)? else {
                return Ok(Preview::new(spec, "import servers from an OpenSSH client config"));
            };
            let mut p = Preview::new(spec, format!("import servers from {}", path.unwrap_or_else(|| "~/.ssh/config".into())));
            for r in rows {
                p.add_target(r.name.clone());
                p.add_change(&r.name, &r.action, None, Some(format!("{}@{}:{} {}", r.user, r.host, r.port, r.note).trim().to_string()));
            }
            p
        }
        ServerGet { name, remote, local } => {
            super::store::get(&inner.store, &name)?;
            let exists = std::path::Path::new(&local).exists();
            Preview::new(spec, format!("download {name}:{remote} to {local}"))
                .target(local.clone())
                .change(&local, "file", exists.then(|| "(existing file, replaced)".to_string()), Some(format!("{name}:{remote}")))
        }
        ServerPut { name, local, remote } => {
            super::store::get(&inner.store, &name)?;
            Preview::new(spec, format!("upload {local} to {name}:{remote}"))
                .target(format!("{name}:{remote}"))
                .note("an existing remote file of that name is replaced")
        }
    };
    Ok(p)
}

fn describe(s: &Server) -> String {
    format!("{}@{}:{} ({})", s.user, s.host, s.port, s.auth.label())
}

/// The `server_add` that brings a removed server back with the same login.
fn add_back(s: &Server) -> Command {
    let (auth, secret) = match &s.auth {
        Auth::Key { secret } => (Some(super::model::AuthMethod::Key), Some(secret.clone())),
        Auth::Password { secret } => (Some(super::model::AuthMethod::Password), Some(secret.clone())),
        Auth::Agent | Auth::Local => (Some(super::model::AuthMethod::Agent), None),
    };
    Command::ServerAdd {
        name: s.name.clone(),
        host: s.host.clone(),
        port: Some(u32::from(s.port)),
        user: Some(s.user.clone()),
        auth,
        secret,
        key: None,
        key_passphrase: None,
        password: None,
        tags: (!s.tags.is_empty()).then(|| s.tags.join(",")),
        site: s.site.clone(),
    }
}
