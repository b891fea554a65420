//! Record AEAD for small values, byte-compatible with Tink's `AesCtrHmacAead` at AES-256 /
//! HMAC-SHA256 / 32-byte tags with RAW output.
//!
//! Ciphertext: `iv(16) ‖ AES-256-CTR(plaintext) ‖ tag(32)`, where the CTR counter block starts at
//! the IV and increments as a 128-bit big-endian integer, and
//! `tag = HMAC-SHA256(aad ‖ iv ‖ ciphertext ‖ u64be(bit length of aad))`.

use std::fmt;

use aes::Aes256;
use ctr::Ctr128BE;
use ctr::CtrCore;
use ctr::cipher::{InnerIvInit, KeyInit, StreamCipher};
use hmac::Mac;

use super::error::{CryptoError, Result};
use super::kdf;
use super::mac::{self, MacKey, TAG_LEN};
use super::random::random_array;
use super::secret::Secret;

/// Length of the random IV in front of every record ciphertext.
pub const AEAD_IV_LEN: usize = 16;

/// Bytes a record ciphertext adds to its plaintext: IV and tag.
pub const AEAD_OVERHEAD: usize = AEAD_IV_LEN + TAG_LEN;

/// The two keys of an `AesCtrHmacAead` key: 32 bytes for AES-256, 32 bytes for HMAC-SHA256.
#[derive(Clone)]
pub struct AeadKey {
    aes: Secret<32>,
    hmac: Secret<32>,
}

impl AeadKey {
    /// Builds a key from its AES and HMAC halves, as Tink stores them.
    pub fn from_parts(aes_key: [u8; 32], hmac_key: [u8; 32]) -> Self {
        Self {
            aes: Secret::from_bytes(aes_key),
            hmac: Secret::from_bytes(hmac_key),
        }
    }

    /// A fresh random key; its bytes exist only inside the key, which wipes them on drop.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            aes: Secret::generate()?,
            hmac: Secret::generate()?,
        })
    }

    /// Derives both halves from one secret with HKDF-SHA256 (the first 32 output bytes are the
    /// AES key, the next 32 the HMAC key).
    pub(crate) fn derive(ikm: &[u8], salt: &[u8], info: &[&[u8]]) -> Self {
        let (aes_key, hmac_key) = kdf::derive_pair(ikm, salt, info);
        Self::from_parts(*aes_key, *hmac_key)
    }
}

impl fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AeadKey(<redacted>)")
    }
}

/// Seals and opens small values (wrapped keys, index values) under one [`AeadKey`].
///
/// ```
/// use medvault::crypto::{AeadKey, RecordAead};
///
/// let aead = RecordAead::new(&AeadKey::from_parts([1; 32], [2; 32]));
/// let sealed = aead.seal(b"allergy: penicillin", b"patient-record").unwrap();
/// assert_eq!(aead.open(&sealed, b"patient-record").unwrap(), b"allergy: penicillin");
/// assert!(aead.open(&sealed, b"another-record").is_err());
/// ```
#[derive(Clone)]
pub struct RecordAead {
    cipher: Aes256,
    mac: MacKey,
}

impl RecordAead {
    /// Prepares the AES key schedule and the keyed HMAC state.
    pub fn new(key: &AeadKey) -> Self {
        Self {
            cipher: Aes256::new(key.aes.expose().into()),
            mac: MacKey::new(key.hmac.expose()),
        }
    }

