//! People: accounts, TOTP enrollment, login, and the access-controlled calls of a session.

use std::sync::Arc;
use std::time::Duration;

use medvault_hospital::BlockingHospital;
use medvault_identity::{self as identity, AccountId, BlockingIdentity, LoginCode, SessionToken};

use crate::error::{MedVaultError, Result};
use crate::records::{Record, RecordMeta, metas, record_id};

/// What an account may do.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Reads their own records.
    Patient,
    /// Writes and reads patients' records.
    Physician,
    /// Manages accounts and reads the audit trail; reads records only under break-glass.
    Admin,
}

impl From<Role> for identity::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Patient => Self::Patient,
            Role::Physician => Self::Physician,
            Role::Admin => Self::Admin,
        }
    }
}

impl From<identity::Role> for Role {
    fn from(role: identity::Role) -> Self {
        match role {
            identity::Role::Patient => Self::Patient,
            identity::Role::Physician => Self::Physician,
            identity::Role::Admin => Self::Admin,
        }
    }
}

/// The state of an account's TOTP factor.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorState {
    /// No factor enrolled: the account cannot log in yet.
    None,
    /// Enrolled, waiting for its first code.
    Pending,
    /// Confirmed: logins take its codes.
    Active,
    /// Locked after too many failures, until a recovery code or an unlock.
    Locked,
}

impl From<identity::FactorState> for FactorState {
    fn from(state: identity::FactorState) -> Self {
        match state {
            identity::FactorState::None => Self::None,
            identity::FactorState::Pending => Self::Pending,
            identity::FactorState::Active => Self::Active,
            identity::FactorState::Locked => Self::Locked,
        }
    }
}

/// An account as shown to its owner and to admins.
#[derive(uniffi::Record, Clone)]
pub struct AccountInfo {
    /// The account's id.
    pub id: String,
    /// Its username.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// When it was created (ms since the Unix epoch).
    pub created_ms: i64,
    /// Its TOTP factor.
    pub factor: FactorState,
    /// How many recovery codes are left.
    pub recovery_codes_left: u32,
}

impl From<identity::AccountInfo> for AccountInfo {
    fn from(info: identity::AccountInfo) -> Self {
        Self {
            id: info.id.to_string(),
            username: info.username,
            role: info.role.into(),
            created_ms: info.created_ms,
            factor: info.factor.into(),
            recovery_codes_left: u32::try_from(info.recovery_codes_left).unwrap_or(u32::MAX),
        }
    }
}

/// An account id given by the caller.
pub(crate) fn account_id(text: &str) -> Result<AccountId> {
    text.parse()
        .map_err(|_| MedVaultError::invalid("invalid account id: it must be 32 hex digits"))
}

/// Accounts, TOTP enrollment and login over a vault. Calls named `operator…` act as the
/// holder of the vault's passphrase (the hospital service), and are audited as such.
#[derive(uniffi::Object)]
pub struct Identity {
    identity: Arc<BlockingIdentity>,
    /// The hospital over the same identity.
    pub(crate) hospital: BlockingHospital,
}

impl Identity {
    pub(crate) fn new(identity: BlockingIdentity) -> Self {
        let hospital = BlockingHospital::new(&identity);
        Self {
            identity: Arc::new(identity),
            hospital,
        }
    }

    fn session(&self, outcome: identity::LoginOutcome) -> Arc<Session> {
        Arc::new(Session {
            identity: Arc::clone(&self.identity),
            hospital: self.hospital.clone(),
            token: outcome.token,
            account: outcome.account.into(),
        })
    }
}

#[uniffi::export]
impl Identity {
    /// Registers a patient account (patients register themselves); returns its id. Its TOTP
    /// factor is enrolled next.
    pub fn register_patient(&self, username: String, password: String) -> Result<String> {
        Ok(self
            .identity
            .register_patient(&username, &password)?
            .to_string())
    }

    /// Creates an account of any role as the operator (such as the first admin).
    pub fn operator_create_account(
        &self,
        role: Role,
        username: String,
        password: String,
    ) -> Result<String> {
        Ok(self
            .identity
            .operator_create_account(role.into(), &username, &password)?
            .to_string())
    }

    /// Every account, by role then username (for the operator).
    pub fn operator_accounts(&self) -> Result<Vec<AccountInfo>> {
        Ok(self
            .identity
            .operator_accounts()?
            .into_iter()
            .map(AccountInfo::from)
            .collect())
    }

    /// Unlocks the locked second factor of `username`, as the operator.
    pub fn operator_unlock_factor(&self, username: String) -> Result<()> {
        Ok(self.identity.operator_unlock_factor(&username)?)
    }

    /// Enrolls a new TOTP factor, to be confirmed by its first code. An account with a
    /// confirmed factor must give a current code to replace it.
    pub fn enroll_totp(
        &self,
        username: String,
        password: String,
        current_code: Option<String>,
    ) -> Result<Arc<Enrollment>> {
        let enrollment = self.identity.enroll_totp(
            &username,
            &password,
            current_code.as_deref().map(LoginCode::Totp),
        )?;
        Ok(Arc::new(Enrollment(enrollment)))
    }

    /// Confirms the enrolled factor with its first code.
    pub fn confirm_totp(&self, username: String, password: String, code: String) -> Result<()> {
        Ok(self.identity.confirm_totp(&username, &password, &code)?)
    }

