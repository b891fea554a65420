//! The one error type of the crypto module.

use thiserror::Error;

/// What went wrong in a cryptographic operation.
///
/// Messages name the problem and what to do about it; they never contain key material,
/// passphrases or plaintext.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A ciphertext did not authenticate: it was modified, it belongs to another identity
    /// (associated data), or the key is not the one that sealed it.
    #[error(
        "authentication failed: the ciphertext was modified, belongs to another object, or the key is wrong"
    )]
    AuthenticationFailed,

    /// A passphrase or raw key did not unlock any matching unlock slot.
    #[error("wrong passphrase or key: no unlock slot opened with it")]
    WrongPassphraseOrKey,

    /// A wrapped key names another key than the one given to unwrap it.
    #[error("wrong key: {0}")]
    WrongKey(&'static str),

    /// The ciphertext ends before its final segment: it was cut short.
    #[error("ciphertext is truncated: {what}")]
    Truncated {
        /// What was found cut short.
        what: &'static str,
    },

    /// Bytes follow what authenticates as the final segment.
    #[error("ciphertext has trailing data after its final segment")]
    TrailingData,

    /// A header or encoded structure does not have the expected shape.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// The structure that failed to parse.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A header names a format version this build does not read.
    #[error("unsupported {what} version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// The structure whose version is unknown.
        what: &'static str,
        /// The version found.
        found: u8,
        /// The version this build reads.
        supported: u8,
    },

    /// A parameter is out of the allowed range (segment size, KDF cost, key length, …).
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),

    /// A requested plaintext range lies outside the plaintext.
    #[error("range {offset}+{len} is outside the plaintext of {plaintext_len} bytes")]
    RangeOutOfBounds {
        /// Start of the requested range.
        offset: u64,
        /// Length of the requested range.
        len: u64,
        /// Length of the plaintext.
        plaintext_len: u64,
    },

    /// No unlock slot with the given id exists.
    #[error("no unlock slot with id {0}")]
    SlotNotFound(u32),

    /// Removing the slot would leave the root key with no way to be unlocked.
    #[error("cannot remove the last unlock slot: add another slot first")]
    LastSlot,

    /// Rotating the root key needs a credential for every slot; this one had none.
    #[error("no credential given for unlock slot {0}: every slot must be rewrapped on rotation")]
    SlotCredentialMissing(u32),

    /// A stored password hash could not be parsed or used.
    #[error("password hash is unusable: {0}")]
    PasswordHash(&'static str),

    /// The operating system's random number generator failed.
    #[error("the system random number generator is unavailable")]
    RandomUnavailable,

    /// Reading or writing the underlying stream failed.
    #[error("I/O error while streaming ciphertext: {0}")]
    Io(std::io::Error),
}

impl CryptoError {
    /// Shorthand for a [`CryptoError::Malformed`] error.
    pub(crate) fn malformed(what: &'static str, reason: &'static str) -> Self {
        Self::Malformed { what, reason }
    }
}

/// An I/O error that carries a [`CryptoError`] (as the streaming reader and writer return them)
/// gives that error back; any other I/O error becomes [`CryptoError::Io`].
impl From<std::io::Error> for CryptoError {
    fn from(error: std::io::Error) -> Self {
        if !error
            .get_ref()
            .is_some_and(|inner| inner.is::<CryptoError>())
        {
            return Self::Io(error);
        }
        match error
            .into_inner()
            .map(|inner| inner.downcast::<CryptoError>())
        {
            Some(Ok(crypto)) => *crypto,
            _ => unreachable!("the inner error was checked to be a CryptoError"),
        }
    }
}

/// A [`CryptoError`] crosses `std::io::Read`/`Write` as `InvalidData`, recoverable with `From`.
impl From<CryptoError> for std::io::Error {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::Io(io) => io,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other),
        }
    }
}

/// Result type of the crypto module.
pub type Result<T> = std::result::Result<T, CryptoError>;
