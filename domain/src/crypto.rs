//! WeCom's callback encryption (WXBizMsgCrypt, "加解密方案", DESIGN §2).
//!
//! `msg_signature` = hex SHA-1 of the sorted concatenation of token,
//! timestamp, nonce and the encrypted text. Plaintext = 16 random bytes ‖
//! 4-byte big-endian length ‖ message ‖ receive id, AES-256-CBC with the IV
//! taken from the key, PKCS#7 padded to a multiple of 32 bytes.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::Engine;
use sha1::{Digest, Sha1};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// EncodingAESKeys are any 43 base64 characters, so the last one may carry
/// trailing bits a strict decoder rejects.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// WeCom pads to 32 bytes, not the AES block size of 16.
const PAD_BLOCK: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("EncodingAESKey must be 43 base64 characters")]
    BadKey,
    #[error("msg_signature does not match")]
    BadSignature,
    #[error("encrypted text is not valid base64")]
    BadBase64,
    #[error("ciphertext length is not a multiple of the AES block")]
    BadCiphertext,
    #[error("padding is invalid")]
    BadPadding,
    #[error("declared message length does not fit the plaintext")]
    BadLength,
    #[error("message is not UTF-8")]
    BadUtf8,
}

/// Decrypted callback: the message and the receive id it was sealed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub message: String,
    pub receive_id: String,
}

#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: [u8; 32],
}

