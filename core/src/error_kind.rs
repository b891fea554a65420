//! The small, stable set of failure kinds the language bindings raise as typed exceptions.
//! The rich error types ([`VaultError`], [`IdentityError`], [`CryptoError`]) are sorted into
//! them here, in one place, so that every binding classifies a failure the same way.

use crate::crypto::CryptoError;
use crate::identity::IdentityError;
use crate::vault::VaultError;

/// What kind of failure an error is. Bindings map each kind to one exception type and keep
/// the error's own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No unlock slot opens with the passphrase or key.
    WrongPassphrase,
    /// There is no vault at the location.
    NoVault,
    /// A vault already exists at the location.
    VaultExists,
    /// Another process holds the vault's index folder.
    OpenElsewhere,
    /// No record has this id.
    RecordNotFound,
    /// Data failed authentication: modified, cut short, misplaced or under another key, or
    /// an altered audit trail.
    Tampered,
    /// Stored data is missing, or authenticates but does not decode (a damaged descriptor,
    /// an unknown format version).
    Corrupt,
    /// The object store or the local disk failed, or refused access.
    Storage,
    /// An earlier write failed in a way that needs the vault reopened before writing again.
    ReopenRequired,
    /// The vault was closed.
    Closed,
    /// An argument was rejected.
    InvalidInput,
    /// Wrong username or password.
    InvalidCredentials,
    /// Wrong or expired TOTP or recovery code.
    WrongCode,
    /// The TOTP code's time step was used already.
    CodeReplayed,
    /// The second factor is locked after too many failures.
    FactorLocked,
    /// The operation does not fit the account's TOTP enrollment (none confirmed, none
    /// pending, or a current code is needed).
    FactorState,
    /// The session is unknown, logged out or revoked.
    SessionInvalid,
    /// The session timed out.
    SessionExpired,
    /// The access policy refuses the operation.
    AccessDenied,
    /// A new password breaks the password policy.
    PasswordRejected,
    /// The username is taken.
    UsernameTaken,
    /// No account has this id or username.
    AccountNotFound,
    /// The appointment slot is taken or not offered.
    SlotUnavailable,
    /// No appointment, event, note or profile has the id given.
    NotFound,
    /// A failure of the machine itself (the random number generator, a password hash).
    Internal,
}

impl CryptoError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            // A ciphertext cut short or reshaped fails its integrity check like a modified one.
            Self::AuthenticationFailed
            | Self::WrongKey(_)
            | Self::Truncated { .. }
            | Self::TrailingData
            | Self::Malformed { .. } => ErrorKind::Tampered,
            Self::WrongPassphraseOrKey => ErrorKind::WrongPassphrase,
            Self::UnsupportedVersion { .. } => ErrorKind::Corrupt,
            Self::InvalidParameter(_)
            | Self::RangeOutOfBounds { .. }
            | Self::SlotNotFound(_)
            | Self::LastSlot
            | Self::SlotCredentialMissing(_) => ErrorKind::InvalidInput,
            Self::Io(_) => ErrorKind::Storage,
            _ => ErrorKind::Internal,
        }
    }
}

impl VaultError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Crypto(error) => error.kind(),
            Self::WrongCredential => ErrorKind::WrongPassphrase,
            Self::NoVault { .. } => ErrorKind::NoVault,
            Self::VaultExists { .. } => ErrorKind::VaultExists,
            Self::OpenElsewhere { .. } => ErrorKind::OpenElsewhere,
            Self::RecordNotFound { .. } => ErrorKind::RecordNotFound,
            Self::AuditTampered(_) => ErrorKind::Tampered,
            Self::CorruptDescriptor { .. }
            | Self::ObjectMissing { .. }
            | Self::KeyMissing { .. }
            | Self::Malformed { .. } => ErrorKind::Corrupt,
            Self::BucketNotFound { .. }
            | Self::AccessDenied { .. }
            | Self::Unreachable { .. }
            | Self::Store(_)
            | Self::Index(_)
            | Self::Io { .. } => ErrorKind::Storage,
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::ReopenRequired => ErrorKind::ReopenRequired,
            Self::Closed => ErrorKind::Closed,
        }
    }
}

impl IdentityError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Vault(error) => error.kind(),
            Self::InvalidUsername(_) | Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::UsernameTaken => ErrorKind::UsernameTaken,
            Self::PasswordRejected(_) => ErrorKind::PasswordRejected,
            Self::InvalidCredentials => ErrorKind::InvalidCredentials,
            Self::WrongCode => ErrorKind::WrongCode,
            Self::CodeReplayed => ErrorKind::CodeReplayed,
            Self::FactorLocked => ErrorKind::FactorLocked,
            Self::FactorNotEnrolled | Self::CurrentCodeRequired | Self::NoPendingEnrollment => {
                ErrorKind::FactorState
            }
            Self::SessionInvalid => ErrorKind::SessionInvalid,
            Self::SessionExpired => ErrorKind::SessionExpired,
            Self::AccessDenied { .. } => ErrorKind::AccessDenied,
            Self::AccountNotFound => ErrorKind::AccountNotFound,
            Self::SlotUnavailable(_) => ErrorKind::SlotUnavailable,
            Self::NotFound { .. } => ErrorKind::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_errors_keep_their_kind() {
        let wrong = IdentityError::Vault(VaultError::Crypto(CryptoError::WrongPassphraseOrKey));
        assert_eq!(wrong.kind(), ErrorKind::WrongPassphrase);
        let tampered = IdentityError::from(CryptoError::AuthenticationFailed);
        assert_eq!(tampered.kind(), ErrorKind::Tampered);
        assert_eq!(IdentityError::CodeReplayed.kind(), ErrorKind::CodeReplayed);
        assert_eq!(VaultError::Closed.kind(), ErrorKind::Closed);
    }
}
