//! People: `Identity` (accounts, TOTP factors, logins), `Enrollment`, `Session` and
//! `AccountInfo`, over the core's `BlockingIdentity`. Every call releases the GIL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use medvault_hospital::BlockingHospital;
use medvault_identity::{self as core, AccountId, BlockingIdentity, LoginCode, Role, SessionToken};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::errors::{Error, Result, detach, parse_id};
use crate::hospital_types::PatientProfile;
use crate::records::{Record, RecordMeta, metas, parse_record_id};

/// Parses an account id (32 hex digits).
pub(crate) fn parse_account_id(id: &str) -> Result<AccountId> {
    parse_id(id, "account id")
}

/// The second factor given as two optional keyword arguments, of which at most one is set.
fn second_factor<'a>(
    code: Option<&'a str>,
    recovery_code: Option<&'a str>,
) -> Result<Option<LoginCode<'a>>> {
    match (code, recovery_code) {
        (Some(code), None) => Ok(Some(LoginCode::Totp(code))),
        (None, Some(code)) => Ok(Some(LoginCode::Recovery(code))),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(Error::invalid(
            "second factor",
            "give either a TOTP code or a recovery code, not both",
        )),
    }
}

/// [`second_factor`] where one is required.
fn required_second_factor<'a>(
    code: Option<&'a str>,
    recovery_code: Option<&'a str>,
) -> Result<LoginCode<'a>> {
    second_factor(code, recovery_code)?.ok_or_else(|| {
        Error::invalid(
            "second factor",
            "give a TOTP code (code=) or a recovery code (recovery_code=)",
        )
    })
}

/// The identity layer of a vault: patients register, operators and admins create accounts,
/// people enroll a TOTP authenticator and log in with password and code. Get one with
/// ``Vault.identity()``.
#[pyclass(frozen, module = "medvault")]
pub struct Identity {
    identity: BlockingIdentity,
}

impl Identity {
    /// The identity layer over `identity`.
    pub(crate) fn new(identity: BlockingIdentity) -> Self {
        Self { identity }
    }
}

#[pymethods]
impl Identity {
    /// Creates a patient account (self-registration) and returns its id; with ``profile`` (a
    /// ``PatientProfile``), the account and its profile are stored together. The account logs
    /// in once its TOTP factor is enrolled and confirmed.
    #[pyo3(signature = (username, password, *, profile = None))]
    fn register_patient(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        profile: Option<PatientProfile>,
    ) -> Result<String> {
        let id = match profile {
            None => detach(py, || self.identity.register_patient(username, password))?,
            Some(profile) => {
                let profile = profile.to_core()?;
                let hospital = BlockingHospital::new(&self.identity);
                detach(py, || {
                    hospital.register_patient(username, password, &profile)
                })?
            }
        };
        Ok(id.to_string())
    }

    /// Creates an account of ``role`` (``"patient"``, ``"physician"`` or ``"admin"``) as the
    /// operator of the vault (whoever holds its passphrase), without a session; returns its id.
    fn create_account_as_operator(
        &self,
        py: Python<'_>,
        role: &str,
        username: &str,
        password: &str,
    ) -> Result<String> {
        let role: Role = role.parse()?;
        let id = detach(py, || {
            self.identity
                .operator_create_account(role, username, password)
        })?;
        Ok(id.to_string())
    }

    /// Every account, as the operator sees them (no secrets).
    fn accounts(&self, py: Python<'_>) -> Result<Vec<AccountInfo>> {
        let accounts = detach(py, || self.identity.operator_accounts())?;
        Ok(accounts.into_iter().map(AccountInfo::from).collect())
    }

    /// The account named ``username``, as the operator sees it.
    fn account(&self, py: Python<'_>, username: &str) -> Result<AccountInfo> {
        Ok(detach(py, || self.identity.operator_account(username))?.into())
    }

