//! Argon2id password hashes for people, as PHC strings.

use std::cell::RefCell;

use argon2::password_hash::PasswordHasher as _;
use argon2::{Algorithm, Block, Params, PasswordHash, Version};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::argon::Argon2idParams;
use super::error::{CryptoError, Result};
use super::random::random_array;

/// Hashes and verifies people's passwords as Argon2id PHC strings
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a 16-byte random salt per hash.
///
/// Passwords are hashed whole: nothing is truncated, and any bytes are allowed.
///
/// ```
/// use medvault::crypto::PasswordHasher;
///
/// let hasher = PasswordHasher::default();
/// let phc = hasher.hash(b"correct horse battery staple").unwrap();
/// assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
/// assert!(hasher.verify(b"correct horse battery staple", &phc).unwrap());
/// assert!(!hasher.verify(b"wrong", &phc).unwrap());
/// assert!(!hasher.needs_rehash(&phc).unwrap());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordHasher {
    params: Argon2idParams,
}

impl Default for PasswordHasher {
    /// Hashes with [`Argon2idParams::OWASP_MINIMUM`].
    fn default() -> Self {
        Self::new(Argon2idParams::OWASP_MINIMUM)
    }
}

impl PasswordHasher {
    /// A hasher producing hashes with `params`.
    pub fn new(params: Argon2idParams) -> Self {
        Self { params }
    }

    /// The parameters new hashes get.
    pub fn params(&self) -> Argon2idParams {
        self.params
    }

    /// Hashes `password` with a fresh random salt.
    pub fn hash(&self, password: &[u8]) -> Result<String> {
        let salt: [u8; 16] = random_array()?;
        let hash = self
            .params
            .hasher(&[], &[])?
            .hash_password_with_salt(password, &salt)
            .map_err(|_| CryptoError::PasswordHash("Argon2id could not hash the password"))?;
        Ok(hash.to_string())
    }

    /// Whether `password` matches the PHC string `phc` (compared in constant time). The hash's
    /// own parameters are used, so hashes made with older parameters still verify.
    pub fn verify(&self, password: &[u8], phc: &str) -> Result<bool> {
        let (hash, params) = parse(phc)?;
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
            return Err(CryptoError::PasswordHash(
                "the PHC string lacks a salt or a hash",
            ));
        };
        let mut computed = Zeroizing::new(vec![0u8; expected.len()]);
        argon2id_into(params, password, salt.as_ref(), &mut computed)
            .map_err(|_| CryptoError::PasswordHash("the stored hash could not be checked"))?;
        Ok(bool::from(computed.as_slice().ct_eq(expected.as_bytes())))
    }

    /// Whether `phc` was made with other parameters than this hasher's, so that it should be
    /// replaced by a new hash the next time the password is known (at login).
    pub fn needs_rehash(&self, phc: &str) -> Result<bool> {
        let (hash, params) = parse(phc)?;
        let output_len = hash.hash.as_ref().map_or(0, |output| output.len());
        Ok(params != self.params || output_len != Params::DEFAULT_OUTPUT_LEN)
    }
}

/// Argon2id of `password` and `salt` into `out`, in working memory this thread keeps from one
/// call to the next and wipes after each: a login then reuses pages already mapped instead of
/// faulting in 19 MiB of fresh ones (which costs about as much as the hash itself).
fn argon2id_into(
    params: Argon2idParams,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<()> {
    thread_local! {
        static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    let argon2 = params.hasher(&[], &[])?;
    let blocks = argon2.params().block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let used = &mut memory[..blocks];
        let outcome = argon2.hash_password_into_with_memory(password, salt, out, &mut *used);
        used.iter_mut().for_each(Zeroize::zeroize);
        outcome.map_err(|_| CryptoError::PasswordHash("Argon2id could not hash the password"))
    })
}

/// Parses an Argon2id v19 PHC string and its parameters, within the storage bounds.
fn parse(phc: &str) -> Result<(PasswordHash, Argon2idParams)> {
    let hash = PasswordHash::new(phc).map_err(|_| CryptoError::PasswordHash("not a PHC string"))?;
    if hash.algorithm != Algorithm::Argon2id.ident() {
        return Err(CryptoError::PasswordHash("not an Argon2id hash"));
    }
    if hash.version != Some(Version::V0x13.into()) {
        return Err(CryptoError::PasswordHash("not Argon2 version 19"));
    }
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(CryptoError::PasswordHash(
            "the PHC string lacks a salt or a hash",
        ));
    }
    let params = Params::try_from(&hash)
        .map_err(|_| CryptoError::PasswordHash("its Argon2 parameters are invalid"))?;
    let params = Argon2idParams::from_stored(params.m_cost(), params.t_cost(), params.p_cost())?;
    Ok((hash, params))
}
