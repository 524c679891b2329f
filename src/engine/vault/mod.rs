//! The secrets vault: lifecycle (init, unlock, lock, passphrase change) and
//! the secrets themselves. Crypto lives in `crypto`, the in-memory key in
//! `session`; handlers here glue them to the store and the audit draft.

pub mod outcome;
pub(crate) mod route;
/// What each verb would do, without doing it (`EngineHandle::preview`).
pub(crate) mod preview;
pub mod facade;
pub mod crypto;
pub mod header;
mod lifecycle;
pub mod record;
mod secret_store;
pub mod scrub;
mod secrets;
pub(crate) mod session;
mod types;
mod usage;

pub(crate) use lifecycle::{change_passphrase, init, status, unlock};
pub(crate) use secrets::{add, list, reveal, revoke, rotate, rotation_due, set_rotation, show};
pub(crate) use usage::{exists, use_secret};
pub(crate) use secret_store::all_meta;
pub(crate) use scrub::scrubber;
pub use types::{Revocation, SecretAccess, SecretKind, SecretMeta, VaultStatus};

/// The trees this domain owns.
pub const TREES: [&str; 4] = [VAULT, SECRETS, SECRET_NAMES, SECRET_ACCESS];
/// `header` (KDF parameters, wrapped data key) and `unlock_failures`.
pub const VAULT: &str = "vault";
/// id → sealed secret record.
pub const SECRETS: &str = "secrets";
/// name → id, so names stay unique and lookups are direct.
pub const SECRET_NAMES: &str = "secret_names";
/// id ‖ time key → access record.
pub const SECRET_ACCESS: &str = "secret_access";

/// Run CPU-heavy work (Argon2) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::engine::EngineResult<T> + Send + 'static,
) -> crate::engine::EngineResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::engine::EngineError::Other(format!("background task failed: {e}")))?
}

/// This domain's runtime state on the engine (`inner.vault`).
pub(crate) type State = std::sync::Mutex<session::VaultSession>;

impl crate::engine::domains::DomainState for State {
    fn open(_: &crate::engine::EngineOptions) -> crate::engine::EngineResult<State> {
        Ok(State::default())
    }
}
