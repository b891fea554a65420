//! HKDF-SHA256 (RFC 5869).

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::{CryptoError, Result};

/// Largest output HKDF-SHA256 can produce: 255 blocks of 32 bytes.
pub const HKDF_SHA256_MAX_OUTPUT: usize = 255 * 32;

/// Fills `out` with HKDF-SHA256 output for `ikm`, `salt` and `info`.
///
/// An empty salt is the same as 32 zero bytes, as RFC 5869 says. Asking for more than
/// [`HKDF_SHA256_MAX_OUTPUT`] bytes is an error.
///
/// ```
/// let mut okm = [0u8; 42];
/// medvault::crypto::hazmat::hkdf_sha256(b"input key", b"salt", b"context", &mut okm).unwrap();
/// ```
pub fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, out)
        .map_err(|_| CryptoError::InvalidParameter("HKDF-SHA256 output is limited to 8160 bytes"))
}

/// HKDF-SHA256 output of a fixed size, zeroized when dropped.
pub(crate) fn derive<const N: usize>(
    ikm: &[u8],
    salt: &[u8],
    info: &[&[u8]],
) -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0u8; N]);
    let expanded = Hkdf::<Sha256>::new(Some(salt), ikm).expand_multi_info(info, out.as_mut());
    if expanded.is_err() {
        unreachable!("fixed-size subkeys are far below the HKDF output limit");
    }
    out
}

/// Two 32-byte keys from one HKDF-SHA256 expansion of 64 bytes: the first 32 output bytes and
/// the next 32 (the order Tink uses for an AES key followed by an HMAC key).
pub(crate) fn derive_pair(
    ikm: &[u8],
    salt: &[u8],
    info: &[&[u8]],
) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let okm = derive::<64>(ikm, salt, info);
    let mut first = Zeroizing::new([0u8; 32]);
    let mut second = Zeroizing::new([0u8; 32]);
    first.copy_from_slice(&okm[..32]);
    second.copy_from_slice(&okm[32..]);
    (first, second)
}
