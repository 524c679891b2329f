//! What the vault and its secrets answer ([`VaultOutcome`]) and broadcast ([`VaultEvent`]).
//! The engine wraps them in `Outcome::Vault` / `Event::Vault`; front ends route
//! the whole group to one renderer that matches every variant.

use crate::engine::text::plural;
use crate::engine::secret_value::SecretValue;
use crate::engine::vault::{SecretAccess, SecretMeta, VaultStatus};
use crate::engine::event::LockReason;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VaultOutcome {
    VaultStatus { status: VaultStatus },
    Secrets { secrets: Vec<SecretMeta> },
    Secret { meta: SecretMeta, history: Vec<SecretAccess> },
    /// The only outcome that carries a secret value, after an explicit reveal.
    Revealed { name: String, value: SecretValue },
}

impl VaultOutcome {
    /// A one-line summary for status bars and plain CLI output.
    pub fn summary(&self) -> String {
        match self {
            Self::VaultStatus { status } => match (status.initialized, status.unlocked) {
                (false, _) => "vault not initialised".into(),
                (true, true) => format!("vault unlocked, {}", plural(status.secrets as usize, "secret", "secrets")),
                (true, false) => format!("vault locked, {}", plural(status.secrets as usize, "secret", "secrets")),
            },
            Self::Secrets { secrets } => plural(secrets.len(), "secret", "secrets"),
            Self::Secret { meta, .. } => format!("secret {}", meta.name),
            Self::Revealed { name, .. } => format!("revealed {name}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VaultEvent {
    VaultUnlocked,
    VaultLocked { reason: LockReason },
    /// Secret metadata changed (added, rotated, revoked, accessed).
    SecretsChanged,
}
