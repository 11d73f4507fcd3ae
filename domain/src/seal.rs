//! Secrets at rest (permanent codes): AES-256-GCM under a key derived from a
//! deployment secret, so a copy of D1 alone does not reveal them.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

const VERSION: &str = "v1:";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key")]
    WrongKey,
}

pub struct Sealer(Aes256Gcm);

impl Sealer {
    /// `purpose` separates keys for different kinds of secret.
    pub fn new(secret: &[u8], purpose: &str) -> Sealer {
        let key = Sha256::new()
            .chain_update(b"wecom-seats/seal/")
            .chain_update(purpose.as_bytes())
            .chain_update([0u8])
            .chain_update(secret)
            .finalize();
        Sealer(Aes256Gcm::new(&key))
    }

    /// `nonce` must be fresh random bytes for every call.
    pub fn seal(&self, plaintext: &str, nonce: [u8; 12]) -> String {
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let raw = sealed
            .strip_prefix(VERSION)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(SealError::Malformed)?;
        if raw.len() < 12 + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, body) = raw.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SealError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_value_opens_with_the_same_key_only() {
        let a = Sealer::new(b"secret-a-secret-a-secret-a-secret", "permanent_code");
        let sealed = a.seal("PERMANENT-CODE-123", [9; 12]);
        assert!(!sealed.contains("PERMANENT"));
        assert_eq!(a.open(&sealed).unwrap(), "PERMANENT-CODE-123");
        let b = Sealer::new(b"secret-b-secret-b-secret-b-secret", "permanent_code");
        assert_eq!(b.open(&sealed), Err(SealError::WrongKey));
        let other_purpose = Sealer::new(b"secret-a-secret-a-secret-a-secret", "other");
        assert_eq!(other_purpose.open(&sealed), Err(SealError::WrongKey));
    }

    #[test]
    fn tampered_or_garbage_values_are_refused() {
        let a = Sealer::new(b"k", "p");
        let mut sealed = a.seal("x", [1; 12]).into_bytes();
        let last = sealed.len() - 3;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert!(a.open(std::str::from_utf8(&sealed).unwrap()).is_err());
        assert_eq!(a.open("plain"), Err(SealError::Malformed));
        assert_eq!(a.open("v1:AAAA"), Err(SealError::Malformed));
    }
}
