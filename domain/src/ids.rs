//! Stable identifiers derived from WeCom data.

use sha2::{Digest, Sha256};

/// Dedupe key of a callback: the hash of its decrypted message, so WeCom's
/// retries (same message, fresh encryption) map to one event.
pub fn dedupe_key(decrypted_message: &str) -> String {
    crate::crypto::hex(&Sha256::digest(decrypted_message.as_bytes()))
}

/// Anonymised key under which an organisation's first-install time survives
/// cancel_auth: the corp id is not stored, only this hash.
pub fn install_key(suite_id: &str, corp_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"wecom-seats/install/")
        .chain_update(suite_id.as_bytes())
        .chain_update([0u8])
        .chain_update(corp_id.as_bytes())
        .finalize();
    crate::crypto::hex(&digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_of_one_message_share_a_key_and_others_do_not() {
        let a = "<xml><InfoType>create_auth</InfoType><AuthCode>1</AuthCode></xml>";
        let b = "<xml><InfoType>create_auth</InfoType><AuthCode>2</AuthCode></xml>";
        assert_eq!(dedupe_key(a), dedupe_key(a));
        assert_ne!(dedupe_key(a), dedupe_key(b));
        assert_eq!(dedupe_key(a).len(), 64);
    }

    #[test]
    fn install_key_hides_the_corp_id_and_depends_on_the_suite() {
        let k = install_key("suite", "wwcorp");
        assert!(!k.contains("wwcorp"));
        assert_eq!(k, install_key("suite", "wwcorp"));
        assert_ne!(k, install_key("other", "wwcorp"));
        assert_ne!(install_key("ab", "c"), install_key("a", "bc"));
    }
}
