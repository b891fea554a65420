//! The hospital's error type: the identity layer's errors, and what the hospital adds. Messages
//! name no patient data: ids and field names at most.

use medvault::crypto::CryptoError;
use medvault::vault::VaultError;
use medvault_identity::IdentityError;

/// What can go wrong in a hospital operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HospitalError {
    /// The identity layer (sessions, the access policy, accounts) or the vault underneath
    /// failed.
    #[error(transparent)]
    Identity(#[from] IdentityError),

    /// The appointment slot is taken, or the physician offers none at that time.
    #[error("the slot is not available: {0}")]
    SlotUnavailable(&'static str),

    /// An identifier (a hospital number, an imported id) given in a profile belongs to
    /// another patient, or another physician.
    #[error("the identifier belongs to another {holder}")]
    IdentifierTaken {
        /// Whose it is: `patient` or `physician`.
        holder: &'static str,
    },

    /// No item of this kind has the id given (or the caller may not know of it).
    #[error("no such {what}")]
    NotFound {
        /// What was looked for, such as `appointment`.
        what: &'static str,
    },

    /// An argument (a profile field, a schedule, an import file) is rejected.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result of hospital operations.
pub type Result<T, E = HospitalError> = std::result::Result<T, E>;

impl From<VaultError> for HospitalError {
    fn from(error: VaultError) -> Self {
        Self::Identity(error.into())
    }
}

impl From<CryptoError> for HospitalError {
    fn from(error: CryptoError) -> Self {
        Self::Identity(error.into())
    }
}