    /// Enrolls a new TOTP authenticator after checking the password; it must be confirmed
    /// with ``confirm_totp``. Replacing a confirmed factor needs ``current_code`` (or
    /// ``current_recovery_code``). Show the result to its owner once.
    #[pyo3(signature = (username, password, *, current_code = None, current_recovery_code = None))]
    fn enroll_totp(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        current_code: Option<&str>,
        current_recovery_code: Option<&str>,
    ) -> Result<Enrollment> {
        let current = second_factor(current_code, current_recovery_code)?;
        let enrollment = detach(py, || {
            self.identity.enroll_totp(username, password, current)
        })?;
        Ok(Enrollment { enrollment })
    }

    /// Confirms the enrolled authenticator with its first code; from then on logins take a
    /// code.
    fn confirm_totp(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        code: &str,
    ) -> Result<()> {
        detach(py, || self.identity.confirm_totp(username, password, code))
    }

    /// Removes the account's confirmed TOTP factor, after checking the password and exactly
    /// one of ``code`` or ``recovery_code``; its sessions end, and it logs in again only once a
    /// new factor is enrolled and confirmed.
    #[pyo3(signature = (username, password, *, code = None, recovery_code = None))]
    fn remove_totp(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        code: Option<&str>,
        recovery_code: Option<&str>,
    ) -> Result<()> {
        let code = required_second_factor(code, recovery_code)?;
        detach(py, || self.identity.remove_totp(username, password, code))
    }

    /// Changes the account's password, after checking the current one and exactly one of
    /// ``code`` or ``recovery_code``; the new one must meet the password policy. The account's
    /// sessions end.
    #[pyo3(signature = (username, password, new_password, *, code = None, recovery_code = None))]
    fn change_password(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        new_password: &str,
        code: Option<&str>,
        recovery_code: Option<&str>,
    ) -> Result<()> {
        let code = required_second_factor(code, recovery_code)?;
        detach(py, || {
            self.identity
                .change_password(username, password, code, new_password)
        })
    }

    /// Removes the account named ``username``, as the operator; its sessions end. The last
    /// admin cannot be removed.
    fn remove_account(&self, py: Python<'_>, username: &str) -> Result<()> {
        detach(py, || self.identity.operator_remove_account(username))
    }

    /// Unlocks the locked second factor of the account named ``username``, as the operator.
    fn unlock_factor(&self, py: Python<'_>, username: &str) -> Result<()> {
        detach(py, || self.identity.operator_unlock_factor(username))
    }

    /// Logs in with the password and exactly one of ``code`` (from the authenticator) or
    /// ``recovery_code`` (single use), and returns the ``Session``. Use it as a context
    /// manager to log out at the end.
    #[pyo3(signature = (username, password, *, code = None, recovery_code = None))]
    fn login(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        code: Option<&str>,
        recovery_code: Option<&str>,
    ) -> Result<Session> {
        let code = required_second_factor(code, recovery_code)?;
        let outcome = detach(py, || self.identity.login(username, password, code))?;
        Ok(Session {
            identity: self.identity.clone(),
            token: outcome.token,
            account: outcome.account.into(),
            logged_out: AtomicBool::new(false),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Identity(vault={:?})",
            self.identity.vault().inner().location()
        )
    }
}

/// A new TOTP authenticator, to show its owner once: ``otpauth_uri`` (or ``qr_png``, or
/// ``secret_base32`` typed by hand) goes into an authenticator app, ``recovery_codes`` onto
/// paper. Its ``repr`` shows no secret.
#[pyclass(frozen, module = "medvault")]
pub struct Enrollment {
    enrollment: core::Enrollment,
}

#[pymethods]
impl Enrollment {
    /// The account's id.
    #[getter]
    fn account_id(&self) -> String {
        self.enrollment.account.to_string()
    }

    /// The TOTP secret in base 32 (RFC 4648, no padding).
    #[getter]
    fn secret_base32(&self) -> String {
        self.enrollment.factor.secret_base32()
    }