    /// Encrypts and authenticates `plaintext`, binding it to `aad`, under a fresh random IV.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        Ok(self.seal_with_iv(random_array()?, plaintext, aad))
    }

    /// Sealing with a chosen IV; only tests that reproduce fixed ciphertexts need it.
    pub(crate) fn seal_with_iv(
        &self,
        iv: [u8; AEAD_IV_LEN],
        plaintext: &[u8],
        aad: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(plaintext.len() + AEAD_OVERHEAD);
        out.extend_from_slice(&iv);
        out.extend_from_slice(plaintext);
        self.keystream(&iv).apply_keystream(&mut out[AEAD_IV_LEN..]);
        let tag = self.tag(aad, &out);
        out.extend_from_slice(&tag);
        out
    }

    /// Verifies the tag, then decrypts. Nothing is decrypted unless the whole ciphertext and
    /// `aad` authenticate.
    pub fn open(&self, ciphertext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        if ciphertext.len() < AEAD_OVERHEAD {
            return Err(CryptoError::Truncated {
                what: "record ciphertext is shorter than its IV and tag",
            });
        }
        let (iv_and_body, tag) = ciphertext.split_at(ciphertext.len() - TAG_LEN);
        if !mac::tags_equal(&self.tag(aad, iv_and_body), tag) {
            return Err(CryptoError::AuthenticationFailed);
        }
        let (iv, body) = iv_and_body.split_at(AEAD_IV_LEN);
        let mut plaintext = body.to_vec();
        let iv: &[u8; AEAD_IV_LEN] = iv.try_into().map_err(|_| CryptoError::Truncated {
            what: "record ciphertext is shorter than its IV",
        })?;
        self.keystream(iv).apply_keystream(&mut plaintext);
        Ok(plaintext)
    }

    fn keystream(&self, iv: &[u8; AEAD_IV_LEN]) -> Ctr128BE<Aes256> {
        ctr_keystream(&self.cipher, iv)
    }

    fn tag(&self, aad: &[u8], iv_and_body: &[u8]) -> [u8; TAG_LEN] {
        let aad_bits = (aad.len() as u64).wrapping_mul(8);
        let mut mac = self.mac.start();
        mac.update(aad);
        mac.update(iv_and_body);
        mac.update(&aad_bits.to_be_bytes());
        mac::finish(mac)
    }
}

/// AES-256-CTR keystream starting at counter block `iv`, incremented as a 128-bit big-endian
/// integer (the behaviour of Java's `AES/CTR/NoPadding`, which Tink uses).
pub(crate) fn ctr_keystream(cipher: &Aes256, iv: &[u8; 16]) -> Ctr128BE<Aes256> {
    Ctr128BE::from_core(CtrCore::inner_iv_init(cipher.clone(), iv.into()))
}

impl fmt::Debug for RecordAead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecordAead(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_vectors;

    /// NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt) through the keystream both formats use.
    #[test]
    fn nist_sp800_38a_f55_ctr_aes256() {
        let vectors = test_vectors::standards();
        let v = &vectors["nist_sp800_38a_f55_ctr_aes256_encrypt"];
        let field = |name: &str| test_vectors::hex_field(v, name);
        let key: [u8; 32] = field("key").try_into().expect("32-byte key");
        let counter: [u8; 16] = field("initial_counter").try_into().expect("16-byte block");
        let mut buf = field("plaintext");
        ctr_keystream(&Aes256::new(&key.into()), &counter).apply_keystream(&mut buf);
        assert_eq!(buf, field("ciphertext"));
        // The counter wraps as a 128-bit integer, as Java's CTR mode does.
        let mut wrap = [0u8; 32];
        ctr_keystream(&Aes256::new(&key.into()), &[0xff; 16]).apply_keystream(&mut wrap);
        let mut second = [0u8; 16];
        ctr_keystream(&Aes256::new(&key.into()), &[0; 16]).apply_keystream(&mut second);
        assert_eq!(wrap[16..], second);
    }

    /// Tink's AesCtrHmacAead ciphertexts, resealed with their own IV, are reproduced exactly.
    #[test]
    fn tink_aead_ciphertexts_are_reproduced() {
        let vectors = test_vectors::tink();
        for case in vectors["aead_aes256_ctr_hmac_sha256"]
            .as_array()
            .expect("cases")
        {
            let field = |name: &str| test_vectors::hex_field(case, name);
            let aead = RecordAead::new(&AeadKey::from_parts(
                field("aes_key_hex").try_into().expect("32 bytes"),
                field("hmac_key_hex").try_into().expect("32 bytes"),
            ));
            let ciphertext = field("ciphertext_hex");
            let iv: [u8; 16] = ciphertext[..16].try_into().expect("iv");
            assert_eq!(
                aead.seal_with_iv(iv, &field("plaintext_hex"), &field("aad_hex")),
                ciphertext
            );
        }
    }

    #[test]
    fn seal_with_iv_is_deterministic_and_opens() {
        let aead = RecordAead::new(&AeadKey::from_parts([7; 32], [9; 32]));
        let a = aead.seal_with_iv([3; 16], b"abc", b"ad");
        let b = aead.seal_with_iv([3; 16], b"abc", b"ad");
        assert_eq!(a, b);
        assert_eq!(a.len(), 3 + AEAD_OVERHEAD);
        assert_eq!(aead.open(&a, b"ad").expect("opens"), b"abc");
    }
}
