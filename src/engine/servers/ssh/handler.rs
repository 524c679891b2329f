//! The russh client handler: its one job is the host key. It records the key
//! the server presented (so a mismatch can name both fingerprints) and
//! accepts it only when it matches the pin, or when there is no pin yet
//! (trust on first use; the caller pins it once login succeeds).

use russh::keys::{HashAlg, PublicKey, PublicKeyOrCertificate};
use std::sync::{Arc, Mutex};

/// A host key as homedeck shows and stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub algorithm: String,
    pub fingerprint: String,
    pub openssh: String,
}

impl Presented {
    pub fn of(key: &PublicKey) -> Presented {
        Presented {
            algorithm: key.algorithm().as_str().to_string(),
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
            openssh: key.to_openssh().unwrap_or_default(),
        }
    }
}

pub struct Client {
    /// The fingerprint the server must present, if one is pinned.
    pub expected: Option<String>,
    /// What it did present (written during the handshake).
    pub presented: Arc<Mutex<Option<Presented>>>,
}

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let public = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            PublicKeyOrCertificate::Certificate(cert) => PublicKey::from(cert.public_key().clone()),
        };
        let presented = Presented::of(&public);
        let ok = self.expected.as_ref().is_none_or(|fp| *fp == presented.fingerprint);
        if let Ok(mut slot) = self.presented.lock() {
            *slot = Some(presented);
        }
        Ok(ok)
    }
}