impl std::fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MsgCrypt { .. }") // never print secrets
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl MsgCrypt {
    pub fn new(token: &str, encoding_aes_key: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::BadKey);
        }
        let raw = KEY_BASE64
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = raw.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(MsgCrypt {
            token: token.to_owned(),
            key,
        })
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }

    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypted];
        parts.sort_unstable();
        hex(&Sha1::digest(parts.concat().as_bytes()))
    }

    /// Constant-time check of `msg_signature`.
    pub fn verify(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<(), CryptoError> {
        let expected = self.signature(timestamp, nonce, encrypted);
        let given = msg_signature.to_ascii_lowercase();
        if crate::session::ct_eq(expected.as_bytes(), given.as_bytes()) {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }

    pub fn decrypt(&self, encrypted: &str) -> Result<Opened, CryptoError> {
        let mut buf = STANDARD
            .decode(encrypted.trim())
            .map_err(|_| CryptoError::BadBase64)?;
        if buf.is_empty() || buf.len() % 16 != 0 {
            return Err(CryptoError::BadCiphertext);
        }
        let plain = Aes256CbcDec::new(&self.key.into(), &self.iv().into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| CryptoError::BadCiphertext)?;
        let pad = *plain.last().ok_or(CryptoError::BadPadding)? as usize;
        if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
            return Err(CryptoError::BadPadding);
        }
        if !plain[plain.len() - pad..]
            .iter()
            .all(|&b| b as usize == pad)
        {
            return Err(CryptoError::BadPadding);
        }
        let body = &plain[..plain.len() - pad];
        if body.len() < 20 {
            return Err(CryptoError::BadLength);
        }
        let len = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
        let rest = &body[20..];
        if len > rest.len() {
            return Err(CryptoError::BadLength);
        }
        let (message, receive_id) = rest.split_at(len);
        Ok(Opened {
            message: String::from_utf8(message.to_vec()).map_err(|_| CryptoError::BadUtf8)?,
            receive_id: String::from_utf8(receive_id.to_vec()).map_err(|_| CryptoError::BadUtf8)?,
        })
    }

    /// `random` must come from a CSPRNG; it is the 16-byte prefix.
    pub fn encrypt(&self, message: &str, receive_id: &str, random: [u8; 16]) -> String {
        let mut plain = Vec::with_capacity(20 + message.len() + receive_id.len() + PAD_BLOCK);
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&(message.len() as u32).to_be_bytes());
        plain.extend_from_slice(message.as_bytes());
        plain.extend_from_slice(receive_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(pad as u8, pad));
        let len = plain.len();
        let sealed = Aes256CbcEnc::new(&self.key.into(), &self.iv().into())
            .encrypt_padded_mut::<NoPadding>(&mut plain, len)
            .expect("plaintext is padded to a block multiple");
        STANDARD.encode(sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // WeCom's published sample ("QDG6eK"), from the official WXBizMsgCrypt
    // samples in every language.
    const TOKEN: &str = "QDG6eK";
    const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const RECEIVE_ID: &str = "wx5823bf96d3bd56c7";
    const VERIFY_SIG: &str = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
    const VERIFY_TS: &str = "1409659589";
    const VERIFY_NONCE: &str = "263014780";
    const VERIFY_ECHOSTR: &str =
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
    pub const POST_SIG: &str = "477715d11cdb4164915debcba66cb864d751f3e6";
    pub const POST_TS: &str = "1409659813";
    pub const POST_NONCE: &str = "1372623149";
    pub const POST_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    fn sample() -> MsgCrypt {
        MsgCrypt::new(TOKEN, AES_KEY).unwrap()
    }

    #[test]
    fn official_sample_url_verification_decrypts_the_echostr() {
        let c = sample();
        c.verify(VERIFY_SIG, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)
            .unwrap();
        let opened = c.decrypt(VERIFY_ECHOSTR).unwrap();
        assert_eq!(opened.message, "1616140317555161061");
        assert_eq!(opened.receive_id, RECEIVE_ID);
    }

    #[test]
    fn official_sample_post_message_verifies_and_decrypts() {
        let c = sample();
        c.verify(POST_SIG, POST_TS, POST_NONCE, POST_ENCRYPT)
            .unwrap();
        let opened = c.decrypt(POST_ENCRYPT).unwrap();
        assert_eq!(opened.receive_id, RECEIVE_ID);
        assert!(opened.message.starts_with("<xml>"), "{}", opened.message);
        assert!(opened
            .message
            .contains("<ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"));
        assert!(
            opened.message.contains("<AgentID>218</AgentID>"),
            "{}",
            opened.message
        );
    }

    #[test]
    fn signature_is_checked_case_insensitively_but_exactly() {
        let c = sample();
        let upper = VERIFY_SIG.to_ascii_uppercase();
        c.verify(&upper, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)
            .unwrap();
        assert_eq!(
            c.verify(VERIFY_SIG, "1409659590", VERIFY_NONCE, VERIFY_ECHOSTR),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            c.verify("", VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn keys_of_the_wrong_shape_are_refused() {
        assert_eq!(
            MsgCrypt::new("t", "short").unwrap_err(),
            CryptoError::BadKey
        );
        assert_eq!(
            MsgCrypt::new("t", &"!".repeat(43)).unwrap_err(),
            CryptoError::BadKey
        );
    }

    #[test]
    fn ciphertext_is_padded_to_32_bytes() {
        let c = sample();
        for len in 0..70 {
            let msg = "x".repeat(len);
            let sealed = STANDARD.decode(c.encrypt(&msg, "id", [7; 16])).unwrap();
            assert_eq!(sealed.len() % 32, 0, "len {len}");
        }
    }

    #[test]
    fn garbage_inputs_fail_cleanly() {
        let c = sample();
        assert_eq!(
            c.decrypt("not base64!!").unwrap_err(),
            CryptoError::BadBase64
        );
        assert_eq!(c.decrypt("").unwrap_err(), CryptoError::BadCiphertext);
        assert_eq!(c.decrypt("AAAA").unwrap_err(), CryptoError::BadCiphertext);
        // Valid length, random content: padding or length must catch it.
        let junk = STANDARD.encode([0x5a; 64]);
        assert!(c.decrypt(&junk).is_err());
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_round_trips(
            msg in ".{0,300}",
            receive_id in "[a-zA-Z0-9]{1,32}",
            random in proptest::array::uniform16(any::<u8>()),
        ) {
            let c = sample();
            let sealed = c.encrypt(&msg, &receive_id, random);
            let opened = c.decrypt(&sealed).unwrap();
            prop_assert_eq!(opened.message, msg);
            prop_assert_eq!(opened.receive_id, receive_id);
        }

        #[test]
        fn any_flipped_ciphertext_byte_never_yields_the_original(
            index in 0usize..64,
            bit in 0u8..8,
        ) {
            let c = sample();
            let msg = "<xml><InfoType>suite_ticket</InfoType></xml>";
            let mut raw = STANDARD.decode(c.encrypt(msg, "wwsuite", [1; 16])).unwrap();
            let i = index % raw.len();
            raw[i] ^= 1 << bit;
            let tampered = STANDARD.encode(&raw);
            // The original's signature verifies the original (else a verify
            // that refuses everything would pass the next line) and never
            // the tampered text.
            let original = c.encrypt(msg, "wwsuite", [1; 16]);
            let sig = c.signature("1", "2", &original);
            prop_assert!(c.verify(&sig, "1", "2", &original).is_ok());
            prop_assert!(c.verify(&sig, "1", "2", &tampered).is_err());
            // CBC: a flipped bit garbles its block and flips the next one, so
            // decryption fails or yields something else, and never panics.
            if let Ok(opened) = c.decrypt(&tampered) {
                prop_assert!(opened.message != msg || opened.receive_id != "wwsuite");
            }
        }
    }
}
