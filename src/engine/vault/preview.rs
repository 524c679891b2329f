//! Previews of the vault verbs. Only metadata is read (names, kinds,
//! versions, rotation days): a preview never holds, shows or returns a
//! secret's value, and works with the vault locked.

use super::secret_store::find;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, VaultCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::EngineResult;
use crate::engine::preview::Preview;
use crate::engine::secret_value::REDACTED;

const NEVER_SHOWN: &str = "secret values are never shown in a preview";

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: VaultCommand) -> EngineResult<Preview> {
    use VaultCommand::*;
    let p = match command {
        VaultStatus {} | VaultUnlock { .. } | VaultLock {} | SecretList {} | SecretShow { .. } | SecretReveal { .. }
        | SecretRotationDue {} => Preview::reads(spec),
        VaultInit { .. } => Preview::new(spec, "create the vault with the passphrase given").target("vault").note(NEVER_SHOWN),
        VaultChangePassphrase { .. } => Preview::new(spec, "change the vault passphrase (the data key is re-wrapped; secrets are untouched)")
            .target("vault")
            .change("vault", "passphrase", Some(REDACTED.into()), Some(REDACTED.into()))
            .note("no undo: changing it back needs the old passphrase typed again"),
        SecretAdd { name, kind, rotation_days, note, .. } => {
            super::record::validate_name(&name)?;
            Preview::new(spec, format!("store a new {kind} secret {name:?}"))
                .target(name.clone())
                .change(&name, "kind", None, Some(kind.to_string()))
                .change(&name, "value", None, Some(REDACTED.into()))
                .change(&name, "rotation_days", None, rotation_days.filter(|d| *d > 0).map(|d| d.to_string()))
                .change(&name, "note", None, note)
                .note(NEVER_SHOWN)
                .note("no undo by command: a stored secret is removed only by revoking it (dangerous)")
        }
        SecretRotate { name, .. } => {
            let m = find(&inner.store, &name)?.meta;
            Preview::new(spec, format!("replace the value of secret {name:?} (version {} → {})", m.version, m.version + 1))
                .target(name.clone())
                .change(&name, "value", Some(REDACTED.into()), Some(REDACTED.into()))
                .change(&name, "version", Some(m.version.to_string()), Some((m.version + 1).to_string()))
                .change(&name, "last_rotated", m.last_rotated.map(|t| t.to_rfc3339()), Some("(now)".into()))
                .note(NEVER_SHOWN)
                .note("no undo: the old value is not kept")
        }
        SecretSetRotation { name, days } => {
            let m = find(&inner.store, &name)?.meta;
            let shown = |d: Option<u32>| Some(d.filter(|d| *d > 0).map(|d| d.to_string()).unwrap_or_else(|| "off".into()));
            Preview::new(spec, format!("secret {name:?} rotation every {}", if days == 0 { "(off)".to_string() } else { format!("{days} days") }))
                .target(name.clone())
                .change(&name, "rotation_days", shown(m.rotation_days), shown(Some(days)))
                .inverse(Command::SecretSetRotation { name, days: m.rotation_days.unwrap_or(0) })
        }
        SecretRevoke { name, reason } => {
            let m = find(&inner.store, &name)?.meta;
            Preview::new(spec, format!("revoke secret {name:?} for good: {reason}"))
                .target(name.clone())
                .change(&name, "value", Some(REDACTED.into()), Some("(destroyed)".into()))
                .change(&name, "revoked", m.revoked.map(|r| r.at.to_rfc3339()), Some("(now)".into()))
                .note("cannot be undone: the value is destroyed")
        }
    };
    Ok(p)
}
