//! The vault: secret metadata (never values), kinds, and name validation.
//!
//! This domain's façade, `engine::views::vault`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::vault::record::validate_name;
pub use crate::engine::vault::{SecretAccess, SecretKind, SecretMeta, VaultStatus};