    /// The ``otpauth://totp/…`` URI.
    #[getter]
    fn otpauth_uri(&self) -> &str {
        &self.enrollment.otpauth_uri
    }

    /// The URI as a QR code, PNG bytes.
    #[getter]
    fn qr_png<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.enrollment.qr_png)
    }

    /// The single-use recovery codes.
    #[getter]
    fn recovery_codes(&self) -> Vec<String> {
        self.enrollment
            .recovery_codes
            .iter()
            .map(|code| code.as_str().to_owned())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Enrollment(account_id={:?}, <secret, URI, QR code and {} recovery codes redacted>)",
            self.account_id(),
            self.enrollment.recovery_codes.len()
        )
    }
}

/// What may be shown about an account: no secret and no hash.
#[pyclass(frozen, eq, get_all, module = "medvault")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// The account's id (32 hex digits).
    id: String,
    /// Its username.
    username: String,
    /// Its role: ``"patient"``, ``"physician"`` or ``"admin"``.
    role: String,
    /// When it was created (milliseconds since the Unix epoch).
    created_ms: i64,
    /// Its TOTP factor: ``"none"``, ``"pending"``, ``"active"`` or ``"locked"``.
    factor: String,
    /// How many recovery codes are left.
    recovery_codes_left: usize,
}

impl From<core::AccountInfo> for AccountInfo {
    fn from(info: core::AccountInfo) -> Self {
        // Every field named: a field added to the core's `AccountInfo` fails compilation here.
        let core::AccountInfo {
            id,
            username,
            role,
            created_ms,
            factor,
            recovery_codes_left,
        } = info;
        Self {
            id: id.to_string(),
            username,
            role: role.as_str().to_owned(),
            created_ms,
            factor: factor.as_str().to_owned(),
            recovery_codes_left,
        }
    }
}

#[pymethods]
impl AccountInfo {
    fn __repr__(&self) -> String {
        format!(
            "AccountInfo(id={:?}, username={:?}, role={:?}, factor={:?})",
            self.id, self.username, self.role, self.factor
        )
    }
}

// The session's hospital methods are in `hospital.rs` (pyo3's `multiple-pymethods`).

/// A logged-in session: every call is checked against the access policy for the session's
/// account and role, and audited. Besides records, it reaches the hospital: patient profiles,
/// physicians and their schedules, free slots and appointments, medical history, events and
/// notes, and the dashboard. A context manager: leaving the ``with`` block logs out. The
/// session token stays inside (zeroized when the session is dropped) and is never shown.
#[pyclass(frozen, module = "medvault")]
pub struct Session {
    pub(crate) identity: BlockingIdentity,
    pub(crate) token: SessionToken,
    account: AccountInfo,
    logged_out: AtomicBool,
}

#[pymethods]
impl Session {
    /// The account's id.
    #[getter]
    fn account_id(&self) -> &str {
        &self.account.id
    }

    /// The account's role: ``"patient"``, ``"physician"`` or ``"admin"``.
    #[getter]
    fn role(&self) -> &str {
        &self.account.role
    }

    /// The account's username.
    #[getter]
    fn username(&self) -> &str {
        &self.account.username
    }

    /// Writes ``payload`` as a new record of ``patient`` (an account id) and returns its
    /// metadata (physicians; a patient may not write).
    #[pyo3(signature = (patient, payload, *, kind, content_type = "application/octet-stream"))]
    fn write_record(
        &self,
        py: Python<'_>,
        patient: &str,
        payload: &[u8],
        kind: &str,
        content_type: &str,
    ) -> Result<RecordMeta> {
        let patient = parse_account_id(patient)?;
        let meta = detach(py, || {
            self.identity
                .write_record(&self.token, patient, kind, content_type, payload)
        })?;
        Ok(meta.into())
    }

