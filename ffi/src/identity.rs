//! People: accounts, TOTP enrollment, login, and the access-controlled calls of a session.

use std::sync::Arc;
use std::time::Duration;

use medvault_hospital::BlockingHospital;
use medvault_identity::{
    self as identity, AccountId, BlockingIdentity, FactorState, LoginCode, Role, SessionToken,
};

use crate::error::{MedVaultError, Result};
use crate::records::{Record, RecordMeta, metas, record_id};

// The identity crate's own enums, declared to uniffi with `#[uniffi::remote]` (see
// `crate::hospital_people`).

/// What an account may do.
#[uniffi::remote(Enum)]
pub enum Role {
    /// Reads their own records.
    Patient,
    /// Writes and reads patients' records.
    Physician,
    /// Manages accounts and reads the audit trail; reads records only under break-glass.
    Admin,
}

/// The state of an account's TOTP factor.
#[uniffi::remote(Enum)]
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

/// An account as shown to its owner and to admins (the core's `AccountInfo`, with its count
/// as a `u32`: uniffi has no `usize`).
#[derive(uniffi::Record, Clone)]
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
    pub recovery_codes_left: u32,
}

impl From<identity::AccountInfo> for AccountInfo {
    fn from(info: identity::AccountInfo) -> Self {
        // Every field named: a field added to the core's `AccountInfo` fails compilation here.
        let identity::AccountInfo {
            id,
            username,
            role,
            created_ms,
            factor,
            recovery_codes_left,
        } = info;
        Self {
            id,
            username,
            role,
            created_ms,
            factor,
            recovery_codes_left: u32::try_from(recovery_codes_left).unwrap_or(u32::MAX),
        }
    }
}

// An account id crosses as its 32 hex digits; a malformed one fails the call with
// `InvalidInput`.
uniffi::custom_type!(AccountId, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |text| Ok(text.parse::<AccountId>().map_err(|_| {
        MedVaultError::invalid("invalid account id: it must be 32 hex digits")
    })?),
});

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
    pub fn register_patient(&self, username: String, password: String) -> Result<AccountId> {
        Ok(self.identity.register_patient(&username, &password)?)
    }

    /// Creates an account of any role as the operator (such as the first admin).
    pub fn operator_create_account(
        &self,
        role: Role,
        username: String,
        password: String,
    ) -> Result<AccountId> {
        Ok(self
            .identity
            .operator_create_account(role, &username, &password)?)
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

    /// Removes the account `username`, as the operator; its sessions end. The last admin
    /// cannot be removed.
    pub fn operator_remove_account(&self, username: String) -> Result<()> {
        Ok(self.identity.operator_remove_account(&username)?)
    }

    /// Changes the account's password, after checking the current one and a current TOTP
    /// `code`; the new one must meet the password policy. The account's sessions end.
    pub fn change_password(
        &self,
        username: String,
        password: String,
        code: String,
        new_password: String,
    ) -> Result<()> {
        Ok(self.identity.change_password(
            &username,
            &password,
            LoginCode::Totp(&code),
            &new_password,
        )?)
    }

    /// Removes the account's confirmed TOTP factor, after checking the password and a current
    /// `code`; its sessions end, and it logs in again once a new factor is confirmed.
    pub fn remove_totp(&self, username: String, password: String, code: String) -> Result<()> {
        Ok(self
            .identity
            .remove_totp(&username, &password, LoginCode::Totp(&code))?)
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
    pub fn account_id(&self) -> AccountId {
        self.0.account
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
        patient: AccountId,
        kind: String,
        content_type: String,
        payload: Vec<u8>,
    ) -> Result<RecordMeta> {
        Ok(self
            .identity
            .write_record(&self.token, patient, &kind, &content_type, &payload)?
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
    pub fn list_records(&self, patient: AccountId) -> Result<Vec<RecordMeta>> {
        Ok(metas(self.identity.list_records(&self.token, patient)?))
    }

    /// Creates a physician or patient account, as an admin; returns its id.
    pub fn create_account(
        &self,
        role: Role,
        username: String,
        password: String,
    ) -> Result<AccountId> {
        Ok(self
            .identity
            .create_account(&self.token, role, &username, &password)?)
    }

    /// Removes an account (by id), as an admin; its sessions end.
    pub fn remove_account(&self, account: AccountId) -> Result<()> {
        Ok(self.identity.remove_account(&self.token, account)?)
    }

    /// Unlocks an account's locked second factor, as an admin.
    pub fn unlock_factor(&self, account: AccountId) -> Result<()> {
        Ok(self.identity.unlock_factor(&self.token, account)?)
    }

    /// Lets this admin read `patient`'s records for `minutes`, for a stated `reason`
    /// (audited; at most the configured maximum, 4 hours by default).
    pub fn grant_break_glass(
        &self,
        patient: AccountId,
        reason: String,
        minutes: u32,
    ) -> Result<()> {
        self.identity.grant_break_glass(
            &self.token,
            patient,
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
