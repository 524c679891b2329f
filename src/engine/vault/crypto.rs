//! The vault's cryptography, in one place so it can be read and reviewed alone.
//!
//! passphrase ─Argon2id(salt, ≥64 MiB, t≥3)→ key-encryption key (KEK)
//! KEK ─AES-256-GCM→ wraps a random 256-bit data key
//! data key ─AES-256-GCM(random 96-bit nonce, aad = secret id ‖ version)→ each secret
//!
//! Binding the id and version into the associated data means a sealed value
//! copied onto another secret, or rolled back to an older version, fails to open.

use crate::engine::error::{EngineError, EngineResult};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Argon2id parameters, stored with the vault so they can be raised later
/// without breaking existing vaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// The floor the design asks for: 64 MiB, three passes.
    pub const DEFAULT: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };

    fn check(&self) -> EngineResult<()> {
        if self.memory_kib < 64 * 1024 || self.iterations < 3 || self.parallelism == 0 {
            return Err(EngineError::Corrupt {
                what: "vault header".into(),
                detail: format!("KDF parameters {self:?} are below the minimum (64 MiB, t=3)"),
            });
        }
        Ok(())
    }
}

/// A 256-bit key that is wiped when dropped.
pub type Key = Zeroizing<[u8; 32]>;

/// Nonce and ciphertext (with tag), base64 in the stored JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(with = "b64")]
    pub nonce: Vec<u8>,
    #[serde(with = "b64")]
    pub ciphertext: Vec<u8>,
}

pub fn random_bytes<const N: usize>() -> EngineResult<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| EngineError::Other("the system random number generator failed".into()))?;
    Ok(out)
}

pub fn new_key() -> EngineResult<Key> {
    Ok(Zeroizing::new(random_bytes::<32>()?))
}

/// Derive the key-encryption key. Slow on purpose (hundreds of ms).
pub fn derive_kek(passphrase: &[u8], salt: &[u8], params: KdfParams) -> EngineResult<Key> {
    params.check()?;
    let p = argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32))
        .map_err(|e| EngineError::Other(format!("bad Argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| EngineError::Other(format!("key derivation failed: {e}")))?;
    Ok(out)
}

fn aead_key(key: &[u8; 32]) -> EngineResult<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| EngineError::Other("invalid AES-256 key".into()))
}

pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> EngineResult<Sealed> {
    let nonce = random_bytes::<NONCE_LEN>()?;
    let mut buf = plaintext.to_vec();
    aead_key(key)?
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| EngineError::Other("encryption failed".into()))?;
    Ok(Sealed { nonce: nonce.to_vec(), ciphertext: buf })
}

/// `None` when the key is wrong or the data was tampered with — the two are
/// indistinguishable by design.
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &Sealed) -> EngineResult<Option<Zeroizing<Vec<u8>>>> {
    let nonce: [u8; NONCE_LEN] = sealed.nonce.as_slice().try_into().map_err(|_| EngineError::Corrupt {
        what: "sealed value".into(),
        detail: format!("nonce is {} bytes, expected {NONCE_LEN}", sealed.nonce.len()),
    })?;
    let mut buf = Zeroizing::new(sealed.ciphertext.clone());
    match aead_key(key)?.open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), buf.as_mut_slice()) {
        Ok(plain) => Ok(Some(Zeroizing::new(plain.to_vec()))),
        Err(_) => Ok(None),
    }
}

/// Associated data that binds a sealed value to one secret and version.
pub fn secret_aad(id: u64, version: u32) -> Vec<u8> {
    let mut aad = b"homedeck-secret-v1".to_vec();
    aad.extend_from_slice(&id.to_be_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

/// Associated data for the wrapped data key.
pub const DATA_KEY_AAD: &[u8] = b"homedeck-vault-data-key-v1";

mod b64 {
    use super::B64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        B64.decode(s.as_bytes()).map_err(serde::de::Error::custom)
    }
}

/// Base64 for salts kept in the header.
pub fn b64_encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn b64_decode(s: &str) -> EngineResult<Vec<u8>> {
    B64.decode(s.as_bytes()).map_err(|e| EngineError::Corrupt { what: "vault header".into(), detail: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let key = new_key().unwrap();
        let s = seal(&key, &secret_aad(1, 1), b"value").unwrap();
        assert_eq!(open(&key, &secret_aad(1, 1), &s).unwrap().unwrap().as_slice(), b"value");
        assert!(open(&key, &secret_aad(2, 1), &s).unwrap().is_none(), "other id");
        assert!(open(&key, &secret_aad(1, 2), &s).unwrap().is_none(), "other version");
        let other = new_key().unwrap();
        assert!(open(&other, &secret_aad(1, 1), &s).unwrap().is_none(), "other key");
        let mut bad = s.clone();
        bad.ciphertext[0] ^= 1;
        assert!(open(&key, &secret_aad(1, 1), &bad).unwrap().is_none(), "tampered");
        bad.nonce.pop();
        assert!(open(&key, &secret_aad(1, 1), &bad).is_err(), "short nonce");
    }

    #[test]
    fn nonces_differ() {
        let key = new_key().unwrap();
        let a = seal(&key, b"", b"x").unwrap();
        let b = seal(&key, b"", b"x").unwrap();
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn weak_params_refused() {
        let weak = KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 };
        assert!(derive_kek(b"pw", b"saltsaltsaltsalt", weak).is_err());
    }
}