    /// Logs in with the password and a current TOTP code (each code is accepted once).
    pub fn login(&self, username: String, password: String, code: String) -> Result<Arc<Session>> {
        let outcome = self
            .identity
            .login(&username, &password, LoginCode::Totp(&code))?;
        Ok(self.session(outcome))
    }

    /// Logs in with the password and one of the account's recovery codes (used up; it also
    /// unlocks a locked factor).
    pub fn login_with_recovery_code(
        &self,
        username: String,
        password: String,
        recovery_code: String,
    ) -> Result<Arc<Session>> {
        let outcome =
            self.identity
                .login(&username, &password, LoginCode::Recovery(&recovery_code))?;
        Ok(self.session(outcome))
    }
}

/// A new TOTP factor, to show its owner once. Its secret is reachable only through its
/// methods: it never appears in `toString()` or a description.
#[derive(uniffi::Object)]
pub struct Enrollment(identity::Enrollment);

#[uniffi::export]
impl Enrollment {
    /// The account's id.
    pub fn account_id(&self) -> String {
        self.0.account.to_string()
    }

    /// The secret, base32, for typing into an authenticator by hand.
    pub fn secret_base32(&self) -> String {
        self.0.factor.secret_base32()
    }

    /// The `otpauth://totp/…` URI for authenticator apps.
    pub fn otpauth_uri(&self) -> String {
        self.0.otpauth_uri.to_string()
    }

    /// The URI as a QR code, PNG bytes.
    pub fn qr_png(&self) -> Vec<u8> {
        self.0.qr_png.clone()
    }

    /// Ten single-use recovery codes, for the owner to keep on paper.
    pub fn recovery_codes(&self) -> Vec<String> {
        self.0
            .recovery_codes
            .iter()
            .map(|code| code.as_str().to_owned())
            .collect()
    }
}

/// A logged-in account. Every call is checked by the access policy and audited; the token
/// stays inside the engine.
#[derive(uniffi::Object)]
pub struct Session {
    pub(crate) identity: Arc<BlockingIdentity>,
    /// The hospital over the same identity (its calls are in `crate::hospital`).
    pub(crate) hospital: BlockingHospital,
    pub(crate) token: SessionToken,
    account: AccountInfo,
}

#[uniffi::export]
impl Session {
    /// The account, as it was at login.
    pub fn account(&self) -> AccountInfo {
        self.account.clone()
    }

    /// Writes a new record for `patient` (an account id), as a physician.
    pub fn write_record(
        &self,
        patient: String,
        kind: String,
        content_type: String,
        payload: Vec<u8>,
    ) -> Result<RecordMeta> {
        Ok(self
            .identity
            .write_record(
                &self.token,
                account_id(&patient)?,
                &kind,
                &content_type,
                &payload,
            )?
            .into())
    }

    /// Writes a new version of a record, as a physician.
    pub fn amend_record(&self, id: String, payload: Vec<u8>) -> Result<RecordMeta> {
        Ok(self
            .identity
            .amend_record(&self.token, record_id(&id)?, &payload)?
            .into())
    }

    /// Reads the latest version of a record.
    pub fn read_record(&self, id: String) -> Result<Record> {
        Ok(self
            .identity
            .read_record(&self.token, record_id(&id)?)?
            .into())
    }

    /// The records of `patient` (an account id): a patient's own history, or a physician's
    /// view of it.
    pub fn list_records(&self, patient: String) -> Result<Vec<RecordMeta>> {
        Ok(metas(
            self.identity
                .list_records(&self.token, account_id(&patient)?)?,
        ))
    }

    /// Creates a physician or patient account, as an admin; returns its id.
    pub fn create_account(&self, role: Role, username: String, password: String) -> Result<String> {
        Ok(self
            .identity
            .create_account(&self.token, role.into(), &username, &password)?
            .to_string())
    }

    /// Removes an account (by id), as an admin; its sessions end.
    pub fn remove_account(&self, account: String) -> Result<()> {
        Ok(self
            .identity
            .remove_account(&self.token, account_id(&account)?)?)
    }

    /// Unlocks an account's locked second factor, as an admin.
    pub fn unlock_factor(&self, account: String) -> Result<()> {
        Ok(self
            .identity
            .unlock_factor(&self.token, account_id(&account)?)?)
    }

    /// Lets this admin read `patient`'s records for `minutes`, for a stated `reason`
    /// (audited; at most the configured maximum, 4 hours by default).
    pub fn grant_break_glass(&self, patient: String, reason: String, minutes: u32) -> Result<()> {
        self.identity.grant_break_glass(
            &self.token,
            account_id(&patient)?,
            &reason,
            Duration::from_secs(u64::from(minutes) * 60),
        )?;
        Ok(())
    }

    /// The audit trail as FHIR R4 `AuditEvent` resources (JSON), as an admin.
    pub fn audit_trail(&self) -> Result<Vec<String>> {
        Ok(self
            .identity
            .audit_trail(&self.token)?
            .iter()
            .map(|record| record.to_fhir().to_string())
            .collect())
    }

    /// Ends the session; later calls fail with `SessionInvalid`.
    pub fn logout(&self) -> Result<()> {
        Ok(self.identity.logout(&self.token)?)
    }
}
