//! The one exception type of the bindings: one variant per [`ErrorKind`], carrying the
//! core's error, whose message crosses unchanged.

use medvault::crypto::CryptoError;
use medvault::vault::VaultError;
use medvault_hospital::{ErrorKind, HospitalError};
use medvault_identity::IdentityError;

/// The core's error as it crosses the FFI boundary.
#[derive(Debug)]
pub struct Cause(String);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a MedVault call failed. Kotlin sees `MedVaultException` with one subclass per variant,
/// Swift an `Error` enum; the message is the engine's.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum MedVaultError {
    /// No unlock slot opens with the passphrase.
    #[error("{0}")]
    WrongPassphrase(Cause),
    /// A new vault passphrase is below the floor: too short, blank, repetitive or common.
    #[error("{0}")]
    WeakPassphrase(Cause),
    /// There is no vault at the location.
    #[error("{0}")]
    NoVault(Cause),
    /// A vault already exists at the location.
    #[error("{0}")]
    VaultExists(Cause),
    /// Another process holds the vault's index folder.
    #[error("{0}")]
    OpenElsewhere(Cause),
    /// No record has this id.
    #[error("{0}")]
    RecordNotFound(Cause),
    /// Data failed authentication: modified, misplaced or under another key.
    #[error("{0}")]
    Tampered(Cause),
    /// Stored data is missing or does not decode.
    #[error("{0}")]
    Corrupt(Cause),
    /// The object store or the local disk failed, or refused access.
    #[error("{0}")]
    Storage(Cause),
    /// The vault must be reopened before it takes writes again.
    #[error("{0}")]
    ReopenRequired(Cause),
    /// The vault was closed.
    #[error("{0}")]
    Closed(Cause),
    /// An argument was rejected.
    #[error("{0}")]
    InvalidInput(Cause),
    /// Wrong username or password.
    #[error("{0}")]
    InvalidCredentials(Cause),
    /// Wrong or expired code.
    #[error("{0}")]
    WrongCode(Cause),
    /// The code's time step was used already.
    #[error("{0}")]
    CodeReplayed(Cause),
    /// The second factor is locked.
    #[error("{0}")]
    FactorLocked(Cause),
    /// The operation does not fit the account's TOTP enrollment.
    #[error("{0}")]
    FactorState(Cause),
    /// The session is unknown, logged out or revoked.
    #[error("{0}")]
    SessionInvalid(Cause),
    /// The session timed out.
    #[error("{0}")]
    SessionExpired(Cause),
    /// The access policy refuses the operation.
    #[error("{0}")]
    AccessDenied(Cause),
    /// The new password breaks the password policy.
    #[error("{0}")]
    PasswordRejected(Cause),
    /// The username is taken.
    #[error("{0}")]
    UsernameTaken(Cause),
    /// An identifier given in a profile (a hospital number) belongs to another patient or
    /// physician.
    #[error("{0}")]
    IdentifierTaken(Cause),
    /// No account has this id or username.
    #[error("{0}")]
    AccountNotFound(Cause),
    /// The appointment slot is taken or not offered.
    #[error("{0}")]
    SlotUnavailable(Cause),
    /// No appointment, event, note, profile or physician has the id given.
    #[error("{0}")]
    NotFound(Cause),
    /// A failure of the machine itself.
    #[error("{0}")]
    Internal(Cause),
}

impl MedVaultError {
    fn of_kind(kind: ErrorKind, message: String) -> Self {
        let cause = Cause(message);
        match kind {
            ErrorKind::WrongPassphrase => Self::WrongPassphrase(cause),
            ErrorKind::WeakPassphrase => Self::WeakPassphrase(cause),
            ErrorKind::NoVault => Self::NoVault(cause),
            ErrorKind::VaultExists => Self::VaultExists(cause),
            ErrorKind::OpenElsewhere => Self::OpenElsewhere(cause),
            ErrorKind::RecordNotFound => Self::RecordNotFound(cause),
            ErrorKind::Tampered => Self::Tampered(cause),
            ErrorKind::Corrupt => Self::Corrupt(cause),
            ErrorKind::Storage => Self::Storage(cause),
            ErrorKind::ReopenRequired => Self::ReopenRequired(cause),
            ErrorKind::Closed => Self::Closed(cause),
            ErrorKind::InvalidInput => Self::InvalidInput(cause),
            ErrorKind::InvalidCredentials => Self::InvalidCredentials(cause),
            ErrorKind::WrongCode => Self::WrongCode(cause),
            ErrorKind::CodeReplayed => Self::CodeReplayed(cause),
            ErrorKind::FactorLocked => Self::FactorLocked(cause),
            ErrorKind::FactorState => Self::FactorState(cause),
            ErrorKind::SessionInvalid => Self::SessionInvalid(cause),
            ErrorKind::SessionExpired => Self::SessionExpired(cause),
            ErrorKind::AccessDenied => Self::AccessDenied(cause),
            ErrorKind::PasswordRejected => Self::PasswordRejected(cause),
            ErrorKind::UsernameTaken => Self::UsernameTaken(cause),
            ErrorKind::IdentifierTaken => Self::IdentifierTaken(cause),
            ErrorKind::AccountNotFound => Self::AccountNotFound(cause),
            ErrorKind::SlotUnavailable => Self::SlotUnavailable(cause),
            ErrorKind::NotFound => Self::NotFound(cause),
            _ => Self::Internal(cause),
        }
    }

    /// An argument the binding itself rejects before calling the core.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput(Cause(message.into()))
    }
}

/// Every layer's error becomes the variant its kind names, with its own message.
macro_rules! core_error {
    ($($core:ty),*) => {$(
        impl From<$core> for MedVaultError {
            fn from(error: $core) -> Self {
                Self::of_kind(ErrorKind::from(&error), error.to_string())
            }
        }
    )*};
}

core_error!(CryptoError, VaultError, IdentityError, HospitalError);

/// Result of binding calls.
pub type Result<T, E = MedVaultError> = std::result::Result<T, E>;
