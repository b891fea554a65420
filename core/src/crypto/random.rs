//! Randomness from the operating system.

use super::error::{CryptoError, Result};

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| CryptoError::RandomUnavailable)
}

/// An array of random bytes from the operating system's CSPRNG.
pub fn random_array<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    fill_random(&mut out)?;
    Ok(out)
}

/// A fresh random 16-byte identifier.
pub fn random_id() -> Result<[u8; 16]> {
    random_array()
}

/// Parses 32 hex digits into the 16 bytes of an identifier of type `what`.
pub fn parse_hex_id(text: &str, what: &'static str) -> Result<[u8; 16]> {
    let mut bytes = [0u8; 16];
    if text.len() != 32 || hex::decode_to_slice(text, &mut bytes).is_err() {
        return Err(CryptoError::Malformed {
            what,
            reason: "an id is 32 hex digits",
        });
    }
    Ok(bytes)
}
