//! Secrets at rest (permanent codes): AES-256-GCM under a key derived from a
//! deployment secret, so a copy of D1 alone does not reveal them.
//!
//! A value is sealed *for* something (an organisation's corp id): that name
//! is the cipher's associated data, so a sealed value copied onto another
//! organisation's row does not open there. Values sealed before that
//! (`v1:`, no associated data) do not open as secrets: they open only to
//! be sealed again the new way ([`Sealer::open_old`]), which the Worker
//! does at their first use and in its cron, and then refuses them.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Sealed without associated data (read only to be sealed again).
const V1: &str = "v1:";
/// Sealed with the name it belongs to as associated data (written).
const V2: &str = "v2:";

/// The shortest deployment secret a key is derived from: the key is 256
/// bits, and a shorter secret would be the weaker link.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key (or belongs to another owner)")]
    WrongKey,
    /// Sealed the old way (`v1:`, bound to no owner): to be sealed again.
    #[error("sealed value is of the old kind (v1), bound to no owner")]
    Old,
}

/// A deployment secret too short to derive a key from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the secret has {0} bytes; at least {MIN_SECRET_BYTES} are needed")]
pub struct ShortSecret(pub usize);

/// Refuses a deployment secret shorter than [`MIN_SECRET_BYTES`].
pub fn check_secret(secret: &[u8]) -> Result<(), ShortSecret> {
    if secret.len() < MIN_SECRET_BYTES {
        Err(ShortSecret(secret.len()))
    } else {
        Ok(())
    }
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

    /// Seals `plaintext` for `owner` (opens only with the same owner).
    /// `nonce` must be fresh random bytes for every call.
    pub fn seal(&self, plaintext: &str, owner: &str, nonce: [u8; 12]) -> String {
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: owner.as_bytes(),
        };
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{V2}{}", STANDARD.encode(out))
    }

    /// Opens a value sealed for `owner`. An old `v1:` value is
    /// [`SealError::Old`]: it names no owner, so it is no proof of whose
    /// it is.
    pub fn open(&self, sealed: &str, owner: &str) -> Result<String, SealError> {
        match sealed.strip_prefix(V2) {
            Some(body) => self.decrypt(body, owner.as_bytes()),
            None if sealed.starts_with(V1) => Err(SealError::Old),
            None => Err(SealError::Malformed),
        }
    }

    /// Opens an old `v1:` value, only to seal it again for its owner.
    pub fn open_old(&self, sealed: &str) -> Result<String, SealError> {
        let body = sealed.strip_prefix(V1).ok_or(SealError::Malformed)?;
        self.decrypt(body, &[])
    }

    /// What `seal` wrote before values were bound to their owner: for the
    /// tests that show such values are sealed again.
    #[cfg(any(test, feature = "old-seal"))]
    pub fn seal_old(&self, plaintext: &str, nonce: [u8; 12]) -> String {
        let body = self
            .0
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of a small value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&body);
        format!("{V1}{}", STANDARD.encode(out))
    }

    fn decrypt(&self, body: &str, aad: &[u8]) -> Result<String, SealError> {
        let raw = STANDARD.decode(body).map_err(|_| SealError::Malformed)?;
        if raw.len() < 12 + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, msg) = raw.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), Payload { msg, aad })
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SealError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_A: &[u8] = b"secret-a-secret-a-secret-a-secret";
    const SECRET_B: &[u8] = b"secret-b-secret-b-secret-b-secret";

    #[test]
    fn sealed_value_opens_with_the_same_key_only() {
        let a = Sealer::new(SECRET_A, "permanent_code");
        let sealed = a.seal("PERMANENT-CODE-123", "wwcorp1", [9; 12]);
        assert!(sealed.starts_with("v2:"));
        assert!(!sealed.contains("PERMANENT"));
        assert_eq!(a.open(&sealed, "wwcorp1").unwrap(), "PERMANENT-CODE-123");
        let b = Sealer::new(SECRET_B, "permanent_code");
        assert_eq!(b.open(&sealed, "wwcorp1"), Err(SealError::WrongKey));
        let other_purpose = Sealer::new(SECRET_A, "other");
        assert_eq!(
            other_purpose.open(&sealed, "wwcorp1"),
            Err(SealError::WrongKey)
        );
    }

    #[test]
    fn a_code_sealed_for_one_organisation_does_not_open_for_another() {
        let a = Sealer::new(SECRET_A, "permanent_code");
        let sealed = a.seal("PERMANENT-CODE-123", "wwcorp1", [9; 12]);
        assert_eq!(a.open(&sealed, "wwcorp2"), Err(SealError::WrongKey));
        assert_eq!(a.open(&sealed, ""), Err(SealError::WrongKey));
    }

    #[test]
    fn an_old_value_opens_only_to_be_sealed_again() {
        let a = Sealer::new(SECRET_A, "permanent_code");
        let old = a.seal_old("OLD-CODE", [3; 12]);
        assert!(old.starts_with("v1:"));
        assert_eq!(a.open(&old, "wwcorp1"), Err(SealError::Old));
        assert_eq!(a.open_old(&old).unwrap(), "OLD-CODE");
        let b = Sealer::new(SECRET_B, "permanent_code");
        assert_eq!(b.open_old(&old), Err(SealError::WrongKey));
        // An old value cannot be passed off as a bound one, nor the other
        // way round.
        let relabelled = old.replacen("v1:", "v2:", 1);
        assert_eq!(a.open(&relabelled, "wwcorp1"), Err(SealError::WrongKey));
        let bound = a.seal("NEW-CODE", "wwcorp1", [4; 12]);
        assert_eq!(a.open_old(&bound), Err(SealError::Malformed));
    }

    #[test]
    fn tampered_or_garbage_values_are_refused() {
        let a = Sealer::new(b"k", "p");
        let mut sealed = a.seal("x", "o", [1; 12]).into_bytes();
        let last = sealed.len() - 3;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert!(a.open(std::str::from_utf8(&sealed).unwrap(), "o").is_err());
        assert_eq!(a.open("plain", "o"), Err(SealError::Malformed));
        assert_eq!(a.open_old("v1:AAAA"), Err(SealError::Malformed));
        assert_eq!(a.open("v2:AAAA", "o"), Err(SealError::Malformed));
    }

    #[test]
    fn a_secret_shorter_than_32_bytes_is_refused() {
        assert_eq!(check_secret(b"too-short"), Err(ShortSecret(9)));
        assert_eq!(check_secret(&[7; 31]), Err(ShortSecret(31)));
        assert_eq!(check_secret(&[7; 32]), Ok(()));
    }
}
