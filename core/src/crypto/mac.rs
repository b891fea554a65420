//! HMAC-SHA256, the one MAC of every format here.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::{CryptoError, Result};

/// Length of every HMAC-SHA256 tag this crate writes.
pub const TAG_LEN: usize = 32;

/// A keyed HMAC-SHA256 state, ready to be cloned for each message so that the key's inner and
/// outer pads are computed only once.
#[derive(Clone)]
pub(crate) struct MacKey(Hmac<Sha256>);

impl MacKey {
    pub(crate) fn new(key: &[u8]) -> Self {
        match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mac) => Self(mac),
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        }
    }

    /// A fresh MAC computation under this key.
    pub(crate) fn start(&self) -> Hmac<Sha256> {
        self.0.clone()
    }

    /// The tag of the concatenation of `parts`.
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> [u8; TAG_LEN] {
        let mut mac = self.start();
        for part in parts {
            mac.update(part);
        }
        finish(mac)
    }
}

/// Finalizes a MAC computation into a tag.
pub(crate) fn finish(mac: Hmac<Sha256>) -> [u8; TAG_LEN] {
    mac.finalize().into_bytes().into()
}

/// Compares two tags in constant time (a length mismatch is simply unequal).
pub(crate) fn tags_equal(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// HMAC-SHA256 of `message` under `key` (any key length).
///
/// ```
/// let tag = medvault::crypto::hazmat::hmac_sha256(b"key", b"message");
/// assert_eq!(tag.len(), 32);
/// ```
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; TAG_LEN] {
    MacKey::new(key).tag(&[message])
}

/// Checks a full 32-byte HMAC-SHA256 tag in constant time.
///
/// Truncated tags are refused: every format of this crate carries full tags.
pub fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> Result<()> {
    if tag.len() != TAG_LEN {
        return Err(CryptoError::InvalidParameter(
            "an HMAC-SHA256 tag must be 32 bytes",
        ));
    }
    if tags_equal(&hmac_sha256(key, message), tag) {
        Ok(())
    } else {
        Err(CryptoError::AuthenticationFailed)
    }
}
