//! The small, stable set of failure kinds the language bindings raise as typed exceptions.
//! The rich error types of every layer ([`CryptoError`], [`VaultError`], [`IdentityError`],
//! [`HospitalError`]) are sorted into them here, in one place, so that every binding
//! classifies a failure the same way: `ErrorKind::from(&error)`.

use medvault::crypto::CryptoError;
use medvault::vault::VaultError;
use medvault_identity::IdentityError;

use crate::error::HospitalError;

/// What kind of failure an error is. Bindings map each kind to one exception type and keep
/// the error's own message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No unlock slot opens with the passphrase or key.
    WrongPassphrase,
    /// A new vault passphrase is below the floor (too short, blank, repetitive or common).
    WeakPassphrase,
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
    /// An identifier given in a profile (a hospital number) belongs to another patient or
    /// physician.
    IdentifierTaken,
    /// No account has this id or username.
    AccountNotFound,
    /// The appointment slot is taken or not offered.
    SlotUnavailable,
    /// No appointment, event, note or profile has the id given.
    NotFound,
    /// A failure of the machine itself (the random number generator, a password hash).
    Internal,
}

impl From<&CryptoError> for ErrorKind {
    fn from(error: &CryptoError) -> Self {
        match error {
            // A ciphertext cut short or reshaped fails its integrity check like a modified one.
            CryptoError::AuthenticationFailed
            | CryptoError::WrongKey(_)
            | CryptoError::Truncated { .. }
            | CryptoError::TrailingData
            | CryptoError::Malformed { .. } => Self::Tampered,
            CryptoError::WrongPassphraseOrKey => Self::WrongPassphrase,
            CryptoError::UnsupportedVersion { .. } => Self::Corrupt,
            CryptoError::InvalidParameter(_)
            | CryptoError::RangeOutOfBounds { .. }
            | CryptoError::SlotNotFound(_)
            | CryptoError::LastSlot
            | CryptoError::SlotCredentialMissing(_) => Self::InvalidInput,
            CryptoError::Io(_) => Self::Storage,
            _ => Self::Internal,
        }
    }
}

impl From<&VaultError> for ErrorKind {
    fn from(error: &VaultError) -> Self {
        match error {
            VaultError::Crypto(error) => error.into(),
            VaultError::WrongCredential => Self::WrongPassphrase,
            VaultError::WeakPassphrase(_) => Self::WeakPassphrase,
            VaultError::NoVault { .. } => Self::NoVault,
            VaultError::VaultExists { .. } | VaultError::CreationInProgress { .. } => {
                Self::VaultExists
            }
            VaultError::OpenElsewhere { .. } => Self::OpenElsewhere,
            VaultError::RecordNotFound { .. } | VaultError::VersionNotFound { .. } => {
                Self::RecordNotFound
            }
            VaultError::AuditTampered(_) => Self::Tampered,
            VaultError::CorruptDescriptor { .. }
            | VaultError::ObjectMissing { .. }
            | VaultError::KeyMissing { .. }
            | VaultError::Malformed { .. } => Self::Corrupt,
            VaultError::BucketNotFound { .. }
            | VaultError::AccessDenied { .. }
            | VaultError::Unreachable { .. }
            | VaultError::Store(_)
            | VaultError::Index(_)
            | VaultError::Io { .. }
            | VaultError::Busy => Self::Storage,
            VaultError::InvalidInput { .. } | VaultError::WrongRuntime(_) => Self::InvalidInput,
            VaultError::ReopenRequired => Self::ReopenRequired,
            VaultError::Closed => Self::Closed,
            _ => Self::Internal,
        }
    }
}

impl From<&IdentityError> for ErrorKind {
    fn from(error: &IdentityError) -> Self {
        match error {
            IdentityError::Vault(error) => error.into(),
            IdentityError::InvalidUsername(_) | IdentityError::InvalidInput { .. } => {
                Self::InvalidInput
            }
            IdentityError::UsernameTaken => Self::UsernameTaken,
            IdentityError::PasswordRejected(_) => Self::PasswordRejected,
            IdentityError::InvalidCredentials => Self::InvalidCredentials,
            IdentityError::WrongCode => Self::WrongCode,
            IdentityError::CodeReplayed => Self::CodeReplayed,
            IdentityError::FactorLocked => Self::FactorLocked,
            IdentityError::FactorNotEnrolled
            | IdentityError::CurrentCodeRequired
            | IdentityError::NoPendingEnrollment => Self::FactorState,
            IdentityError::SessionInvalid => Self::SessionInvalid,
            IdentityError::SessionExpired => Self::SessionExpired,
            IdentityError::AccessDenied { .. } => Self::AccessDenied,
            IdentityError::AccountNotFound => Self::AccountNotFound,
            _ => Self::Internal,
        }
    }
}

impl From<&HospitalError> for ErrorKind {
    fn from(error: &HospitalError) -> Self {
        match error {
            HospitalError::Identity(error) => error.into(),
            HospitalError::SlotUnavailable(_) => Self::SlotUnavailable,
            HospitalError::IdentifierTaken { .. } => Self::IdentifierTaken,
            HospitalError::NotFound { .. } => Self::NotFound,
            HospitalError::InvalidInput { .. } => Self::InvalidInput,
        }
    }
}

impl HospitalError {
    /// The kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_errors_keep_their_kind() {
        let wrong = IdentityError::Vault(VaultError::Crypto(CryptoError::WrongPassphraseOrKey));
        assert_eq!(ErrorKind::from(&wrong), ErrorKind::WrongPassphrase);
        let tampered = HospitalError::from(CryptoError::AuthenticationFailed);
        assert_eq!(tampered.kind(), ErrorKind::Tampered);
        assert_eq!(
            ErrorKind::from(&IdentityError::CodeReplayed),
            ErrorKind::CodeReplayed
        );
        assert_eq!(ErrorKind::from(&VaultError::Closed), ErrorKind::Closed);
        let weak = VaultError::WeakPassphrase(medvault::crypto::strength::Weakness::Common);
        assert_eq!(ErrorKind::from(&weak), ErrorKind::WeakPassphrase);
        assert_eq!(
            HospitalError::SlotUnavailable("it is booked").kind(),
            ErrorKind::SlotUnavailable
        );
    }
}
