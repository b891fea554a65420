//! Accounts: who a person is to the vault, stored as an encrypted document.

use std::fmt;
use std::str::FromStr;

use medvault::crypto::id_type;
use medvault::vault::Document;
use serde::{Deserialize, Serialize};

use super::error::{IdentityError, Result};

id_type!(
    /// Identifies an account; random, so it reveals nothing about the person.
    AccountId
);

/// What an account may do; see [`super::policy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Reads their own records.
    Patient,
    /// Writes and reads patients' records.
    Physician,
    /// Manages physicians, events, notes and the dashboard; reads clinical records only
    /// through a break-glass grant.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Patient, Role::Physician, Role::Admin];

    /// The role's name: `patient`, `physician` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Physician => "physician",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = IdentityError;

    fn from_str(text: &str) -> Result<Self> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| IdentityError::InvalidInput {
                what: "role",
                reason: "expected patient, physician or admin".to_owned(),
            })
    }
}

/// The state of an account's TOTP factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactorState {
    /// None enrolled: the account cannot log in yet.
    None,
    /// Enrolled, waiting for its first code: the account cannot log in yet.
    Pending,
    /// Confirmed: logins take a code. (A replacement may be waiting for confirmation.)
    Active,
    /// Locked after too many failed attempts.
    Locked,
}

impl FactorState {
    /// The state's name: `none`, `pending`, `active` or `locked`.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorState::None => "none",
            FactorState::Pending => "pending",
            FactorState::Active => "active",
            FactorState::Locked => "locked",
        }
    }
}

/// What may be shown about an account: no secret and no hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// The account's id.
    pub id: AccountId,
    /// Its username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// When it was created (ms since the Unix epoch).
    pub created_ms: i64,
    /// Its TOTP factor.
    pub factor: FactorState,
    /// How many recovery codes are left.
    pub recovery_codes_left: usize,
}

/// A confirmed TOTP factor as stored: the secret sealed under the identity key.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredTotp {
    /// `RecordAead(secret)` with the account id as associated data, hex.
    pub(crate) sealed_secret: String,
    /// The last time step a code was accepted for; codes of this step or earlier are refused.
    pub(crate) last_step: Option<u64>,
}

/// An enrolled factor waiting for its first code, with the recovery codes that come with it.
/// The confirmed factor (if any) stays in force until this one is confirmed.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct PendingTotp {
    /// As in [`StoredTotp`].
    pub(crate) sealed_secret: String,
    /// Keyed hashes of its recovery codes, hex.
    pub(crate) recovery: Vec<String>,
}

/// An account as stored (in the encrypted `accounts` collection).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) id: AccountId,
    pub(crate) username: String,
    pub(crate) role: Role,
    pub(crate) created_ms: i64,
    /// Argon2id PHC string.
    pub(crate) password: String,
    /// The confirmed factor.
    pub(crate) totp: Option<StoredTotp>,
    /// A new factor waiting for confirmation.
    pub(crate) pending: Option<PendingTotp>,
    /// Keyed hashes of the confirmed factor's unused recovery codes, hex.
    pub(crate) recovery: Vec<String>,
    /// Failed attempts since the last success, counted across sessions.
    pub(crate) failed_attempts: u32,
    pub(crate) locked: bool,
    /// Sessions opened under another epoch are revoked; it moves when the factor changes.
    pub(crate) session_epoch: u64,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// A new account with no second factor yet; `password` is its Argon2id PHC string.
    pub(crate) fn new(
        id: AccountId,
        username: String,
        role: Role,
        created_ms: i64,
        password: String,
    ) -> Self {
        Self {
            id,
            username,
            role,
            created_ms,
            password,
            totp: None,
            pending: None,
            recovery: Vec::new(),
            failed_attempts: 0,
            locked: false,
            session_epoch: 0,
        }
    }

    pub(crate) fn info(&self) -> AccountInfo {
        AccountInfo {
            id: self.id,
            username: self.username.clone(),
            role: self.role,
            created_ms: self.created_ms,
            factor: self.factor_state(),
            recovery_codes_left: self.recovery.len(),
        }
    }

    pub(crate) fn factor_state(&self) -> FactorState {
        match (&self.totp, &self.pending) {
            (Some(_), _) if self.locked => FactorState::Locked,
            (Some(_), _) => FactorState::Active,
            (None, Some(_)) => FactorState::Pending,
            (None, None) => FactorState::None,
        }
    }
}

impl Document for Account {
    const COLLECTION: &'static str = "accounts";

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn indexed_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("username", self.username.clone()),
            ("role", self.role.as_str().to_owned()),
        ]
    }
}

/// The longest username.
pub(crate) const USERNAME_MAX: usize = 64;

/// A username in canonical form: lowercase, 3 to 64 of `a-z 0-9 . _ - @`. Usernames are
/// compared in this form, so `Alice` and `alice` are one account.
pub(crate) fn canonical_username(name: &str) -> Result<String> {
    let name = name.to_lowercase();
    if name.chars().count() < 3 {
        return Err(IdentityError::InvalidUsername("shorter than 3 characters"));
    }
    if name.chars().count() > USERNAME_MAX {
        return Err(IdentityError::InvalidUsername("longer than 64 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c))
    {
        return Err(IdentityError::InvalidUsername(
            "only letters a-z, digits and . _ - @ are allowed",
        ));
    }
    Ok(name)
}
