//! People: accounts, passwords, TOTP second factors, sessions, the access policy and
//! break-glass grants, all on top of a [`medvault::vault::Vault`].
//!
//! Two levels. The storage-level [`medvault::vault::Vault`] belongs to whoever unlocked it: the
//! operator, the hospital service holding the key. [`Identity`] wraps it for the people the
//! apps serve: every call that touches patient data takes a [`SessionToken`], is checked
//! against one access policy ([`policy::decide`]) and is audited. Operator actions through
//! [`Identity`] are audited as the operator's.
//!
//! Login is a password (in its NFKC form, Argon2id, checked against [`PasswordPolicy`]),
//! then a TOTP code (RFC 6238, via `totp-rs`) or a single-use recovery code, then a session
//! with an idle timeout and an absolute lifetime (NIST SP 800-63B-4, AAL2). A TOTP time step
//! is accepted once: the step is stored in the same batch as the session it opens, under the
//! lock that serializes account changes, so two logins with one code cannot both pass.

pub(crate) mod account;
pub mod audit;
mod blocking;
mod clock;
mod error;
mod factor;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod instances;
mod keys;
mod login;
mod password_policy;
pub mod policy;
mod records;
mod recovery;
mod service;
mod session;
mod totp;

pub use account::{AccountId, AccountInfo, FactorState, Role};
pub use blocking::BlockingIdentity;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{IdentityError, Result};
pub use factor::Enrollment;
pub use login::{LoginCode, LoginOutcome};
pub use password_policy::{PasswordPolicy, PasswordRejection};
pub use policy::{Decision, Operation, Permission};
pub use records::BreakGlassGrant;
pub use recovery::{RECOVERY_CODE_COUNT, RecoveryCode};
pub use service::{Identity, IdentityConfig};
pub use session::{Principal, SessionToken};
pub use totp::{TotpAlgorithm, TotpFactor};
