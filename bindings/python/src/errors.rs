//! The Python exceptions, and the one place where core errors become them.
//!
//! Every exception derives from `MedVaultError`; its message is the core error's `Display`
//! text, which never carries a payload, a password, a code or a key. Which class a core error
//! becomes follows its [`ErrorKind`], the core's one classification that every binding shares;
//! a kind added later falls back to `MedVaultError`.

use medvault::crypto::CryptoError as CoreCryptoError;
use medvault::vault::VaultError as CoreVaultError;
use medvault_hospital::{ErrorKind, HospitalError as CoreHospitalError};
use medvault_identity::IdentityError as CoreIdentityError;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

macro_rules! exceptions {
    ($($name:ident($base:ty): $doc:literal;)*) => {
        $(pyo3::create_exception!(medvault, $name, $base, $doc);)*

        /// Adds every exception class to the module.
        pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
            let py = module.py();
            $(module.add(stringify!($name), py.get_type::<$name>())?;)*
            Ok(())
        }
    };
}

exceptions! {
    MedVaultError(PyException): "Base class of every MedVault error.";
    InvalidInputError(MedVaultError): "An argument was rejected (malformed id, out-of-range value, bad location, …).";

    VaultError(MedVaultError): "A vault operation failed.";
    WrongPassphraseError(VaultError): "No unlock slot of the vault opens with the passphrase or key given.";
    WeakPassphraseError(VaultError): "A new vault passphrase is below the floor: fewer than 12 characters, blank, repetitive or commonly used.";
    NoVaultError(VaultError): "There is no vault at the location.";
    VaultExistsError(VaultError): "A vault already exists at the location.";
    VaultInUseError(VaultError): "Another process holds the vault's local index folder.";
    VaultClosedError(VaultError): "The vault was closed.";
    RecordNotFoundError(VaultError): "No record has this id (or it was deleted, or its scope shredded).";
    StoreError(VaultError): "The object store or the local disk failed: missing bucket, refused credentials, unreachable, or another storage error.";
    CorruptError(VaultError): "Stored data is missing or does not decode: a missing object or key, a damaged descriptor, an unknown format version.";
    ReopenRequiredError(VaultError): "An earlier write failed in a way that needs the vault reopened before it takes writes again.";

    CryptoError(MedVaultError): "A cryptographic operation failed.";
    TamperedError(CryptoError): "Data did not authenticate: it was modified, truncated, misplaced, or the key is wrong; or the audit trail was altered.";

    IdentityError(MedVaultError): "An identity or hospital operation (accounts, factors, sessions, access, appointments) failed.";
    AuthenticationError(IdentityError): "A login or credential check failed.";
    InvalidCredentialsError(AuthenticationError): "Wrong username or password (which of the two is not said).";
    WrongCodeError(AuthenticationError): "The TOTP or recovery code is wrong or too old.";
    CodeReplayedError(AuthenticationError): "The TOTP code's time step was used already; wait for the next code.";
    FactorLockedError(AuthenticationError): "The second factor is locked after too many failed attempts.";
    FactorStateError(AuthenticationError): "The TOTP factor is not in a state for this: not enrolled, not confirmed, or a current code is needed.";
    SessionError(IdentityError): "The session is invalid (unknown, logged out, revoked) or expired.";
    AccessDeniedError(IdentityError): "The access policy refuses the operation to the session's role.";
    PasswordRejectedError(IdentityError): "A new password breaks the password policy.";
    UsernameTakenError(IdentityError): "Another account has this username.";
    IdentifierTakenError(IdentityError): "An identifier given in a profile (a hospital number) belongs to another patient or physician.";
    AccountNotFoundError(IdentityError): "No account has this id or username.";
    SlotUnavailableError(IdentityError): "The appointment slot is taken (or being booked right now), already begun, or not offered by the physician.";
    NotFoundError(IdentityError): "No appointment, event, note, profile or physician has the id given.";
}

/// Any failure of a binding call: a core error, classified, or a Python error raised while
/// converting arguments or results.
#[derive(Debug)]
pub(crate) enum Error {
    /// A core error: its kind and its message.
    Core(ErrorKind, String),
    /// Already a Python exception.
    Python(PyErr),
}

/// The result of a binding call.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An argument the binding rejects before calling the core (`what` names it).
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::from(CoreVaultError::InvalidInput {
            what,
            reason: reason.into(),
        })
    }
}

/// Runs a call into the core with the GIL released (so other Python threads run meanwhile)
/// and converts its error.
pub(crate) fn detach<T, E>(py: Python<'_>, call: impl FnOnce() -> Result<T, E> + Send) -> Result<T>
where
    T: Send,
    E: Send,
    Error: From<E>,
{
    Ok(py.detach(call)?)
}

/// Parses one of the core's ids (32 hex digits) as Python code holds it; `what` names it.
pub(crate) fn parse_id<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T> {
    text.parse()
        .map_err(|_| Error::invalid(what, "expected 32 hex digits"))
}

/// Every layer's error becomes the exception its kind names, with its own message.
macro_rules! core_error {
    ($($core:ty),*) => {$(
        impl From<$core> for Error {
            fn from(error: $core) -> Self {
                Self::Core(ErrorKind::from(&error), error.to_string())
            }
        }
    )*};
}

core_error!(
    CoreCryptoError,
    CoreVaultError,
    CoreIdentityError,
    CoreHospitalError
);

impl From<PyErr> for Error {
    fn from(error: PyErr) -> Self {
        Self::Python(error)
    }
}

impl From<Error> for PyErr {
    fn from(error: Error) -> Self {
        match error {
            Error::Core(kind, message) => exception(kind, message),
            Error::Python(error) => error,
        }
    }
}

/// The exception of a kind of failure.
fn exception(kind: ErrorKind, message: String) -> PyErr {
    use ErrorKind as K;
    match kind {
        K::WrongPassphrase => WrongPassphraseError::new_err(message),
        K::WeakPassphrase => WeakPassphraseError::new_err(message),
        K::NoVault => NoVaultError::new_err(message),
        K::VaultExists => VaultExistsError::new_err(message),
        K::OpenElsewhere => VaultInUseError::new_err(message),
        K::RecordNotFound => RecordNotFoundError::new_err(message),
        K::Tampered => TamperedError::new_err(message),
        K::Corrupt => CorruptError::new_err(message),
        K::Storage => StoreError::new_err(message),
        K::ReopenRequired => ReopenRequiredError::new_err(message),
        K::Closed => VaultClosedError::new_err(message),
        K::InvalidInput => InvalidInputError::new_err(message),
        K::InvalidCredentials => InvalidCredentialsError::new_err(message),
        K::WrongCode => WrongCodeError::new_err(message),
        K::CodeReplayed => CodeReplayedError::new_err(message),
        K::FactorLocked => FactorLockedError::new_err(message),
        K::FactorState => FactorStateError::new_err(message),
        K::SessionInvalid | K::SessionExpired => SessionError::new_err(message),
        K::AccessDenied => AccessDeniedError::new_err(message),
        K::PasswordRejected => PasswordRejectedError::new_err(message),
        K::UsernameTaken => UsernameTakenError::new_err(message),
        K::IdentifierTaken => IdentifierTakenError::new_err(message),
        K::AccountNotFound => AccountNotFoundError::new_err(message),
        K::SlotUnavailable => SlotUnavailableError::new_err(message),
        K::NotFound => NotFoundError::new_err(message),
        _ => MedVaultError::new_err(message),
    }
}