    /// Stores ``payload`` as a new version of record ``id`` and returns its metadata.
    fn amend_record(&self, py: Python<'_>, id: &str, payload: &[u8]) -> Result<RecordMeta> {
        let id = parse_record_id(id)?;
        let meta = detach(py, || self.identity.amend_record(&self.token, id, payload))?;
        Ok(meta.into())
    }

    /// Reads the latest version of record ``id``: ``Record`` (``meta`` and ``payload``).
    fn read_record(&self, py: Python<'_>, id: &str) -> Result<Record> {
        let id = parse_record_id(id)?;
        Record::new(
            py,
            detach(py, || self.identity.read_record(&self.token, id))?,
        )
    }

    /// The records of ``patient`` (an account id) the session may see.
    fn list_records(&self, py: Python<'_>, patient: &str) -> Result<Vec<RecordMeta>> {
        let patient = parse_account_id(patient)?;
        Ok(metas(detach(py, || {
            self.identity.list_records(&self.token, patient)
        })?))
    }

    /// Creates a physician or patient account, as an admin (admins are made by the
    /// operator); returns its id.
    fn create_account(
        &self,
        py: Python<'_>,
        role: &str,
        username: &str,
        password: &str,
    ) -> Result<String> {
        let role: Role = role.parse()?;
        let id = detach(py, || {
            self.identity
                .create_account(&self.token, role, username, password)
        })?;
        Ok(id.to_string())
    }

    /// Removes the account ``account_id``, as an admin; its sessions end. The last admin
    /// cannot be removed.
    fn remove_account(&self, py: Python<'_>, account_id: &str) -> Result<()> {
        let account = parse_account_id(account_id)?;
        detach(py, || self.identity.remove_account(&self.token, account))
    }

    /// Unlocks the locked second factor of the account ``account_id``, as an admin.
    fn unlock_factor(&self, py: Python<'_>, account_id: &str) -> Result<()> {
        let account = parse_account_id(account_id)?;
        detach(py, || self.identity.unlock_factor(&self.token, account))
    }

    /// Break-glass access: lets this admin read the records of ``patient`` (an account id)
    /// for ``minutes``, for a stated ``reason`` (1 to 500 characters). The grant and every read
    /// under it are audited; it lasts at most the configured maximum (4 hours by default).
    #[pyo3(signature = (patient, reason, *, minutes = 60))]
    fn grant_break_glass(
        &self,
        py: Python<'_>,
        patient: &str,
        reason: &str,
        minutes: u32,
    ) -> Result<()> {
        let patient = parse_account_id(patient)?;
        let duration = Duration::from_secs(u64::from(minutes) * 60);
        detach(py, || {
            self.identity
                .grant_break_glass(&self.token, patient, reason, duration)
        })?;
        Ok(())
    }

    /// The vault's audit trail (admins), one FHIR R4 ``AuditEvent`` dict per entry.
    fn audit_trail<'py>(&self, py: Python<'py>) -> Result<Vec<Bound<'py, PyAny>>> {
        let trail = detach(py, || self.identity.audit_trail(&self.token))?;
        let loads = py.import("json")?.getattr("loads")?;
        trail
            .iter()
            .map(|record| Ok(loads.call1((record.to_fhir().to_string(),))?))
            .collect()
    }

    /// Ends the session; later calls raise ``SessionError``. Logging out twice raises
    /// ``SessionError`` too.
    fn logout(&self, py: Python<'_>) -> Result<()> {
        self.logged_out.store(true, Ordering::SeqCst);
        detach(py, || self.identity.logout(&self.token))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Logs out unless ``logout`` was called already.
    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> Result<()> {
        if self.logged_out.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        detach(py, || self.identity.logout(&self.token))
    }

    fn __repr__(&self) -> String {
        format!(
            "Session(account_id={:?}, username={:?}, role={:?})",
            self.account.id, self.account.username, self.account.role
        )
    }
}
