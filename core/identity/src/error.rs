//! The identity layer's error type. Messages name accounts by id at most: never a password,
//! a code, a token or a username.

use medvault::vault::VaultError;

use super::password_policy::PasswordRejection;

/// What can go wrong in an identity operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The vault underneath failed.
    #[error(transparent)]
    Vault(#[from] VaultError),

    /// A username breaks the naming rules.
    #[error("invalid username: {0}")]
    InvalidUsername(&'static str),

    /// Another account has this username.
    #[error("the username is taken")]
    UsernameTaken,

    /// A new password breaks the password policy.
    #[error("password rejected: {0}")]
    PasswordRejected(PasswordRejection),

    /// No account has this username, or the password is wrong (which of the two is not said).
    #[error("wrong username or password")]
    InvalidCredentials,

    /// The TOTP or recovery code is wrong, or too old.
    #[error("wrong or expired code")]
    WrongCode,

    /// The TOTP code is right but its time step was used already: wait for the next code.
    #[error("this code was already used; wait for the next one")]
    CodeReplayed,

    /// Too many failed attempts: the factor is locked until an admin unlocks it or a recovery
    /// code is used.
    #[error(
        "the second factor is locked after too many failed attempts; use a recovery code or ask an admin"
    )]
    FactorLocked,

    /// The account has no confirmed TOTP factor yet.
    #[error("the account has no confirmed TOTP factor; enroll and confirm one first")]
    FactorNotEnrolled,

    /// The account has a confirmed factor, and changing it needs a current code.
    #[error("the account already has a TOTP factor; changing it needs a current code")]
    CurrentCodeRequired,

    /// There is no TOTP enrollment waiting for confirmation.
    #[error("no TOTP enrollment is waiting for confirmation; enroll first")]
    NoPendingEnrollment,

    /// The session token is unknown, malformed or revoked.
    #[error("not a valid session (unknown, logged out or revoked)")]
    SessionInvalid,

    /// The session timed out (idle or absolute); log in again.
    #[error("the session has expired; log in again")]
    SessionExpired,

    /// The access policy refuses the operation.
    #[error("access denied: a {role} may not {operation}")]
    AccessDenied {
        /// The caller's role.
        role: &'static str,
        /// What was refused.
        operation: String,
    },

    /// No account has this id or username.
    #[error("no such account")]
    AccountNotFound,

    /// An argument is out of range.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result of identity operations.
pub type Result<T, E = IdentityError> = std::result::Result<T, E>;

impl From<medvault::crypto::CryptoError> for IdentityError {
    fn from(error: medvault::crypto::CryptoError) -> Self {
        Self::Vault(error.into())
    }
}
