//! Keyed hashing of lookup values: blind index tokens and opaque object names.

use std::fmt;

use super::mac::{MacKey, TAG_LEN};
use super::secret::Secret;

/// Turns lookup values (a scope id, an indexed field value) into tokens that reveal nothing
/// without the key: `HMAC-SHA256(key, len(domain) ‖ domain ‖ (len(part) ‖ part)…)`, with
/// lengths as 8-byte big-endian integers so that no two inputs share an encoding.
pub struct TokenKey(MacKey);

impl TokenKey {
    /// A token key from a 32-byte secret (a labelled subkey).
    pub fn new(secret: &Secret<32>) -> Self {
        Self(MacKey::new(secret.expose()))
    }

    /// The token of `parts` in `domain` (such as `"scope"`).
    pub fn token(&self, domain: &str, parts: &[&[u8]]) -> [u8; TAG_LEN] {
        use hmac::Mac;
        let mut mac = self.0.start();
        mac.update(&(domain.len() as u64).to_be_bytes());
        mac.update(domain.as_bytes());
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        super::mac::finish(mac)
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_domain_and_part_boundaries() {
        let key = TokenKey::new(&Secret::from_bytes([7; 32]));
        let other = TokenKey::new(&Secret::from_bytes([8; 32]));
        let base = key.token("scope", &[b"ab", b"c"]);
        assert_ne!(base, key.token("scope", &[b"a", b"bc"]));
        assert_ne!(base, key.token("kind", &[b"ab", b"c"]));
        assert_ne!(base, other.token("scope", &[b"ab", b"c"]));
        assert_eq!(base, key.token("scope", &[b"ab", b"c"]));
    }
}
